package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.json.Json;
import io.undertow.server.HttpHandler;
import io.undertow.util.Headers;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

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
      .filter(s -> !s.equals("create") && !s.equals("delete")).collect(java.util.stream.Collectors.toUnmodifiableSet());

  /** One socket and what it asked for (empty until its registration frame arrives). */
  private record Listener(WebSocketChannel channel, boolean v2, List<Map<String, Object>> wanted) {}

  private final Clock clock;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  NapiChangefeed(Clock clock) {
    this.clock = clock;
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
      registered += l.wanted().isEmpty() ? 0 : 1;
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
    String text = Json.compact(item);
    for (Listener l : listeners) {
      if (wants(l, resource, subResources)) {
        WebSockets.sendText(text, l.channel(), null);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static boolean wants(Listener l, String resource, Set<String> subResources) {
    for (Map<String, Object> w : l.wanted()) {
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
    Listener listener = new Listener(channel, isV2(exchange.getRequestHeader("Accept-Version")),
        new CopyOnWriteArrayList<>());
    listeners.add(listener);
    channel.addCloseTask(ch -> listeners.remove(listener));
    channel.getReceiveSetter().set(new AbstractReceiveListener() {
      @Override
      protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
        if (listener.wanted().isEmpty()) {
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
      wanted = parseRegistration(listener.v2(), Json.parseObject(text));
    } catch (RuntimeException e) {
      WebSockets.sendClose(1008, "invalid registration: " + e.getMessage(), listener.channel(), null);
      return;
    }
    listener.wanted().addAll(wanted);
    Object reply;
    if (listener.v2()) {
      List<Object> routes = new ArrayList<>();
      for (Map<String, Object> w : wanted) {
        routes.add(descriptor((String) w.get("resource"), w.get("subResources")));
      }
      reply = Map.of("bootstrapRoutes", routes);
    } else {
      Map<String, Object> w = wanted.get(0);
      reply = descriptor((String) w.get("resource"), w.get("subResources"));
    }
    WebSockets.sendText(Json.compact(reply), listener.channel(), null);
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
