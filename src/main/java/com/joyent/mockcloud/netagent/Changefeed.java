package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.http.WebSocketDialer;
import com.joyent.mockcloud.http.WebSocketDialer.Socket;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.NapiApi;
import com.joyent.mockcloud.util.Backoff;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A NAPI changefeed listener (spec net-agent-cmon-mockcloud.md §2.4), on the shared
 * {@link WebSocketDialer} (the process's I/O worker: no thread and no idle buffers per socket).
 * Either one CN's own (mode {@code per-cn}: its {@link Sink} is the CN's {@link CnSync}) or the
 * process's one socket to a NAPI ({@code shared}: its sink is a {@link SharedChangefeed}, which
 * routes each item to the CNs it concerns).
 *
 * <ol>
 *   <li>probe {@code GET /changefeeds} with {@code Accept-Version: ~2};
 *   <li>upgrade {@code GET /changefeeds} (same header) to a WebSocket;
 *   <li>send the v2 registration {@code {instance, service:"net-agent", resources:[network, nic,
 *       aggregation]}};
 *   <li>the first frame back is the bootstrap ({@code bootstrapRoutes}): every tracked object of
 *       those kinds is re-read ({@link Sink#bootstrap}), on every (re)connect; without it within
 *       {@code requestTimeout} the socket is dropped and the client reconnects;
 *   <li>later frames are change items ({@link Sink#change});
 *   <li>the text frame {@code heartbeat} every {@code heartbeat} (27.817 s);
 *   <li>on close, error or failed probe: reconnect after {@code changefeedRetryMin} doubling up
 *       to {@code changefeedRetryMax} (the configured 30 s; the reference's effective 10 s cap is
 *       a bug, spec §7 item 7), for ever. A NAPI without a changefeed (404/405 to the probe) is
 *       probed again only every {@code changefeedAbsentRetry}: the periodic refreshes carry on.
 * </ol>
 *
 * <p>Threads: WebSocket callbacks only post to the sink's {@link CnLoop}; all state is confined
 * to that loop. The socket sends frames in call order, so sends need no chaining.
 */
final class Changefeed extends CnLoop.Timed {
  static final List<Object> RESOURCES = List.of(
      resource("network", "create", "delete", "gateway", "resolvers", "routes"),
      resource("nic", "create", "delete", "allow_dhcp_spoofing", "allow_ip_spoofing", "allow_mac_spoofing",
          "allow_restricted_traffic", "allow_unfiltered_promisc"),
      resource("aggregation", "create", "delete"));

  /** Who the listener works for. Every method is called on {@link #loop()}. */
  interface Sink {
    CnLoop loop();

    NetAgentOptions options();

    /** For log lines: "net-agent of &lt;cn&gt;", "shared changefeed of &lt;url&gt;". */
    String who();

    /** The {@code server_uuid} log key, or null. */
    String serverUuid();

    /** A request (probe or upgrade) is about to be sent. */
    void requested();

    /** A reconnect was scheduled. */
    void retried();

    void succeeded();

    void failed(String call, ApiResponse r, Throwable err);

    /** The bootstrap frame: re-read what of {@code kinds} was last read at or before {@code registeredAt}. */
    void bootstrap(List<String> kinds, long registeredAt);

    /** One change item (a parsed frame, shared read-only). */
    void change(Map<String, Object> item);
  }

  private enum Next { PROBE, BOOTSTRAP_DEADLINE, HEARTBEAT }

  private final Sink cn;
  private final CnLoop loop;
  private final NetAgentOptions options;
  private final NapiApi napi;
  private final String instance;
  private volatile Socket socket;
  private boolean bootstrapped;
  private volatile boolean stopped;
  private final Backoff reconnectBackoff; // doubling per failure, reset once connected
  private Next next = Next.PROBE;
  private boolean absentLogged;
  private long registeredAt;
  volatile boolean connected;

  Changefeed(Sink cn, NapiApi napi, String instance) {
    this.cn = cn;
    this.loop = cn.loop();
    this.options = cn.options();
    this.napi = napi;
    this.instance = instance;
    this.reconnectBackoff = Backoff.doubling(options.changefeedRetryMin().toMillis(),
        options.changefeedRetryMax().toMillis());
  }

  void start() {
    probe();
  }

  /** Closes the socket; no reconnect. Any thread (the loop may already be stopped). */
  void stop() {
    stopped = true;
    connected = false;
    Socket ws = socket;
    socket = null;
    if (ws != null) {
      ws.abort();
    }
  }

  @Override
  void onTimer() {
    if (stopped) {
      return;
    }
    switch (next) {
      case HEARTBEAT -> heartbeat();
      case BOOTSTRAP_DEADLINE -> {
        Socket w = socket;
        if (w != null && !bootstrapped) {
          closed(w, "no bootstrap frame within " + options.requestTimeout().toMillis() + " ms");
        }
      }
      case PROBE -> probe();
    }
  }

  private void probe() {
    cn.requested();
    napi.probeChangefeed().whenComplete((r, err) -> loop.post(() -> {
      if (stopped) {
        return;
      }
      if (err == null && r.isSuccessful()) {
        connect();
      } else if (err == null && (r.status() == 404 || r.status() == 405)) {
        if (!absentLogged) {
          absentLogged = true;
          CnSync.LOG.atInfo().addKeyValue("server_uuid", cn.serverUuid()).log(
              "{}: NAPI has no changefeed ({}); relying on periodic refreshes", cn.who(), r.status());
        }
        next = Next.PROBE;
        loop.arm(this, options.changefeedAbsentRetry().toMillis());
      } else {
        cn.failed("changefeed probe GET /changefeeds", r, err);
        retry();
      }
    }));
  }

  private void connect() {
    cn.requested();
    napi.connectChangefeed(options.requestTimeout(), new Listener())
        .whenComplete((w, err) -> {
          if (w != null && (stopped || loop.isStopped())) {
            w.abort(); // stopped during the handshake: the loop will not take this any more
            return;
          }
          loop.post(() -> connected(w, err));
        });
  }

  private void connected(Socket w, Throwable err) {
    if (err != null) {
      cn.failed("changefeed upgrade GET /changefeeds", null, err);
      retry();
      return;
    }
    socket = w;
    if (stopped) { // checked after publishing the socket, so stop() cannot miss it
      w.abort();
      return;
    }
    bootstrapped = false;
    next = Next.BOOTSTRAP_DEADLINE; // a publisher that never answers the registration is dropped
    loop.arm(this, options.requestTimeout().toMillis());
    Map<String, Object> reg = new LinkedHashMap<>();
    reg.put("instance", instance);
    reg.put("service", "net-agent");
    reg.put("resources", RESOURCES);
    registeredAt = loop.now();
    send(w, Json.compact(reg));
  }

  private void send(Socket w, String text) {
    w.sendText(text).whenComplete((x, err) -> {
      if (err != null) {
        loop.post(() -> closed(w, "send failed: " + err));
      }
    });
  }

  private void heartbeat() {
    Socket w = socket;
    if (w != null && bootstrapped) {
      send(w, "heartbeat");
      next = Next.HEARTBEAT;
      loop.arm(this, options.heartbeat().toMillis());
    }
  }

  @SuppressWarnings("unchecked")
  private void onMessage(Socket w, String text) {
    if (w != socket || stopped) {
      return;
    }
    Object msg;
    try {
      msg = ChangefeedFrames.SHARED.parse(text);
    } catch (Json.JsonFormatException e) {
      CnSync.LOG.debug("{}: changefeed frame is not JSON: {}", cn.who(), text);
      return;
    }
    if (!(msg instanceof Map<?, ?> m)) {
      return;
    }
    if (!bootstrapped) {
      List<String> kinds = new ArrayList<>();
      if (m.get("bootstrapRoutes") instanceof List<?> routes) { // v2
        for (Object o : routes) {
          if (o instanceof Map<?, ?> r && r.get("resource") instanceof String s) {
            kinds.add(s);
          }
        }
      } else if (m.get("resource") instanceof String s) { // v1 bootstrap: one descriptor
        kinds.add(s);
      } else {
        CnSync.LOG.debug("{}: unexpected first changefeed frame {}", cn.who(), text);
        return;
      }
      bootstrapped = true;
      connected = true;
      reconnectBackoff.reset();
      next = Next.HEARTBEAT;
      loop.arm(this, options.heartbeat().toMillis());
      cn.succeeded();
      cn.bootstrap(kinds, registeredAt);
      return;
    }
    cn.change((Map<String, Object>) m);
  }

  private void closed(Socket w, String why) {
    if (w != socket || stopped) {
      return;
    }
    socket = null;
    connected = false;
    bootstrapped = false;
    CnSync.LOG.atDebug().addKeyValue("server_uuid", cn.serverUuid()).log("{}: changefeed closed: {}", cn.who(), why);
    w.abort();
    retry();
  }

  private void retry() {
    cn.retried();
    next = Next.PROBE;
    loop.arm(this, reconnectBackoff.nextDelayMs());
  }

  private static Map<String, Object> resource(String name, String... subs) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("resource", name);
    r.put("subResources", List.of(subs));
    return r;
  }

  /** Socket callbacks (on an I/O thread): everything is posted to the sink's loop. */
  private final class Listener implements WebSocketDialer.Handler {
    @Override
    public void onText(Socket w, String text) {
      loop.post(() -> onMessage(w, text));
    }

    @Override
    public void onClosed(Socket w, String why) {
      loop.post(() -> closed(w, why));
    }
  }
}
