package com.joyent.mockcloud.firewaller;

import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import com.joyent.mockcloud.util.Failures;
import com.joyent.mockcloud.util.Uuids;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmException;
import com.joyent.mockcloud.vm.VmStore;
import java.io.Closeable;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.xnio.IoUtils;

/**
 * The firewaller agent's HTTP API (restify on {@code <admin IP>:2021} on a real CN), one
 * listener for every mock CN of the process, as cmon-agent's is: {@code GET /status},
 * {@code GET /rules/:uuid}, {@code PUT /rules/:uuid}, {@code GET /rvms/:uuid} and
 * {@code GET /vms/:uuid/status}. All CNs share the address, so a request names its CN with an
 * {@code x-server-uuid} header or a {@code server_uuid} query parameter; {@code /vms/:uuid/status}
 * finds it from the VM. A CN whose firewaller is not running (paused, uninstalled) gets its
 * connection closed unanswered, as nothing listens on a real CN then. See docs/firewaller.md.
 *
 * <p>Handlers run on I/O threads: the rule and remote-VM files are small, and a PUT's answer
 * waits on the CN's task queue without blocking.
 */
public final class FirewallerServer implements Closeable {
  public static final int DEFAULT_PORT = 2021;
  static final long MAX_BODY_BYTES = 1024 * 1024;

  private final Function<UUID, Firewaller> firewallers;
  private final VmStore store;
  private HttpListeners.Listener listener;

  /**
   * @param firewallers a CN's running firewaller, or null when it has none running
   * @param store the VMs, to find a VM's CN and state
   */
  public FirewallerServer(Function<UUID, Firewaller> firewallers, VmStore store) {
    this.firewallers = firewallers;
    this.store = store;
  }

  public FirewallerServer start(HttpListeners listeners, String bindIp, int port) {
    RestRouter r = new RestRouter("firewaller").maxBodyBytes(MAX_BODY_BYTES)
        .route("GET", "/status", req -> withFirewaller(req, fw -> RestResponse.ok(fw.status())))
        .route("GET", "/rules/{uuid}", req -> withFirewaller(req, fw -> stored(fw.state()::rule,
            req.pathParam("uuid"), "rule not found")))
        .route("GET", "/rvms/{uuid}", req -> withFirewaller(req, fw -> stored(fw.state()::remoteVm,
            req.pathParam("uuid"), "remote VM not found")))
        .route("PUT", "/rules/{uuid}", this::putRule)
        .route("GET", "/vms/{uuid}/status", this::vmStatus);
    listener = listeners.open(bindIp, port, r);
    return this;
  }

  public int port() {
    return listener.port();
  }

  public boolean isListening() {
    return listener != null;
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close();
    }
  }

  private interface Handler {
    RestResponse handle(Firewaller fw) throws IOException;
  }

  private CompletionStage<RestResponse> withFirewaller(RestRequest req, Handler h) {
    Firewaller fw = firewallerOf(named(req));
    if (fw == null) {
      return dropped(req);
    }
    try {
      return CompletableFuture.completedFuture(h.handle(fw));
    } catch (IOException e) {
      throw RestError.internalError(e.getMessage());
    }
  }

  /** The CN the request names: 409 without one, 404 for one not served here. */
  private UUID named(RestRequest req) {
    String s = req.header("x-server-uuid") != null ? req.header("x-server-uuid") : req.query().get("server_uuid");
    if (s == null) {
      throw RestError.missingParameter("x-server-uuid header or server_uuid parameter required: every mock CN "
          + "of this process shares this listener");
    }
    if (!Uuids.isUuid(s) || store.server(s).isEmpty()) {
      throw RestError.resourceNotFound("server " + s + " not found");
    }
    return UUID.fromString(s);
  }

  private Firewaller firewallerOf(UUID server) {
    Firewaller fw = firewallers.apply(server);
    return fw == null || fw.isStopped() ? null : fw;
  }

  private interface Reader {
    Map<String, Object> read(String uuid) throws IOException;
  }

  /** A rule or remote VM as fwadm stores it; a name that is not a uuid is a file no CN has. */
  private static RestResponse stored(Reader reader, String uuid, String notFound) throws IOException {
    Map<String, Object> found = Uuids.isUuid(uuid) ? reader.read(uuid) : null;
    if (found == null) {
      throw RestError.resourceNotFound(notFound);
    }
    return RestResponse.ok(found);
  }

  /** PUT: the body's parameters and the path's uuid become the rule, queued as a forced fw.add_rule. */
  private CompletionStage<RestResponse> putRule(RestRequest req) {
    Firewaller fw = firewallerOf(named(req));
    if (fw == null) {
      return dropped(req);
    }
    Map<String, Object> value = new LinkedHashMap<>(req.params());
    value.remove("server_uuid");
    value.put("uuid", req.pathParam("uuid"));
    return fw.putRule(req.requestId(), value).handle((rule, err) -> {
      if (err != null) {
        throw RestError.internalError(Failures.rootMessage(err));
      }
      return RestResponse.ok(rule);
    });
  }

  /**
   * fwadm status: {@code {running: false}} for a VM that is not running; otherwise what ipf
   * {@code -GV} prints, as fwadm parses it, with {@code running} true when its firewall is on.
   */
  private CompletionStage<RestResponse> vmStatus(RestRequest req) {
    String uuid = req.pathParam("uuid");
    Optional<ServerVms> server = Uuids.isUuid(uuid) ? store.serverOfVm(uuid) : Optional.empty();
    if (server.isEmpty()) {
      throw RestError.resourceNotFound("VM " + uuid + " not found");
    }
    if (firewallerOf(UUID.fromString(server.get().serverUuid())) == null) {
      return dropped(req);
    }
    Map<String, Object> vm;
    try {
      vm = server.get().load(uuid, List.of("state", "firewall_enabled"), true);
    } catch (VmException e) {
      vm = null; // deleted since it was found
    }
    if (vm == null || !"running".equals(vm.get("state"))) {
      return CompletableFuture.completedFuture(RestResponse.ok(Map.of("running", false)));
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("ipf", "v4.1.9 (592)");
    s.put("kernel", "v4.1.9");
    s.put("running", Boolean.TRUE.equals(vm.get("firewall_enabled")));
    s.put("log flags", "0 = none set");
    s.put("default", "pass all, Logging: available");
    s.put("active list", 0);
    s.put("feature mask", "0x107");
    return CompletableFuture.completedFuture(RestResponse.ok(s));
  }

  /** No answer: the connection is closed, as when no firewaller listens on the CN. */
  private static CompletionStage<RestResponse> dropped(RestRequest req) {
    IoUtils.safeClose(req.exchange().getConnection());
    return new CompletableFuture<>();
  }
}
