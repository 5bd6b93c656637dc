package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.config.SettingsException;
import com.joyent.mockcloud.triton.ApiException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar mockcloud.jar <command>}: the entry point, and nothing else. */
@Command(name = "mockcloud", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Makes one machine look like many Triton compute nodes.",
    subcommands = {
        RunServersCommand.class,
        CreateServerCommand.class,
        DeleteServerCommand.class,
        ListServersCommand.class,
        ServerActionCommand.class,
        VmActionCommand.class,
        ScenarioCommand.class,
        SandboxCommand.class,
        AddExternalsCommand.class,
        BenchCommand.class,
        FwadmCommand.class,
        MirrorCommand.class,
        SnapshotCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {
  /** Exit status for bad settings or arguments, as picocli uses for usage errors. */
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_FAILURE = 1;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return newCommandLine().execute(args);
  }

  static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(Main::handleException);
    return cl;
  }

  /** One clear line on stderr per failure, never a stack trace for an expected error. */
  private static int handleException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    String cmd = cl.getCommandName();
    if (e instanceof SettingsException || e instanceof IllegalArgumentException) {
      err.println(cmd + ": " + e.getMessage());
      err.flush();
      return EXIT_USAGE;
    }
    if (e instanceof ApiException || e instanceof IOException) {
      err.println(cmd + ": " + e.getMessage());
      err.flush();
      return EXIT_FAILURE;
    }
    err.println(cmd + ": unexpected error: " + e);
    e.printStackTrace(err);
    err.flush();
    return EXIT_FAILURE;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"mockcloud " + (v == null ? "dev" : v)};
    }
  }
}
