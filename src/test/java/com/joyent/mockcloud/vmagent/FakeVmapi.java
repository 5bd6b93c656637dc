package com.joyent.mockcloud.vmagent;

import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** An in-memory VMAPI for vm-agent tests: stores what is PUT, records requests, can be made to fail. */
final class FakeVmapi implements Closeable {
  record Received(String method, String uri, Object body, String userAgent, long atMillis) {}

  private final HttpListeners listeners = new HttpListeners("fake-vmapi", 1);
  private final HttpListeners.Listener listener;
  final Map<String, Map<String, Object>> vms = new ConcurrentHashMap<>();
  private final List<Received> received = new ArrayList<>();
  volatile boolean down;
  volatile int getFailuresLeft;
  final Set<String> rejected = ConcurrentHashMap.newKeySet();

  FakeVmapi() {
    RestRouter r = new RestRouter("vmapi/9.0.0")
        .get("/vms", this::list)
        .put("/vms", this::putMany)
        .put("/vms/{uuid}", this::putOne);
    listener = listeners.open("127.0.0.1", 0, r);
  }

  String url() {
    return listener.baseUrl();
  }

  private void record(RestRequest req) {
    String q = req.exchange().getQueryString();
    synchronized (received) {
      received.add(new Received(req.method(), req.path() + (q == null || q.isEmpty() ? "" : "?" + q), req.body(),
          req.header("user-agent"), System.currentTimeMillis()));
    }
    if (down) {
      throw new RestError(503, "ServiceUnavailableError", "workflow API is down");
    }
  }

  private RestResponse list(RestRequest req) {
    record(req);
    if (getFailuresLeft > 0) {
      getFailuresLeft--;
      throw new RestError(503, "ServiceUnavailableError", "try later");
    }
    List<Object> out = new ArrayList<>();
    List<String> uuids = new ArrayList<>(vms.keySet());
    java.util.Collections.sort(uuids);
    for (String u : uuids) {
      Map<String, Object> vm = vms.get(u);
      Object state = vm.get("state");
      if (req.query().get("server_uuid").equals(vm.get("server_uuid")) && !"destroyed".equals(state)
          && !"failed".equals(state)) {
        out.add(vm);
      }
    }
    // VMAPI pages: limit defaults to (and is capped at) 1000.
    int offset = Integer.parseInt(req.query().getOrDefault("offset", "0"));
    int limit = Math.min(1000, Integer.parseInt(req.query().getOrDefault("limit", "1000")));
    return RestResponse.ok(out.subList(Math.min(offset, out.size()), Math.min(offset + limit, out.size())));
  }

  @SuppressWarnings("unchecked")
  private RestResponse putMany(RestRequest req) {
    record(req);
    Map<String, Object> body = (Map<String, Object>) req.bodyObject().get("vms");
    body.forEach((k, v) -> vms.put(k, new LinkedHashMap<>((Map<String, Object>) v)));
    return RestResponse.of(200, null);
  }

  private RestResponse putOne(RestRequest req) {
    record(req);
    String uuid = req.pathParam("uuid");
    if (rejected.contains(uuid)) {
      throw new RestError(409, "ValidationFailed", "Invalid Parameters");
    }
    Map<String, Object> vm = new LinkedHashMap<>(req.bodyObject());
    if ("destroyed".equals(vm.get("state"))) {
      vm.put("destroyed", java.time.Instant.now().toString());
    }
    vms.put(uuid, vm);
    return RestResponse.ok(vm);
  }

  List<Received> received(Predicate<Received> p) {
    synchronized (received) {
      return received.stream().filter(p).toList();
    }
  }

  List<Received> puts(String uuid) {
    return received(r -> r.method().equals("PUT") && r.uri().equals("/vms/" + uuid));
  }

  @Override
  public void close() {
    listener.close();
    listeners.close();
  }
}
