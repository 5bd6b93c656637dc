package com.joyent.mockcloud.control;

import com.joyent.mockcloud.behaviour.FleetBehaviour;
import com.joyent.mockcloud.fleet.ServerActions;
import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import com.joyent.mockcloud.scenario.Scenarios;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;

/**
 * run-servers' control port (docs/control.md): on 127.0.0.1 only, {@code GET /metrics} answers
 * the process's own {@link DaemonMetrics} in the Prometheus text format, and
 * {@code POST /servers/{uuid}/actions/{action}} does a server action ({@link ActionRoutes}).
 * Served on the shared I/O worker; a scrape renders a few KB and never blocks.
 */
public final class ControlServer implements Closeable {
  /** Loopback only: the port tells about the process, and the operator reaches it from the zone. */
  static final String HOST = "127.0.0.1";

  private final HttpListeners.Listener listener;

  private ControlServer(HttpListeners.Listener listener) {
    this.listener = listener;
  }

  /**
   * Listens on 127.0.0.1:{@code port} (0 = OS-chosen).
   *
   * @param actions the fleet's server actions ({@link ActionRoutes}); null: metrics only
   * @param behaviours the fleet's behaviour files ({@link BehaviourRoutes}); null: none
   * @param scenarios the fleet's scenarios ({@link ScenarioRoutes}); null: none
   * @param work where actions and behaviour writes run (they start and stop CNs, write files: they block)
   */
  public static ControlServer start(HttpListeners listeners, int port, DaemonMetrics metrics, ServerActions actions,
      FleetBehaviour behaviours, Scenarios scenarios, Executor work) {
    RestRouter r = new RestRouter("mockcloud")
        .get("/metrics", req -> RestResponse.text(200, DaemonMetrics.contentType(),
            new String(metrics.scrape(), StandardCharsets.UTF_8)));
    if (actions != null) {
      new ActionRoutes(actions, work).addTo(r);
    }
    if (behaviours != null) {
      new BehaviourRoutes(behaviours, work).addTo(r);
    }
    if (scenarios != null) {
      new ScenarioRoutes(scenarios, work).addTo(r);
    }
    return new ControlServer(listeners.open(HOST, port, r));
  }

  public int port() {
    return listener.port();
  }

  public String baseUrl() {
    return listener.baseUrl();
  }

  @Override
  public void close() {
    listener.close();
  }
}
