package com.joyent.mockcloud.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code run-servers}: runs every mock CN under the root. The agents come with issue #4. */
@Command(name = "run-servers", mixinStandardHelpOptions = true,
    description = "Run a cn-agent (and the other mock agents) for every mock CN under the root.")
public final class RunServersCommand implements Callable<Integer> {
  @Mixin SettingsOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    options.settings();
    spec.commandLine().getErr().println("run-servers: not implemented yet: the mock cn-agent is still being built"
        + " (see docs/status.md)");
    spec.commandLine().getErr().flush();
    return Main.EXIT_FAILURE;
  }
}
