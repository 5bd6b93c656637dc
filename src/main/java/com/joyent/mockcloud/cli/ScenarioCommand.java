package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code scenario run FILE | status ID | stop ID}: runs a scenario in a running run-servers
 * (docs/behaviour.md, "Scenarios") and prints its report as JSON lines as they come; Ctrl-C
 * stops it. {@code --detach} prints the id and returns.
 */
@Command(name = "scenario", mixinStandardHelpOptions = true,
    description = "Run a scenario (a timeline of behaviours and actions over chosen CNs) in a running run-servers, "
        + "printing what it applied when as JSON lines; or show or stop one. Ctrl-C stops a scenario being run.")
public final class ScenarioCommand implements Callable<Integer> {
  /** How often a run being followed asks for new report lines. */
  static final long POLL_MS = 200;

  @Mixin SettingsOptions options;
  @Mixin ControlPortOption control;

  @Parameters(index = "0", paramLabel = "run|status|stop", description = "what to do")
  String verb;

  @Parameters(index = "1", paramLabel = "FILE|ID", description = "run: the scenario file; status, stop: its id")
  String arg;

  @Option(names = "--detach", description = "run: print the scenario's id and return instead of following it")
  boolean detach;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    ControlClient client = control.client(options);
    switch (verb) {
      case "run" -> {
        Object scenario;
        try {
          scenario = Json.parse(Files.readAllBytes(Path.of(arg)));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(arg + " is not JSON: " + e.getMessage());
        }
        ControlClient.Answer started = client.send("POST", "/scenarios", Json.compact(scenario));
        if (started.status() != 200) {
          throw new IllegalArgumentException("scenario refused: " + started.message());
        }
        String id = (String) started.object().get("id");
        if (detach) {
          out.println(Json.compact(started.object()));
          out.flush();
          return 0;
        }
        Thread stopper = new Thread(() -> {
          try {
            client.send("POST", "/scenarios/" + id + "/stop", "{}");
          } catch (IOException | InterruptedException e) {
            // the daemon is gone: nothing to stop
          }
        });
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
          return follow(client, id, out);
        } finally {
          try {
            Runtime.getRuntime().removeShutdownHook(stopper);
          } catch (IllegalStateException shuttingDown) {
            // the hook is running
          }
        }
      }
      case "status" -> {
        ControlClient.Answer a = client.send("GET", "/scenarios/" + arg, null);
        if (a.status() != 200) {
          throw new IllegalArgumentException(a.message());
        }
        out.println(Json.compact(a.object()));
        out.flush();
        return 0;
      }
      case "stop" -> {
        ControlClient.Answer a = client.send("POST", "/scenarios/" + arg + "/stop", "{}");
        if (a.status() != 200) {
          throw new IllegalArgumentException(a.message());
        }
        out.println(Json.compact(a.object()));
        out.flush();
        return 0;
      }
      default -> throw new IllegalArgumentException("unknown verb " + verb + "; verbs are run, status, stop");
    }
  }

  /** Prints the report's lines as they come until the scenario is done or stopped; 0 when done. */
  @SuppressWarnings("unchecked")
  private static int follow(ControlClient client, String id, PrintWriter out) throws IOException, InterruptedException {
    long printed = 0;
    while (true) {
      ControlClient.Answer a = client.send("GET", "/scenarios/" + id + "?from=" + printed, null);
      if (a.status() != 200) {
        throw new IOException("scenario " + id + ": " + a.message());
      }
      Map<String, Object> status = a.object();
      for (Object line : (List<Object>) status.get("report")) {
        out.println(Json.compact(line));
        printed++;
      }
      out.flush();
      String state = (String) status.get("state");
      if (state.equals("done") || state.equals("stopped") || state.equals("holding")) {
        return state.equals("stopped") ? Main.EXIT_FAILURE : 0;
      }
      Thread.sleep(POLL_MS);
    }
  }
}
