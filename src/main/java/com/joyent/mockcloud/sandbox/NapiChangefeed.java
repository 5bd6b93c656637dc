package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.json.Json;
import io.undertow.server.HttpHandler;
import io.undertow.util.Headers;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;

/**
 * The sandbox NAPI's changefeed publisher (net-agent-cmon-mockcloud.md §3.9): {@code GET
 * /changefeeds} lists the resources, {@code GET /changefeeds/stats} counts listeners, and a
 * WebSocket upgrade on {@code /changefeeds} takes one registration (v1 or v2 by {@code
 * Accept-Version}), answers with the bootstrap routes, then pushes every change item that
 * matches it.
 *
 * <p>Unlike the real publisher, items are pushed as they happen rather than by a 2 s poller,
 * and each matching item is sent once per registration (no duplicates): the sandbox favours
 * quick, deterministic tests. Sends are asynchronous on the listener's I/O thread; nothing
 * here blocks.
 *
 * <p>Cost at scale: with one socket per mock CN, every item goes to thousands of sockets. An
 * item is encoded once, and handed to each I/O thread once with the list of its sockets (a
 * send from another thread would cost a queued job and a selector wake-up per socket). A socket
 * whose reader falls {@value #MAX_UNSENT} frames behind is closed rather than buffered without
 * bound: its net-agent reconnects and re-reads what it tracks (the bootstrap), which is what it
 * needs anyway, and the publisher's memory — shared with the sandbox CNAPI that answers
 * heartbeats — stays bounded (docs/sandbox.md).
 */
final class NapiChangefeed implements WebSocketConnectionCallback {
  /** Resource → (sub-resources, bootstrap route), as the real NAPI publishes them. */
  static final Map<String, List<String>> RESOURCES = Map.of(
      "aggregation", List.of("create", "delete", "lacp_mode"),
      "network", List.of("create", "delete", "gateway", "resolvers", "routes"),
      "nic_tag", List.of("create", "delete"),
      "nic", List.of("create", "delete", "allow_dhcp_spoofing", "allow_ip_spoofing", "allow_mac_spoofing",
          "allow_restricted_traffic", "allow_unfiltered_promisc", "primary", "state"));
  private static final List<String> ORDER = List.of("aggregation", "network", "nic_tag", "nic");
  /** NIC fields whose change is published (as an update item) when an update request names them. */
  static final Set<String> NIC_UPDATE_FIELDS = RESOURCES.get("nic").stream()
      .filter(s -> !s.equals("create") && !s.equals("delete")).collect(Collectors.toUnmodifiableSet());

  /** Frames queued to one socket and not yet written; past it the socket is closed. */
  static final int MAX_UNSENT = 2_000;
  private static final Logger LOG = LoggerFactory.getLogger(NapiChangefeed.class);

  /** One socket and what it asked for (empty until its registration frame arrives). */
  private static final class Listener implements WebSocketCallback<Void> {
    final WebSocketChannel channel;
    final boolean v2;
    final List<Map<String, Object>> wanted = new CopyOnWriteArrayList<>();
    /** Frames handed to the channel and not yet written. */
    final AtomicInteger unsent = new AtomicInteger();

    Listener(WebSocketChannel channel, boolean v2) {
      this.channel = channel;
      this.v2 = v2;
    }

    @Override
    public void complete(WebSocketChannel ch, Void context) {
      unsent.decrementAndGet();
    }

    @Override
    public void onError(WebSocketChannel ch, Void context, Throwable error) {
      unsent.decrementAndGet();
    }
  }

  private final Clock clock;
  private final int maxUnsent;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong dropped = new AtomicLong();

  NapiChangefeed(Clock clock) {
    this(clock, MAX_UNSENT);
  }

  NapiChangefeed(Clock clock, int maxUnsent) {
    this.clock = clock;
    this.maxUnsent = maxUnsent;
  }

  /** {@code next} for ordinary requests; WebSocket upgrades of {@code /changefeeds} go to this. */
  HttpHandler wrap(HttpHandler next) {
    WebSocketProtocolHandshakeHandler ws = new WebSocketProtocolHandshakeHandler(this, next);
    return exchange -> {
      boolean upgrade = "websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst(Headers.UPGRADE));
      if (upgrade && "/changefeeds".equals(exchange.getRequestPath())) {
        ws.handleRequest(exchange);
      } else {
        next.handleRequest(exchange);
      }
    };
  }

  /** {@code GET /changefeeds}: one descriptor per published resource. */
  static List<Object> descriptors() {
    List<Object> out = new ArrayList<>();
    for (String r : ORDER) {
      out.add(descriptor(r, RESOURCES.get(r)));
    }
    return out;
  }

  /** {@code GET /changefeeds/stats}. */
  Map<String, Object> stats() {
    int registered = 0;
    for (Listener l : listeners) {
      registered += l.wanted.isEmpty() ? 0 : 1;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("listeners", listeners.size());
    m.put("registrations", registered);
    return m;
  }

  /**
   * Pushes one item to every registration that asked for its resource and one of its
   * sub-resources. {@code extra} holds the resource's identifying keys (§2.4 step 5).
   */
  void publish(String resource, Set<String> subResources, String id, Map<String, Object> extra) {
    if (subResources.isEmpty() || listeners.isEmpty()) {
      return;
    }
    Map<String, Object> kind = new LinkedHashMap<>();
    kind.put("resource", resource);
    kind.put("subResources", List.copyOf(subResources));
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("changeKind", kind);
    item.put("changedResourceId", id);
    item.putAll(extra);
    item.put("published", Long.toString(clock.millis()));
    ByteBuffer frame = ByteBuffer.wrap(Json.compactBytes(item)).asReadOnlyBuffer();
    Map<XnioIoThread, List<Listener>> byThread = new HashMap<>();
    for (Listener l : listeners) {
      if (wants(l, resource, subResources)) {
        byThread.computeIfAbsent(l.channel.getIoThread(), t -> new ArrayList<>()).add(l);
      }
    }
    byThread.forEach((thread, ls) -> thread.execute(() -> {
      for (Listener l : ls) {
        send(l, frame.duplicate());
      }
    }));
  }

  /** On {@code l}'s I/O thread. */
  private void send(Listener l, ByteBuffer frame) {
    if (!l.channel.isOpen()) {
      return;
    }
    if (l.unsent.get() >= maxUnsent) {
      dropped.incrementAndGet();
      LOG.info("changefeed listener {} is {} frames behind: closing it (it will reconnect and bootstrap)",
          l.channel.getPeerAddress(), l.unsent.get());
      IoUtils.safeClose(l.channel);
      return;
    }
    l.unsent.incrementAndGet();
    WebSockets.sendText(frame, l.channel, l);
  }

  /** Sockets closed so far for falling {@link #MAX_UNSENT} frames behind. */
  long droppedListeners() {
    return dropped.get();
  }

  @SuppressWarnings("unchecked")
  private static boolean wants(Listener l, String resource, Set<String> subResources) {
    for (Map<String, Object> w : l.wanted) {
      if (resource.equals(w.get("resource"))) {
        for (Object s : (List<Object>) w.get("subResources")) {
          if (subResources.contains(s)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @Override
  public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
    Listener listener = new Listener(channel, isV2(exchange.getRequestHeader("Accept-Version")));
    listeners.add(listener);
    channel.addCloseTask(ch -> listeners.remove(listener));
    channel.getReceiveSetter().set(new AbstractReceiveListener() {
      @Override
      protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
        if (listener.wanted.isEmpty()) {
          register(listener, message.getData());
        }
        // everything after the registration (the client's "heartbeat" frames) is ignored
      }
    });
    channel.resumeReceives();
  }

  private void register(Listener listener, String text) {
    List<Map<String, Object>> wanted;
    try {
      wanted = parseRegistration(listener.v2, Json.parseObject(text));
    } catch (RuntimeException e) {
      WebSockets.sendClose(1008, "invalid registration: " + e.getMessage(), listener.channel, null);
      return;
    }
    listener.wanted.addAll(wanted);
    Object reply;
    if (listener.v2) {
      List<Object> routes = new ArrayList<>();
      for (Map<String, Object> w : wanted) {
        routes.add(descriptor((String) w.get("resource"), w.get("subResources")));
      }
      reply = Map.of("bootstrapRoutes", routes);
    } else {
      Map<String, Object> w = wanted.get(0);
      reply = descriptor((String) w.get("resource"), w.get("subResources"));
    }
    WebSockets.sendText(Json.compact(reply), listener.channel, null);
  }

  /** The resources a registration asks for, each checked against what is published. */
  private static List<Map<String, Object>> parseRegistration(boolean v2, Map<String, Object> reg) {
    List<?> asked;
    if (v2) {
      if (!(reg.get("resources") instanceof List<?> l) || l.isEmpty()) {
        throw new IllegalArgumentException("\"resources\" must be a non-empty array");
      }
      asked = l;
    } else {
      if (!(reg.get("changeKind") instanceof Map<?, ?> k)) {
        throw new IllegalArgumentException("\"changeKind\" must be an object");
      }
      asked = List.of(k);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : asked) {
      if (!(o instanceof Map<?, ?> m) || !(m.get("resource") instanceof String r) || !RESOURCES.containsKey(r)) {
        throw new IllegalArgumentException("unknown resource " + (o instanceof Map<?, ?> bad ? bad.get("resource") : o));
      }
      if (!(m.get("subResources") instanceof List<?> subs) || !subs.stream().allMatch(String.class::isInstance)) {
        throw new IllegalArgumentException("\"subResources\" of " + r + " must be an array of strings");
      }
      out.add(Map.of("resource", r, "subResources", List.copyOf(subs)));
    }
    return out;
  }

  private static Map<String, Object> descriptor(String resource, Object subResources) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("resource", resource);
    d.put("subResources", subResources);
    d.put("bootstrapRoute", "/" + resource + "s");
    return d;
  }

  /** v2 unless {@code Accept-Version} is missing, {@code *}, or below 2 (§3.9). */
  static boolean isV2(String acceptVersion) {
    if (acceptVersion == null || acceptVersion.isBlank() || acceptVersion.trim().equals("*")) {
      return false;
    }
    String v = acceptVersion.trim().replaceFirst("^[~^>=v ]+", "");
    int dot = v.indexOf('.');
    try {
      return Integer.parseInt(dot < 0 ? v : v.substring(0, dot)) >= 2;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
