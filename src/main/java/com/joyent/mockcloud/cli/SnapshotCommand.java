package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.snapshot.FleetSnapshot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code snapshot save|restore}: a mock root's servers, VMs and behaviour files to a file and back, while run-servers runs. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
    description = "Save a mock root (servers, VMs, behaviour files) to a file, or bring a root back to a saved one; "
        + "safe while run-servers runs.",
    subcommands = {SnapshotCommand.Save.class, SnapshotCommand.Restore.class})
public final class SnapshotCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a subcommand: save or restore");
  }

  @Command(name = "save", mixinStandardHelpOptions = true, description = "Save the root's state to FILE.")
  static final class Save implements Callable<Integer> {
    @Option(names = "--root", required = true, paramLabel = "DIR") Path root;
    @Option(names = "--out", required = true, paramLabel = "FILE") Path out;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      FleetSnapshot.Summary s = FleetSnapshot.save(root.toAbsolutePath(), out);
      PrintWriter o = spec.commandLine().getOut();
      o.println("saved " + s.servers() + " mock CNs (" + s.files() + " files) to " + out);
      o.flush();
      return 0;
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "Bring the root to the state saved in FILE: CNs and VM files added, replaced or removed.")
  static final class Restore implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") Path file;
    @Option(names = "--root", required = true, paramLabel = "DIR") Path root;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      FleetSnapshot.Summary s = FleetSnapshot.restore(file, root.toAbsolutePath());
      PrintWriter o = spec.commandLine().getOut();
      o.println("restored " + s.servers() + " mock CNs from " + file + " (" + s.files() + " files written or removed, "
          + s.removedServers() + " CNs removed)");
      o.flush();
      return 0;
    }
  }
}
