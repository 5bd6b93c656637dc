package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
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
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An in-memory NAPI for net-agent tests (spec triton-apis.md §4, net-agent-cmon-mockcloud.md
 * §3): NICs with Etags and If-Match, networks whose fields NICs render, aggregations, booter's
 * {@code POST /networks/admin/nics}, and a changefeed publisher (§3.9, v2 registrations) that
 * publishes NIC create/delete/flag/state items and network updates as the real one does.
 * Records every request and every changefeed frame; can be made to fail.
 */
final class FakeNapi implements Closeable {
  static final String ADMIN_NETWORK = "dddddddd-0000-4000-8000-00000000ad01";

  record Received(String method, String path, Map<String, Object> body, Map<String, String> headers, long atMillis) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** One connected changefeed socket: its upgrade headers and what it registered for. */
  record Feed(WebSocketChannel channel, Map<String, String> headers, List<Map<String, Object>> registrations) {}

  private final HttpListeners listeners = new HttpListeners("fake-napi", 1);
  private final HttpListeners.Listener listener;
  final Map<String, Map<String, Object>> nics = new ConcurrentHashMap<>();
  final Map<String, String> etags = new ConcurrentHashMap<>();
  final Map<String, Map<String, Object>> networks = new ConcurrentHashMap<>();
  final Map<String, Map<String, Object>> aggregations = new ConcurrentHashMap<>();
  private final List<Received> received = new ArrayList<>();
  final List<Feed> feeds = new CopyOnWriteArrayList<>();
  final AtomicInteger heartbeats = new AtomicInteger();
  private final AtomicLong etagSeq = new AtomicLong(0x1A04C7EA00L);
  private final AtomicInteger nextAdminIp = new AtomicInteger(10);
  volatile boolean down;
  volatile boolean changefeed = true;
  /** When false, registrations are taken but never answered with a bootstrap frame. */
  volatile boolean bootstrap = true;
  /** Answer this many DELETEs with 412 (as if someone changed the NIC just before). */
  final AtomicInteger deletePreconditionFailures = new AtomicInteger();

  FakeNapi() {
    networks.put(ADMIN_NETWORK, network(ADMIN_NETWORK, "admin", "10.199.0.0/16", "255.255.0.0", null,
        List.of("10.199.0.11"), "admin"));
    RestRouter r = new RestRouter("napi/1.4.1")
        .get("/changefeeds", this::changefeeds)
        .get("/nics/{mac}", this::getNic)
        .get("/nics", this::listNics)
        .post("/nics", this::createNic)
        .put("/nics/{mac}", this::updateNic)
        .delete("/nics/{mac}", this::deleteNic)
        .get("/networks/{uuid}", this::getNetwork)
        .post("/networks/{uuid}/nics", this::provisionNic)
        .get("/aggregations/{id}", this::getAggr)
        .post("/aggregations", this::createAggr)
        .delete("/aggregations/{id}", this::deleteAggr);
    WebSocketProtocolHandshakeHandler ws = new WebSocketProtocolHandshakeHandler(new Publisher(), r);
    HttpHandler root = exchange -> {
      boolean upgrade = "websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst(Headers.UPGRADE));
      if (upgrade) {
        Map<String, String> h = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach(v -> h.put(v.getHeaderName().toString().toLowerCase(Locale.ROOT),
            v.getFirst()));
        synchronized (received) {
          received.add(new Received("GET", exchange.getRequestPath() + "#upgrade", null, h,
              System.currentTimeMillis()));
        }
        if (!changefeed || down) {
          exchange.setStatusCode(down ? 503 : 404);
          exchange.endExchange();
          return;
        }
      }
      ws.handleRequest(exchange);
    };
    listener = listeners.open("127.0.0.1", 0, root);
  }

  String url() {
    return listener.baseUrl();
  }

  // ------------------------------------------------------------------ test helpers

  static Map<String, Object> network(String uuid, String name, String subnet, String netmask, String gateway,
      List<String> resolvers, String tag) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("uuid", uuid);
    n.put("name", name);
    n.put("family", "ipv4");
    n.put("subnet", subnet);
    n.put("netmask", netmask);
    n.put("nic_tag", tag);
    n.put("vlan_id", 0);
    n.put("mtu", 1500);
    n.put("resolvers", resolvers);
    if (gateway != null) {
      n.put("gateway", gateway);
    }
    return n;
  }

  /** Stores a NIC as is (no request recorded) and gives it an etag. */
  void putNic(Map<String, Object> nic) {
    String mac = (String) nic.get("mac");
    nics.put(mac, new LinkedHashMap<>(nic));
    etags.put(mac, nextEtag());
  }

  /** Changes a NIC's fields as an operator would through NAPI (new etag); publishes like NAPI. */
  void changeNic(String mac, Map<String, Object> fields) {
    changeNicSilently(mac, fields);
    List<String> subs = new ArrayList<>();
    for (String k : fields.keySet()) {
      if (k.startsWith("allow_") || k.equals("primary") || k.equals("state")) {
        subs.add(k);
      }
    }
    if (!subs.isEmpty()) {
      publishNic(mac, subs);
    }
  }

  /** As {@link #changeNic} with no changefeed item: a change the agents learn of only when they next read the NIC. */
  void changeNicSilently(String mac, Map<String, Object> fields) {
    Map<String, Object> nic = nics.get(mac);
    fields.forEach((k, v) -> {
      if (v == null) {
        nic.remove(k);
      } else {
        nic.put(k, v);
      }
    });
    etags.put(mac, nextEtag());
  }

  /** Deletes a NIC as an operator would, and publishes the delete item. */
  void removeNic(String mac) {
    Map<String, Object> gone = nics.remove(mac);
    etags.remove(mac);
    if (gone != null) {
      publishNic(gone, List.of("delete"));
    }
  }

  void changeNetwork(String uuid, Map<String, Object> fields) {
    networks.get(uuid).putAll(fields);
    List<String> subs = new ArrayList<>();
    for (String k : fields.keySet()) {
      if (List.of("gateway", "resolvers", "routes").contains(k)) {
        subs.add(k);
      }
    }
    Map<String, Object> item = item("network", subs, uuid);
    item.put("etag", nextEtag());
    publish(item);
  }

  void publishNic(String mac, List<String> subs) {
    publishNic(nics.get(mac), subs);
  }

  private void publishNic(Map<String, Object> nic, List<String> subs) {
    Map<String, Object> item = item("nic", subs, (String) nic.get("mac"));
    item.put("belongs_to_uuid", nic.get("belongs_to_uuid"));
    if (nic.get("cn_uuid") != null) {
      item.put("cn_uuid", nic.get("cn_uuid"));
    }
    if (!subs.contains("delete")) {
      item.put("etag", etags.get(nic.get("mac")));
    }
    publish(item);
  }

  static Map<String, Object> item(String resource, List<String> subs, String id) {
    Map<String, Object> item = new LinkedHashMap<>();
    Map<String, Object> kind = new LinkedHashMap<>();
    kind.put("resource", resource);
    kind.put("subResources", subs);
    item.put("changeKind", kind);
    item.put("changedResourceId", id);
    return item;
  }

  /** Sends an item to every registration that asked for one of its subResources. */
  @SuppressWarnings("unchecked")
  void publish(Map<String, Object> item) {
    Map<String, Object> kind = (Map<String, Object>) item.get("changeKind");
    Map<String, Object> out = new LinkedHashMap<>(item);
    out.put("published", Long.toString(System.currentTimeMillis()));
    String text = Json.compact(out);
    for (Feed f : feeds) {
      for (Map<String, Object> reg : f.registrations()) {
        for (Map<String, Object> res : (List<Map<String, Object>>) reg.getOrDefault("resources", List.of())) {
          if (res.get("resource").equals(kind.get("resource"))
              && ((List<Object>) res.get("subResources")).stream()
              .anyMatch(s -> ((List<Object>) kind.get("subResources")).contains(s))) {
            WebSockets.sendText(text, f.channel(), null);
          }
        }
      }
    }
  }

  /** Closes every changefeed socket (net-agent must reconnect and resync). */
  void dropChangefeeds() throws IOException {
    for (Feed f : feeds) {
      f.channel().sendClose();
      f.channel().close();
    }
    feeds.clear();
  }

  List<Received> received(Predicate<Received> p) {
    synchronized (received) {
      return received.stream().filter(p).toList();
    }
  }

  List<Received> writes() {
    return received(r -> !r.method().equals("GET"));
  }

  List<Received> requests(String method, String path) {
    return received(r -> r.method().equals(method) && r.path().equals(path));
  }

  void clearReceived() {
    synchronized (received) {
      received.clear();
    }
  }

  // ------------------------------------------------------------------ handlers

  private void record(RestRequest req) {
    Map<String, String> h = new LinkedHashMap<>();
    req.exchange().getRequestHeaders().forEach(v -> h.put(v.getHeaderName().toString().toLowerCase(Locale.ROOT),
        v.getFirst()));
    Object body = req.body();
    @SuppressWarnings("unchecked")
    Map<String, Object> b = body instanceof Map<?, ?> ? (Map<String, Object>) body : null;
    synchronized (received) {
      received.add(new Received(req.method(), req.path(), b, h, System.currentTimeMillis()));
    }
    if (down) {
      throw new RestError(500, "InternalError", "Internal error");
    }
  }

  private RestResponse changefeeds(RestRequest req) {
    record(req);
    if (!changefeed) {
      throw RestError.resourceNotFound("/changefeeds does not exist");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (String[] r : new String[][] {{"aggregation", "/aggregations"}, {"network", "/networks"},
        {"nic_tag", "/nic_tags"}, {"nic", "/nics"}}) {
      out.put(r[0], Map.of("resource", r[0], "bootstrapRoute", r[1]));
    }
    return RestResponse.ok(out);
  }

  private static String colonMac(String pathMac) {
    String m = pathMac.toLowerCase(Locale.ROOT).replace("-", "").replace(":", "");
    if (m.length() != 12) {
      throw RestError.resourceNotFound("nic not found");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 12; i += 2) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(m, i, i + 2);
    }
    return sb.toString();
  }

  /** The NIC as NAPI serialises it: network fields merged in, primary always, flags only when true. */
  Map<String, Object> render(Map<String, Object> nic) {
    Map<String, Object> out = new LinkedHashMap<>();
    nic.forEach((k, v) -> {
      if (!(k.startsWith("allow_") && !Boolean.TRUE.equals(v))) {
        out.put(k, v);
      }
    });
    out.putIfAbsent("primary", false);
    Map<String, Object> net = nic.get("network_uuid") == null ? null : networks.get(nic.get("network_uuid"));
    if (net != null) {
      for (String k : List.of("gateway", "mtu", "netmask", "nic_tag", "resolvers", "vlan_id", "routes")) {
        if (net.get(k) != null && (!k.equals("nic_tag") || !out.containsKey("nic_tag"))) {
          out.put(k, net.get(k));
        }
      }
    }
    return out;
  }

  private RestResponse nicReply(String mac) {
    return RestResponse.ok(render(nics.get(mac))).withHeader("Etag", etags.get(mac));
  }

  private RestResponse getNic(RestRequest req) {
    record(req);
    String mac = colonMac(req.pathParam("mac"));
    if (!nics.containsKey(mac)) {
      throw RestError.resourceNotFound("nic not found");
    }
    return nicReply(mac);
  }

  private RestResponse listNics(RestRequest req) {
    record(req);
    List<Object> out = new ArrayList<>();
    for (Map<String, Object> nic : nics.values()) {
      boolean match = true;
      for (Map.Entry<String, String> q : req.query().entrySet()) {
        if (!q.getKey().equals("limit") && !q.getKey().equals("offset")
            && !List.of(q.getValue().split(",")).contains(String.valueOf(nic.get(q.getKey())))) {
          match = false;
        }
      }
      if (match) {
        out.add(render(nic));
      }
    }
    return RestResponse.ok(out);
  }

  private RestResponse createNic(RestRequest req) {
    record(req);
    Map<String, Object> body = new LinkedHashMap<>(req.bodyObject());
    body.remove("check_owner");
    for (String f : List.of("belongs_to_uuid", "belongs_to_type", "owner_uuid", "mac")) {
      if (body.get(f) == null) {
        throw RestError.invalidParameters(List.of(RestError.fieldError(f, "MissingParameter", "Missing parameter")));
      }
    }
    String mac = ((String) body.get("mac")).toLowerCase(Locale.ROOT);
    if (nics.containsKey(mac)) {
      throw RestError.invalidParameters(List.of(RestError.fieldError("mac", "Duplicate", "Already exists")));
    }
    body.putIfAbsent("state", "provisioning");
    if (body.get("nic_tags_provided") instanceof List<?> l && l.isEmpty()) {
      body.remove("nic_tags_provided");
    }
    if (body.get("network_uuid") == null && body.get("ip") != null) {
      for (Map<String, Object> n : networks.values()) { // NAPI finds the network from nic_tag + vlan_id
        if (n.get("nic_tag").equals(body.get("nic_tag"))) {
          body.put("network_uuid", n.get("uuid"));
        }
      }
    }
    nics.put(mac, body);
    etags.put(mac, nextEtag());
    publishNic(mac, List.of("create"));
    return nicReply(mac);
  }

  private RestResponse updateNic(RestRequest req) {
    record(req);
    String mac = colonMac(req.pathParam("mac"));
    Map<String, Object> nic = nics.get(mac);
    if (nic == null) {
      throw RestError.resourceNotFound("nic not found");
    }
    Map<String, Object> body = new LinkedHashMap<>(req.bodyObject());
    body.remove("check_owner");
    if (Boolean.TRUE.equals(body.get("primary"))) {
      for (Map<String, Object> other : nics.values()) {
        if (other != nic && nic.get("belongs_to_uuid") != null
            && nic.get("belongs_to_uuid").equals(other.get("belongs_to_uuid"))) {
          other.put("primary", false);
        }
      }
    }
    nic.putAll(body);
    etags.put(mac, nextEtag());
    List<String> subs = new ArrayList<>();
    for (String k : body.keySet()) {
      if (k.startsWith("allow_") || k.equals("primary") || k.equals("state")) {
        subs.add(k);
      }
    }
    if (!subs.isEmpty()) {
      publishNic(mac, subs);
    }
    return nicReply(mac);
  }

  private RestResponse deleteNic(RestRequest req) {
    record(req);
    String mac = colonMac(req.pathParam("mac"));
    if (!nics.containsKey(mac)) {
      throw RestError.resourceNotFound("nic not found");
    }
    String ifMatch = req.header("If-Match");
    if (deletePreconditionFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      etags.put(mac, nextEtag());
    }
    if (ifMatch != null && !ifMatch.equals(etags.get(mac))) {
      throw new RestError(412, "PreconditionFailed",
          "if-match '" + ifMatch + "' didn't match etag '" + etags.get(mac) + "'");
    }
    removeNic(mac);
    return RestResponse.noContent();
  }

  private RestResponse getNetwork(RestRequest req) {
    record(req);
    String uuid = req.pathParam("uuid");
    Map<String, Object> n = "admin".equals(uuid) ? networks.get(ADMIN_NETWORK) : networks.get(uuid);
    if (n == null) {
      throw RestError.resourceNotFound("network not found");
    }
    return RestResponse.ok(n).withHeader("Etag", Integer.toHexString(n.hashCode()));
  }

  /** Booter's allocation of a new CN's admin NIC (create-server). */
  private RestResponse provisionNic(RestRequest req) {
    record(req);
    if (!"admin".equals(req.pathParam("uuid"))) {
      throw RestError.resourceNotFound("network not found");
    }
    Map<String, Object> body = new LinkedHashMap<>(req.bodyObject());
    String mac = (String) body.get("mac");
    body.put("ip", "10.199.0." + nextAdminIp.getAndIncrement());
    body.put("network_uuid", ADMIN_NETWORK);
    body.put("state", "provisioning");
    nics.put(mac, body);
    etags.put(mac, nextEtag());
    return nicReply(mac);
  }

  private RestResponse getAggr(RestRequest req) {
    record(req);
    Map<String, Object> a = aggregations.get(req.pathParam("id"));
    if (a == null) {
      throw RestError.resourceNotFound("aggregation not found");
    }
    return RestResponse.ok(a).withHeader("Etag", "A" + Integer.toHexString(a.hashCode()));
  }

  private RestResponse createAggr(RestRequest req) {
    record(req);
    Map<String, Object> a = new LinkedHashMap<>(req.bodyObject());
    aggregations.put((String) a.get("id"), a);
    return RestResponse.ok(a).withHeader("Etag", "A" + Integer.toHexString(a.hashCode()));
  }

  private RestResponse deleteAggr(RestRequest req) {
    record(req);
    Map<String, Object> a = aggregations.get(req.pathParam("id"));
    if (a == null) {
      throw RestError.resourceNotFound("aggregation not found");
    }
    if (!("A" + Integer.toHexString(a.hashCode())).equals(req.header("If-Match"))) {
      throw new RestError(412, "PreconditionFailed", "etag mismatch");
    }
    aggregations.remove(req.pathParam("id"));
    return RestResponse.noContent();
  }

  private String nextEtag() {
    return Long.toHexString(etagSeq.incrementAndGet()).toUpperCase(Locale.ROOT);
  }

  static String newMac() {
    String u = UUID.randomUUID().toString().replace("-", "");
    return "90:b8:d0:" + u.substring(0, 2) + ":" + u.substring(2, 4) + ":" + u.substring(4, 6);
  }

  @Override
  public void close() {
    for (Feed f : feeds) {
      try {
        f.channel().close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    listener.close();
    listeners.close();
  }

  /** The changefeed side: v2 registration, bootstrap reply, heartbeats counted. */
  private final class Publisher implements WebSocketConnectionCallback {
    @Override
    public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.isEmpty() ? null : v.get(0)));
      Feed feed = new Feed(channel, headers, new CopyOnWriteArrayList<>());
      feeds.add(feed);
      channel.getReceiveSetter().set(new AbstractReceiveListener() {
        @Override
        @SuppressWarnings("unchecked")
        protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
          String text = message.getData();
          if (!feed.registrations().isEmpty()) {
            if ("heartbeat".equals(text)) {
              heartbeats.incrementAndGet();
            }
            return; // the real publisher ignores everything after the registration
          }
          Map<String, Object> reg = Json.parseObject(text);
          feed.registrations().add(reg);
          if (!bootstrap) {
            return;
          }
          List<Object> routes = new ArrayList<>();
          for (Map<String, Object> r : (List<Map<String, Object>>) reg.getOrDefault("resources", List.of())) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("bootstrapRoute", "/" + r.get("resource") + "s");
            b.put("resource", r.get("resource"));
            b.put("subResources", r.get("subResources"));
            routes.add(b);
          }
          WebSockets.sendText(Json.compact(Map.of("bootstrapRoutes", routes)), ch, null);
        }
      });
      channel.resumeReceives();
    }
  }
}
