package com.joyent.mockcloud.cmon;

import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.util.Uuids;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmException;
import com.joyent.mockcloud.vm.VmStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.xnio.IoUtils;

/**
 * The mock cmon-agent (spec net-agent-cmon-mockcloud.md §4.3): one listener for every mock
 * CN, on the bind IP (the {@code CN Agent IP} all CNs advertise), port 9163.
 *
 * <ul>
 *   <li>{@code GET /v1/<vm uuid>/metrics}: the VM's metrics ({@link VmMetrics}) whatever its CN;
 *       404 {@code container not found} for a VM no CN has.
 *   <li>{@code GET /v1/gz/metrics}: the global-zone metrics of the CN named by
 *       {@code x-server-uuid} or {@code ?server_uuid=} ({@link GzMetrics}); without a name the
 *       mock cannot tell CNs apart (they share one address), so it answers the time block.
 *   <li>{@code POST /v1/refresh}: 200, no body.
 * </ul>
 *
 * <p>Handlers run on I/O threads: VM lookups are in memory. A VM→CN index is kept so a scrape
 * does not scan thousands of CNs; it is checked on every use and rebuilt on a miss.
 */
public final class CmonServer implements Closeable {
  public static final int DEFAULT_PORT = 9163;
  /**
   * The largest request body accepted: 64 KiB. CMON sends none (GETs, and {@code POST
   * /v1/refresh} without one) and the real agent never parses one; a larger body gets 413
   * {@code PayloadTooLargeError} and the connection is closed without reading it (docs/cmon.md).
   */
  public static final long MAX_BODY_BYTES = 64 * 1024;

  private final VmStore store;
  private final Clock clock;
  private final ConcurrentHashMap<String, String> vmToServer = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, VmUsage> usage = new ConcurrentHashMap<>();
  private HttpListeners.Listener listener;
  private final Predicate<UUID> paused;

  public CmonServer(VmStore store, Clock clock) {
    this(store, clock, server -> false);
  }

  /**
   * @param paused whether a CN's cmon-agent is paused by its behaviour: a request for it, or for
   *     one of its VMs, is dropped unanswered (its connection closed), as a stopped agent leaves CMON
   */
  public CmonServer(VmStore store, Clock clock, Predicate<UUID> paused) {
    this.store = store;
    this.clock = clock;
    this.paused = paused;
  }

  public CmonServer start(HttpListeners listeners, String bindIp, int port) {
    RestRouter r = new RestRouter("cmon-agent").maxBodyBytes(MAX_BODY_BYTES)
        .route("GET", "/v1/{container}/metrics", req -> isForPausedAgent(req) ? dropped(req)
            : CompletableFuture.completedFuture(metrics(req)))
        .post("/v1/refresh", req -> RestResponse.of(200, null));
    listener = listeners.open(bindIp, port, r);
    return this;
  }

  public int port() {
    return listener.port();
  }

  private RestResponse metrics(RestRequest req) {
    long started = System.nanoTime();
    checkCmonOpts(req.header("x-joyent-cmon-opts"));
    String container = req.pathParam("container");
    if (container.equals("gz")) {
      return gz(req, started);
    }
    if (!Uuids.isUuid(container)) {
      return notFound();
    }
    Optional<ServerVms> server = serverOf(container);
    if (server.isEmpty()) {
      return notFound();
    }
    Map<String, Object> vm;
    try {
      vm = server.get().load(container, null, true);
    } catch (VmException e) {
      return notFound();
    }
    long now = clock.millis();
    VmUsage u = usage.computeIfAbsent(container, k -> new VmUsage(vm, now));
    double running = u.advance(vm, now);
    return text(VmMetrics.render(vm, running, now, (System.nanoTime() - started) / 1e9));
  }

  private RestResponse gz(RestRequest req, long started) {
    String named = req.header("x-server-uuid") != null ? req.header("x-server-uuid") : req.query().get("server_uuid");
    long now = clock.millis();
    if (named == null) {
      PromText t = new PromText();
      VmMetrics.timeBlock(t, now, (System.nanoTime() - started) / 1e9);
      return text(t.toString());
    }
    Optional<ServerVms> server = Uuids.isUuid(named) ? store.server(named) : Optional.empty();
    if (server.isEmpty()) {
      return notFound();
    }
    ServerDirectory dir = new ServerDirectory(UUID.fromString(named), server.get().vmsDir().getParent());
    Map<String, Object> sysinfo;
    try {
      sysinfo = dir.readSysinfo();
    } catch (IOException e) {
      throw RestError.internalError("cannot read sysinfo of " + named + ": " + e.getMessage());
    }
    long vmMem = 0;
    for (Map<String, Object> vm : server.get().vms().values()) {
      if ("running".equals(vm.get("state"))) {
        vmMem += (long) (VmMetrics.number(vm.get("max_physical_memory"), 0) * 1048576);
      }
    }
    return text(GzMetrics.render(sysinfo, vmMem, now, (System.nanoTime() - started) / 1e9));
  }

  /** Whether the request is for a CN (gz) or a VM of a CN whose cmon-agent is paused. */
  private boolean isForPausedAgent(RestRequest req) {
    String container = req.pathParam("container");
    String server = container.equals("gz")
        ? (req.header("x-server-uuid") != null ? req.header("x-server-uuid") : req.query().get("server_uuid"))
        : Uuids.isUuid(container) ? serverOf(container).map(ServerVms::serverUuid).orElse(null) : null;
    return server != null && Uuids.isUuid(server) && paused.test(UUID.fromString(server));
  }

  /** No answer: the connection is closed, and the answer never comes. */
  private static CompletionStage<RestResponse> dropped(RestRequest req) {
    IoUtils.safeClose(req.exchange().getConnection());
    return new CompletableFuture<>();
  }

  /** The CN holding a VM, through the index; rebuilt by a scan when it misses. */
  private Optional<ServerVms> serverOf(String vm) {
    String known = vmToServer.get(vm);
    if (known != null) {
      Optional<ServerVms> s = store.server(known);
      if (s.isPresent() && s.get().exists(vm, true)) {
        return s;
      }
      vmToServer.remove(vm);
      usage.remove(vm);
    }
    Optional<ServerVms> found = store.serverOfVm(vm);
    found.ifPresent(s -> vmToServer.put(vm, s.serverUuid()));
    return found;
  }

  /** The real agent answers 400 to a header that is not base64 JSON with a boolean isCoreZone. */
  private static void checkCmonOpts(String header) {
    if (header == null) {
      return;
    }
    try {
      Map<String, Object> opts = Json.parseObject(Base64.getDecoder().decode(header.getBytes(StandardCharsets.US_ASCII)));
      if (opts.get("isCoreZone") instanceof Boolean) {
        return;
      }
    } catch (RuntimeException e) {
      // not base64 or not JSON: falls through to the 400
    }
    throw new RestError(400, "BadRequestError", "invalid x-joyent-cmon-opts header");
  }

  private static RestResponse notFound() {
    return RestResponse.text(404, "text/plain", "container not found");
  }

  private static RestResponse text(String body) {
    return RestResponse.text(200, "text/plain", body);
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close();
    }
  }
}
