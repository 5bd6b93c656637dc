package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.fleet.Daemon;
import com.joyent.mockcloud.fleet.ServerActions;
import com.joyent.mockcloud.fleet.ServerActions.Action;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerCreator;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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

  @Option(names = "--control-port", paramLabel = "PORT", defaultValue = "${env:MOCKCLOUD_CONTROL_PORT:--1}",
      description = "run-servers' control port on 127.0.0.1 (env MOCKCLOUD_CONTROL_PORT; default: the port "
          + "run-servers wrote to ROOT/control.port)")
  int controlPort;

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
    int port = controlPort >= 0 ? controlPort : portFromRoot();
    String body = downSeconds == null ? "{}" : Json.compact(Map.of("down_seconds", downSeconds));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    PrintWriter out = spec.commandLine().getOut();
    int failed = 0;
    for (UUID u : parsed) {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/servers/" + u
              + "/actions/" + a.wire()))
          .timeout(Duration.ofSeconds(60))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      HttpResponse<String> r;
      try {
        r = http.send(req, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IOException("no run-servers answers on 127.0.0.1:" + port + " (" + e + ")", e);
      }
      if (r.statusCode() == 200) {
        out.println(r.body());
      } else {
        failed++;
        Object message = r.body();
        try {
          message = Json.parseObject(r.body().getBytes(StandardCharsets.UTF_8)).get("message");
        } catch (RuntimeException notJson) {
          // keep the raw body
        }
        out.println(Json.compact(Map.of("uuid", u.toString(), "action", a.wire(), "error", String.valueOf(message))));
      }
      out.flush();
    }
    return failed == 0 ? 0 : Main.EXIT_FAILURE;
  }

  /** The port run-servers wrote under the root: {@code --root}, the environment or the config file. */
  private int portFromRoot() throws IOException {
    Path root = options.settings().root();
    Path file = Daemon.controlPortFile(root);
    try {
      return Integer.parseInt(Files.readString(file).trim());
    } catch (NoSuchFileException e) {
      throw new IOException("no " + file + ": is run-servers running with --control-port? (or give --control-port)");
    } catch (NumberFormatException e) {
      throw new IOException(file + " does not hold a port number");
    }
  }
}
