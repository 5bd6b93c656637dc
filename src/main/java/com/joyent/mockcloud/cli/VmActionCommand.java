package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.vm.ServerVms;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vm-action crash|set-state VM...}: a VM of a running run-servers crashes or changes state
 * on its own, with no task, through the control port (docs/behaviour.md). One JSON line per VM.
 */
@Command(name = "vm-action", mixinStandardHelpOptions = true,
    description = "Make VMs of a running run-servers crash (stopped with an exit status, as a dying zone) or change "
        + "state on their own, with no task; vm-agent tells VMAPI. Prints one JSON line per VM.")
public final class VmActionCommand implements Callable<Integer> {
  @Mixin SettingsOptions options;
  @Mixin ControlPortOption control;

  @Parameters(index = "0", paramLabel = "ACTION", description = "crash or set-state")
  String action;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "VM", description = "VM UUIDs")
  List<String> vms;

  @Option(names = "--exit-status", paramLabel = "N", description = "crash: the zone's exit status, 0 to 255 (default 1)")
  Integer exitStatus;

  @Option(names = "--state", paramLabel = "STATE", description = "set-state: running, stopped or failed")
  String state;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>();
    switch (action) {
      case "crash" -> {
        if (state != null) {
          throw new IllegalArgumentException("--state is for set-state");
        }
        if (exitStatus != null) {
          if (exitStatus < 0 || exitStatus > 255) {
            throw new IllegalArgumentException("--exit-status must be 0 to 255, got " + exitStatus);
          }
          body.put("exit_status", exitStatus);
        }
      }
      case "set-state" -> {
        if (exitStatus != null) {
          throw new IllegalArgumentException("--exit-status is for crash");
        }
        if (state == null || !ServerVms.STATES_ON_ITS_OWN.contains(state)) {
          throw new IllegalArgumentException("set-state needs --state, one of "
              + String.join(", ", ServerVms.STATES_ON_ITS_OWN));
        }
        body.put("state", state);
      }
      default -> throw new IllegalArgumentException("unknown action " + action + "; actions are crash, set-state");
    }
    List<String> paths = new ArrayList<>();
    for (String vm : vms) {
      paths.add("/vms/" + ServerCreator.parseUuid(vm) + "/actions/" + action);
    }
    return control.client(options).postEach(paths, Json.compact(body), spec.commandLine().getOut(),
        path -> Map.of("uuid", path.split("/")[2], "action", action));
  }
}
