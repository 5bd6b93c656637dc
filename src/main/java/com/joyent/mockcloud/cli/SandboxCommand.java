package com.joyent.mockcloud.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sandbox}: the embedded Triton stand-ins plus mock CNs. Placeholder until the sandbox lands. */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = "Run the embedded Triton stand-ins (CNAPI, VMAPI, NAPI) with N mock CNs.")
public final class SandboxCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("sandbox: not implemented yet");
    return Main.EXIT_FAILURE;
  }
}
