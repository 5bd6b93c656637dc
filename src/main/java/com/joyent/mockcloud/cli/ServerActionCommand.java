package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.fleet.ServerActions;
import com.joyent.mockcloud.fleet.ServerActions.Action;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerCreator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code server-action ACTION UUID...}: reboots, powers off or on, or restarts the cn-agent of
 * CNs in a running run-servers, through its control port (docs/behaviour.md). One JSON line per
 * CN on stdout: the daemon's answer, or {@code {"uuid", "action", "error"}}.
 */
@Command(name = "server-action", mixinStandardHelpOptions = true,
    description = "Reboot, power off, power on or restart the cn-agent of mock CNs in a running run-servers "
        + "(through its control port). Prints one JSON line per CN.")
public final class ServerActionCommand implements Callable<Integer> {
  @Mixin SettingsOptions options;

  @Parameters(index = "0", paramLabel = "ACTION", description = "reboot, power-off, power-on or restart-agent")
  String action;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "UUID", description = "server UUIDs")
  List<String> uuids;

  @Mixin ControlPortOption control;

  @Option(names = "--down-seconds", paramLabel = "N",
      description = "reboot only: how long the CN is down (default 15, past CNAPI's 11 s heartbeat lifetime)")
  Long downSeconds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Action a = Action.named(action);
    if (a == null) {
      throw new IllegalArgumentException("unknown action " + action + "; actions are " + Action.names());
    }
    if (downSeconds != null && a != Action.REBOOT) {
      throw new IllegalArgumentException("--down-seconds is for reboot only");
    }
    if (downSeconds != null && (downSeconds < 0 || downSeconds > ServerActions.MAX_DOWN.toSeconds())) {
      throw new IllegalArgumentException("--down-seconds must be 0 to " + ServerActions.MAX_DOWN.toSeconds()
          + ", got " + downSeconds);
    }
    List<UUID> parsed = new ArrayList<>();
    for (String u : uuids) {
      parsed.add(ServerCreator.parseUuid(u));
    }
    String body = downSeconds == null ? "{}" : Json.compact(Map.of("down_seconds", downSeconds));
    List<String> paths = new ArrayList<>();
    for (UUID u : parsed) {
      paths.add("/servers/" + u + "/actions/" + a.wire());
    }
    return control.client(options).postEach(paths, body, spec.commandLine().getOut(),
        path -> Map.of("uuid", path.split("/")[2], "action", a.wire()));
  }
}
