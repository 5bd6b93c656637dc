package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CNAPI stand-in (triton-apis.md §2): sysinfo registration, ServerUpdate, heartbeat,
 * status, server listing, and task dispatch to each CN's cn-agent.
 *
 * <p>Threading: routes run on the sandbox's I/O threads and never block. A task endpoint
 * writes the record, starts {@code POST /tasks} through {@link CnAgentClient} and answers
 * {@code {id}} at once; the agent's reply completes the record on an HTTP-client thread.
 * Synchronous endpoints ({@code GET /servers/:s/vms/:u}, sysinfo-refresh, task-history,
 * pause/resume) return a stage completed by that reply.
 */
public final class SandboxCnapi {
  static final String SERVER_HEADER = "cnapi/1.26.4";
  private static final Logger LOG = LoggerFactory.getLogger(SandboxCnapi.class);
  private static final Set<String> LIST_PARAMS = Set.of("uuids", "setup", "headnode", "reserved", "reservoir",
      "hostname", "extras", "fields", "limit", "offset");
  private static final Set<String> UPDATE_PARAMS = Set.of("agents", "boot_params", "boot_platform", "comments",
      "datacenter", "default_console", "etag_retries", "next_reboot", "nics", "overprovision_ratios",
      "rack_identifier", "reservation_ratio", "reserved", "reservoir", "serial", "server_uuid", "setting_up",
      "setup", "traits", "transitional_status");
  private static final long VM_LOAD_TIMEOUT_S = 60;

  private final ServerStore servers;
  private final TaskStore tasks;
  private final CnAgentClient agents;
  private final NicTagStore nicTags;
  private volatile Function<String, Map<String, Object>> vmsOfServer = uuid -> null;
  private volatile Function<String, List<Map<String, Object>>> vmListOfServer = uuid -> List.of();
  private final HeartbeatStats heartbeatStats;
  private volatile RequestCounts requestCounts;

  private CnapiServerJobs serverJobs;
  private volatile String selfUrl = "";
  private final String bindHost;

  SandboxCnapi(SandboxOptions options, NicTagStore nicTags, CnAgentClient agents) {
    this.servers = new ServerStore(options.clock(), options.datacenter());
    this.heartbeatStats = new HeartbeatStats(options.clock());
    this.tasks = new TaskStore(options.clock());
    this.agents = agents;
    this.nicTags = nicTags;
    this.bindHost = options.bindHost();
  }

  public ServerStore servers() {
    return servers;
  }

  /** Shortcut for {@code servers().server(uuid)}: the stored record, or null. */
  public Map<String, Object> server(String uuid) {
    return servers.server(uuid);
  }

  public TaskStore tasks() {
    return tasks;
  }

  /** Where {@code GET /servers/:uuid} reads a server's {@code vms} (DAPI asks VMAPI, §2.8). */
  void vmsOfServer(Function<String, Map<String, Object>> source) {
    this.vmsOfServer = source;
  }

  /** Where VmList ({@code GET /servers/:uuid/vms}) reads: VMAPI's list of that server's VMs. */
  void vmListOfServer(Function<String, List<Map<String, Object>>> source) {
    this.vmListOfServer = source;
  }

  RestRouter router() {
    RestRouter r = new RestRouter(SERVER_HEADER);
    r.get("/ping", req -> RestResponse.ok(Map.of("ready", true)));
    // Not a CNAPI endpoint: what the benchmark reads from its receiver (docs/benchmark.md).
    r.get("/mockcloud/stats", this::stats);
    r.get("/servers", this::listServers);
    r.get("/servers/{server_uuid}", this::getServer);
    r.route("POST", "/servers/{server_uuid}", this::updateServerAndRatios);
    r.delete("/servers/{server_uuid}", this::deleteServer);
    r.post("/servers/{server_uuid}/sysinfo", this::registerSysinfo);
    r.post("/capacity", this::capacity);
    r.get("/platforms", this::platforms);
    r.post("/servers/{server_uuid}/events/heartbeat", this::heartbeat);
    r.post("/servers/{server_uuid}/events/status", this::status);

    r.route("POST", "/servers/{server_uuid}/nop", req -> {
      Map<String, Object> p = params(req);
      Integer sleep = Values.parseInt(p.get("sleep"));
      p.put("sleep", sleep == null ? 0 : sleep);
      return asyncTask(req, "nop", p);
    });
    r.route("POST", "/servers/{server_uuid}/ensure-image", req -> asyncTask(req, "image_ensure_present", params(req)));
    r.route("POST", "/servers/{server_uuid}/install-agent", req -> asyncTask(req, "agent_install", params(req)));
    // ServerUninstallAgents: every mock CN's cn-agent is past 2.8.0, the version CNAPI requires.
    r.route("POST", "/servers/{server_uuid}/uninstall-agents", req -> {
      Map<String, Object> p = params(req);
      if (!(p.get("agents") instanceof List<?>)) {
        throw cnapiInvalid(500, "agents", "value was not an array");
      }
      return asyncTask(req, "agents_uninstall", p);
    });
    r.route("POST", "/servers/{server_uuid}/vms", req -> asyncTask(req, "machine_create", params(req)));
    r.get("/servers/{server_uuid}/vms", this::listVms);
    r.route("POST", "/servers/{server_uuid}/vms/nics/update",
        req -> asyncTask(req, "machine_update_nics", params(req)));
    r.route("GET", "/servers/{server_uuid}/vms/{uuid}",
        req -> loadVm(req.pathParam("server_uuid"), req.pathParam("uuid"), req.requestId(), vmLoadParams(req)));
    r.route("DELETE", "/servers/{server_uuid}/vms/{uuid}", req -> asyncTask(req, "machine_destroy", params(req)));
    r.route("POST", "/servers/{server_uuid}/vms/{uuid}/kill", this::killVm);
    for (String[] action : new String[][] {{"start", "machine_boot"}, {"stop", "machine_shutdown"},
        {"reboot", "machine_reboot"}, {"update", "machine_update"},
        {"reprovision", "machine_reprovision"}, {"images", "machine_create_image"}}) {
      r.route("POST", "/servers/{server_uuid}/vms/{uuid}/" + action[0], req -> asyncTask(req, action[1], params(req)));
    }
    r.route("PUT", "/servers/{server_uuid}/vms/{uuid}/snapshots",
        req -> asyncTask(req, "machine_create_snapshot", params(req)));
    r.route("PUT", "/servers/{server_uuid}/vms/{uuid}/snapshots/{snapshot_name}/rollback",
        req -> asyncTask(req, "machine_rollback_snapshot", params(req)));
    r.route("DELETE", "/servers/{server_uuid}/vms/{uuid}/snapshots/{snapshot_name}",
        req -> asyncTask(req, "machine_delete_snapshot", params(req)));
    r.route("POST", "/servers/{server_uuid}/sysinfo-refresh", this::sysinfoRefresh);
    r.route("POST", "/servers/{server_uuid}/reboot", this::rebootServer);
    r.route("GET", "/servers/{server_uuid}/task-history", req -> agentCall(req, "GET", "/history", 200));
    r.route("POST", "/servers/{server_uuid}/cn-agent/pause", req -> agentCall(req, "POST", "/pause", 204));
    r.route("POST", "/servers/{server_uuid}/cn-agent/resume", req -> agentCall(req, "POST", "/resume", 204));

    r.get("/tasks/{taskid}", req -> RestResponse.ok(tasks.get(req.pathParam("taskid"))));
    r.route("GET", "/tasks/{taskid}/wait", req -> {
      Integer t = Values.parseInt(req.query().get("timeout"));
      long timeout = t == null || t <= 0 ? 3600 : t;
      return tasks.await(req.pathParam("taskid"), timeout).thenApply(RestResponse::ok);
    });

    r.route("PUT", "/servers/{server_uuid}/nics", req -> {
      String uuid = req.pathParam("server_uuid");
      runningServer(uuid, true);
      return jobAccepted(serverJobs.updateNics(uuid, req.params(), req.requestId()));
    });
    notImplemented(r, "POST", "/servers/{server_uuid}/execute", "command execution");
    r.route("PUT", "/servers/{server_uuid}/setup", this::setupServer);
    r.route("PUT", "/servers/{server_uuid}/factory-reset", this::factoryReset);
    notImplemented(r, "POST", "/servers/{server_uuid}/recovery-config", "recovery configuration");
    notImplemented(r, "POST", "/servers/{server_uuid}/vms/{uuid}/migrate", "VM migration");
    r.route("GET", "/servers/{server_uuid}/vms/{uuid}/proc", this::vmProc);
    r.route("GET", "/servers/{server_uuid}/vms/{uuid}/info", this::vmInfo);
    r.route("GET", "/servers/{server_uuid}/vms/{uuid}/vnc", this::vmVnc);
    r.route("GET", "/servers/{server_uuid}/images/{uuid}", this::imageGet);
    for (String[] docker : new String[][] {{"docker-exec", "docker_exec", "60"}, {"docker-copy", "docker_copy", "10"},
        {"docker-stats", "docker_stats", "30"}, {"docker-build", "docker_build", "30"}}) {
      r.route("POST", "/servers/{server_uuid}/vms/{uuid}/" + docker[0],
          req -> dockerTask(req, docker[1], Long.parseLong(docker[2])));
    }
    notImplemented(r, "POST", "/allocate", "DAPI allocation");
    r.get("/boot/{server_uuid}", this::bootParams);
    return r;
  }

  static RestError notImplementedError(String what) {
    return new RestError(501, "NotImplementedError", what + " is not implemented by the mockcloud sandbox");
  }

  private static void notImplemented(RestRouter r, String method, String template, String what) {
    r.route(method, template, req -> CompletableFuture.failedFuture(notImplementedError(what)));
  }

  /** Where {@code /mockcloud/stats} reads each stand-in's request count from. */
  void requestCounts(RequestCounts counts) {
    this.requestCounts = counts;
  }

  /**
   * Registered servers, the heartbeat gaps seen and the requests each stand-in received;
   * {@code ?reset=true} starts a new window for both.
   */
  private RestResponse stats(RestRequest req) {
    RequestCounts counts = requestCounts;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("registered", servers.size());
    m.put("heartbeats", heartbeatStats.summary());
    if (counts != null) {
      m.put("requests", counts.snapshot());
    }
    if ("true".equals(req.query().get("reset"))) {
      heartbeatStats.reset();
      if (counts != null) {
        counts.reset();
      }
    }
    return RestResponse.ok(m);
  }

  // ---- servers ----

  private RestResponse registerSysinfo(RestRequest req) {
    strict(req, Set.of("server_uuid", "sysinfo"));
    String uuid = checkUuid(req.pathParam("server_uuid"));
    Object sysinfo = req.params().get("sysinfo");
    if (!(sysinfo instanceof Map<?, ?>)) {
      throw cnapiInvalid(500, "sysinfo", sysinfo == null ? "sysinfo is required" : "sysinfo must be an object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> s = (Map<String, Object>) sysinfo;
    register(uuid, s);
    return RestResponse.of(200, null);
  }

  private void register(String uuid, Map<String, Object> sysinfo) {
    if (sysinfo.containsKey("UUID") && !uuid.equals(sysinfo.get("UUID"))) {
      // Real CNAPI asserts (crashes) here; the sandbox refuses cleanly instead.
      throw RestError.internalError("sysinfo UUID " + sysinfo.get("UUID") + " does not match server " + uuid);
    }
    if (sysinfo.get("Network Interfaces") instanceof Map<?, ?> ifaces) {
      for (Object nic : ifaces.values()) {
        if (nic instanceof Map<?, ?> n && n.get("NIC Names") instanceof List<?> names) {
          names.forEach(t -> nicTags.ensure(String.valueOf(t)));
        }
      }
    }
    servers.registerSysinfo(uuid, sysinfo);
  }

  private RestResponse updateServer(RestRequest req) {
    strict(req, UPDATE_PARAMS);
    String uuid = checkUuid(req.pathParam("server_uuid"));
    servers.update(uuid, req.params());
    return RestResponse.noContent();
  }

  private RestResponse deleteServer(RestRequest req) {
    String uuid = checkUuid(req.pathParam("server_uuid"));
    if (!servers.delete(uuid)) {
      throw RestError.resourceNotFound("Server " + uuid + " not found");
    }
    return RestResponse.of(200, null);
  }

  private RestResponse heartbeat(RestRequest req) {
    strict(req, Set.of("server_uuid"));
    servers.heartbeat(req.pathParam("server_uuid"));
    heartbeatStats.heartbeat(req.pathParam("server_uuid"));
    return RestResponse.noContent();
  }

  private RestResponse status(RestRequest req) {
    String uuid = req.pathParam("server_uuid");
    if (!servers.exists(uuid)) {
      throw RestError.resourceNotFound("Server " + uuid + " not found");
    }
    servers.status(uuid, req.bodyObject());
    return RestResponse.noContent();
  }

  private RestResponse listServers(RestRequest req) {
    strict(req, LIST_PARAMS);
    Map<String, String> q = req.query();
    List<String> uuids = Values.list(q.get("uuids"));
    Set<String> extras = new LinkedHashSet<>();
    for (String e : Values.list(q.get("extras"))) {
      if (!ServerView.EXTRAS.contains(e)) {
        throw cnapiInvalid(500, "extras", "invalid extras value '" + e + "'");
      }
      extras.add(e);
    }
    List<String> fields = Values.list(q.get("fields"));
    Map<String, Boolean> flags = new LinkedHashMap<>();
    for (String f : List.of("setup", "headnode", "reserved", "reservoir")) {
      String v = q.get(f);
      if (v != null) {
        String lower = v.toLowerCase(Locale.ROOT);
        if (!lower.equals("true") && !lower.equals("false")) {
          throw cnapiInvalid(500, f, "value must be true or false");
        }
        flags.put(f, lower.equals("true"));
      }
    }
    int limit = 1000;
    if (q.get("limit") != null) {
      Integer l = q.get("limit").matches("\\d+") ? Values.parseInt(q.get("limit")) : null;
      if (l == null || l < 1 || l > 1000) {
        throw cnapiInvalid(400, "limit", "limit must be in the range 1-1000 (inclusive)");
      }
      limit = l;
    }
    int offset = 0;
    if (q.get("offset") != null) {
      Integer o = q.get("offset").matches("\\d+") ? Values.parseInt(q.get("offset")) : null;
      if (o == null) {
        throw cnapiInvalid(500, "offset", "offset must be a non-negative integer");
      }
      offset = o;
    }
    String hostname = q.get("hostname");
    List<Object> out = new ArrayList<>();
    int skipped = 0;
    for (Map<String, Object> rec : servers.snapshot()) {
      String uuid = (String) rec.get("uuid");
      if ((!uuids.isEmpty() && !uuids.contains(uuid)) || (hostname != null && !hostname.equals(rec.get("hostname")))
          || !flags.entrySet().stream().allMatch(f -> f.getValue().equals(Boolean.TRUE.equals(rec.get(f.getKey()))))) {
        continue;
      }
      if (skipped++ < offset) {
        continue;
      }
      if (out.size() >= limit) {
        break;
      }
      out.add(ServerView.fields(ServerView.listEntry(rec, extras, servers.lastHeartbeat(uuid)), fields));
    }
    return RestResponse.ok(out);
  }

  /**
   * VmList (deprecated in CNAPI for VMAPI, which it asks): the server's VMs in every state with
   * the fields CNAPI asks VMAPI for; 404 for an unknown server.
   */
  private RestResponse listVms(RestRequest req) {
    String uuid = checkUuid(req.pathParam("server_uuid"));
    servers.snapshot(uuid);
    return RestResponse.ok(vmListOfServer.apply(uuid));
  }

  private RestResponse getServer(RestRequest req) {
    strict(req, Set.of("server_uuid"));
    return RestResponse.ok(render(servers.snapshot(checkUuid(req.pathParam("server_uuid")))));
  }

  /** A stored record as GetServer renders it: its VMs from VMAPI, last heartbeat and capacity. */
  private Map<String, Object> render(Map<String, Object> rec) {
    String uuid = (String) rec.get("uuid");
    Map<String, Object> vms = vmsOfServer.apply(uuid);
    if (vms != null) {
      rec.put("vms", vms);
    }
    return ServerView.single(rec, servers.lastHeartbeat(uuid));
  }

  /** One server rendered as GetServer does, or null when CNAPI has no such server. */
  Map<String, Object> renderedServer(String uuid) {
    return servers.exists(uuid) ? render(servers.snapshot(uuid)) : null;
  }

  // ---- tasks ----

  /**
   * The merged params in restify's order (path params first, then body and query keys), with
   * CNAPI's one type check that matters to callers ({@code jobid}).
   */
  private static Map<String, Object> params(RestRequest req) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (String name : List.of("server_uuid", "uuid", "snapshot_name")) {
      if (req.pathParam(name) != null) {
        p.put(name, req.pathParam(name));
      }
    }
    req.params().forEach(p::putIfAbsent);
    if (p.containsKey("jobid") && !(p.get("jobid") instanceof String)) {
      throw cnapiInvalid(500, "jobid", "value was not a string");
    }
    return p;
  }

  private static Map<String, Object> vmLoadParams(RestRequest req) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", req.pathParam("uuid"));
    if (req.params().containsKey("include_dni")) {
      p.put("include_dni", Values.isTrueParam(req.params().get("include_dni")));
    }
    return p;
  }

  /** Checks the server (409 bad uuid, 404 missing, 409 not running) and returns its sysinfo. */
  private Map<String, Object> runningServer(String uuid, boolean requireRunning) {
    checkUuid(uuid);
    Map<String, Object> sysinfo = servers.sysinfo(uuid);
    if (sysinfo == null) {
      throw RestError.resourceNotFound("Server " + uuid + " not found");
    }
    if (requireRunning && !"running".equals(servers.statusOf(uuid))) {
      throw new RestError(409, "ServerNotRunning", "Operation attempted on server which is not running");
    }
    return sysinfo;
  }

  /** Starts a persisted task and answers {@code {id}} at once (§2.3). */
  private CompletionStage<RestResponse> asyncTask(RestRequest req, String task, Map<String, Object> params) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", dispatchTask(req.pathParam("server_uuid"), task, params, req.requestId()));
    return CompletableFuture.completedFuture(RestResponse.ok(body));
  }

  /**
   * Sends a cn-agent task to a running server as CNAPI's task endpoints do (also for VMAPI's
   * jobs, in-process) and answers its task id; the record in {@link #tasks()} tells how it ends.
   */
  String dispatchTask(String uuid, String task, Map<String, Object> params, String reqId) {
    Map<String, Object> sysinfo = runningServer(uuid, true);
    String host = CnAgentClient.taskAddress(sysinfo);
    if (host == null) {
      LOG.warn("No admin NICs detected for server {}; task {} not sent", uuid, task);
      return UUID.randomUUID().toString();
    }
    TaskStore.Task t = tasks.create(task, uuid, reqId);
    agents.postTask(host, CnAgentClient.port(sysinfo), uuid, reqId, task, params)
        .thenAccept(reply -> finish(t, reply));
    return t.id;
  }

  /**
   * ServerCapacity ({@code POST /capacity}): the unreserved cpu (centi-CPUs), ram and disk (MiB)
   * of each set-up, running server, or of those of {@code servers} that are; 500 InvalidParameters
   * for a bad list, as CNAPI.
   */
  private RestResponse capacity(RestRequest req) {
    Object wanted = req.params().get("servers");
    if (wanted != null && !(wanted instanceof List<?>)) {
      throw cnapiInvalid(500, "servers", "servers must be an array");
    }
    Set<String> only = null;
    if (wanted instanceof List<?> l) {
      only = new java.util.HashSet<>();
      for (Object u : l) {
        if (!Values.isUuid(u)) {
          throw cnapiInvalid(500, "servers", "invalid server UUID");
        }
        only.add((String) u);
      }
    }
    Map<String, Object> capacities = new LinkedHashMap<>();
    for (Map<String, Object> s : renderedServers()) {
      if ((only == null || only.contains(s.get("uuid"))) && Boolean.TRUE.equals(s.get("setup"))
          && "running".equals(s.get("status"))) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("cpu", s.get("unreserved_cpu"));
        c.put("ram", s.get("unreserved_ram"));
        c.put("disk", s.get("unreserved_disk"));
        capacities.put((String) s.get("uuid"), c);
      }
    }
    return RestResponse.ok(Map.of("capacities", capacities));
  }

  /**
   * PlatformList ({@code GET /platforms}): CNAPI lists the headnode's /usbkey/os; the sandbox has
   * no headnode, so its platforms are those its servers run (their {@code current_platform} and
   * {@code boot_platform}), the newest by name marked {@code latest}; {@code os=true} adds each
   * one's os (linux for a Linux server, else smartos).
   */
  private RestResponse platforms(RestRequest req) {
    strict(req, Set.of("os"));
    String os = req.query().get("os");
    if (os != null && !os.equalsIgnoreCase("true") && !os.equalsIgnoreCase("false")) {
      throw cnapiInvalid(500, "os", "value must be true or false");
    }
    boolean withOs = "true".equalsIgnoreCase(os);
    java.util.TreeMap<String, Map<String, Object>> found = new java.util.TreeMap<>();
    for (Map<String, Object> rec : servers.snapshot()) {
      String kind = rec.get("sysinfo") instanceof Map<?, ?> si && "Linux".equals(si.get("System Type"))
          ? "linux" : "smartos";
      for (String k : List.of("current_platform", "boot_platform")) {
        if (rec.get(k) instanceof String p && !p.isEmpty()) {
          Map<String, Object> entry = found.computeIfAbsent(p, x -> new LinkedHashMap<>());
          if (withOs) {
            entry.put("os", kind);
          }
        }
      }
    }
    java.util.regex.Pattern stamp = java.util.regex.Pattern.compile("\\d{8}T\\d{6}Z");
    for (String kind : withOs ? List.of("smartos", "linux") : java.util.Collections.<String>singletonList(null)) {
      found.descendingMap().entrySet().stream()
          .filter(e -> stamp.matcher(e.getKey()).find() && (kind == null || kind.equals(e.getValue().get("os"))))
          .findFirst().ifPresent(e -> e.getValue().put("latest", true));
    }
    return RestResponse.ok(found);
  }

  /**
   * BootParamsGet ({@code GET /boot/:server_uuid}, and {@code /boot/default}): what booter turns
   * into the CN's kernel line. {@code kernel_args} are the stored {@code boot_params} over
   * {@code rabbitmq} (the sandbox has none; CNAPI always sends it) and, for a server, its
   * {@code hostname}; {@code platform} is the server's {@code boot_platform} (else the one it
   * runs), {@code latest} for default.
   */
  private RestResponse bootParams(RestRequest req) {
    strict(req, Set.of("server_uuid"));
    String id = req.pathParam("server_uuid");
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("rabbitmq", "guest:guest:" + bindHost + ":5672");
    Map<String, Object> out = new LinkedHashMap<>();
    if ("default".equals(id)) {
      out.put("platform", "latest");
      out.put("kernel_args", args);
      out.put("kernel_flags", new LinkedHashMap<>());
      out.put("boot_modules", new ArrayList<>());
      out.put("default_console", "serial");
      out.put("serial", "ttyb");
      return RestResponse.ok(out);
    }
    String uuid = checkUuid(id);
    Map<String, Object> rec = servers.server(uuid);
    if (rec == null) {
      throw RestError.resourceNotFound("Server " + uuid + " not found");
    }
    Object platform = rec.get("boot_platform") instanceof String bp && !bp.isEmpty() ? bp : rec.get("current_platform");
    out.put("platform", platform);
    if (rec.get("hostname") instanceof String h) {
      args.put("hostname", h);
    }
    if (rec.get("boot_params") instanceof Map<?, ?> bp) {
      bp.forEach((k, v) -> args.put(String.valueOf(k), v));
    }
    out.put("kernel_args", args);
    out.put("kernel_flags", rec.get("kernel_flags") instanceof Map<?, ?> f ? f : new LinkedHashMap<>());
    out.put("boot_modules", rec.get("boot_modules") instanceof List<?> m ? m : new ArrayList<>());
    out.put("default_console", rec.getOrDefault("default_console", "serial"));
    out.put("serial", rec.getOrDefault("serial", "ttyb"));
    return RestResponse.ok(out);
  }

  /** Every server as {@code GET /servers/:uuid} renders it (capacity included), for placement. */
  List<Map<String, Object>> renderedServers() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> rec : servers.snapshot()) {
      out.add(render(rec));
    }
    return out;
  }

  private void finish(TaskStore.Task t, CnAgentClient.Reply reply) {
    if (reply.ok()) {
      tasks.complete(t, reply.body() == null ? new LinkedHashMap<>() : reply.body());
    } else {
      tasks.fail(t, reply.failureMessage());
    }
  }

  /** A persisted task whose reply the caller waits for. */
  private CompletionStage<CnAgentClient.Reply> syncTask(String uuid, String reqId, String task,
      Map<String, Object> params, boolean persist) {
    Map<String, Object> sysinfo = runningServer(uuid, true);
    String host = CnAgentClient.taskAddress(sysinfo);
    if (host == null) {
      throw RestError.internalError("No admin NICs detected");
    }
    TaskStore.Task t = persist ? tasks.create(task, uuid, reqId) : null;
    return agents.postTask(host, CnAgentClient.port(sysinfo), uuid, reqId, task, params).thenApply(reply -> {
      if (t != null) {
        finish(t, reply);
      }
      return reply;
    });
  }

  /**
   * VmLoad ({@code GET /servers/:s/vms/:u}): the agent's VM, 404 "VM <u> not found" when the
   * agent says {@code VmNotFound}, else 500. Also used in-process by VMAPI's {@code sync=true}.
   */
  CompletionStage<RestResponse> loadVm(String serverUuid, String vmUuid, String reqId, Map<String, Object> params) {
    CnAgentClient.Reply timedOut = new CnAgentClient.Reply(0, null, "timed out waiting for machine_load");
    return syncTask(serverUuid, reqId, "machine_load", params, false).toCompletableFuture()
        .completeOnTimeout(timedOut, VM_LOAD_TIMEOUT_S, TimeUnit.SECONDS)
        .thenApply(reply -> {
          if (reply.ok()) {
            return RestResponse.ok(reply.body() == null ? new LinkedHashMap<>() : reply.body());
          }
          if ("VmNotFound".equals(reply.restCode())) {
            throw RestError.resourceNotFound("VM " + vmUuid + " not found");
          }
          throw RestError.internalError("posting task to cn-agent: " + reply.failureMessage());
        });
  }

  private CompletionStage<RestResponse> sysinfoRefresh(RestRequest req) {
    String uuid = req.pathParam("server_uuid");
    return syncTask(uuid, req.requestId(), "server_sysinfo", params(req), true).thenApply(reply -> {
      if (!reply.ok()) {
        throw RestError.internalError(reply.failureMessage());
      }
      if (reply.body() instanceof Map<?, ?> m && m.get("sysinfo") instanceof Map<?, ?> s) {
        @SuppressWarnings("unchecked")
        Map<String, Object> sysinfo = (Map<String, Object>) s;
        register(uuid, sysinfo);
      }
      return RestResponse.of(200, null);
    });
  }

  /**
   * ServerReboot: with {@code nojob=true} the server_reboot task, answered once it has ended
   * (204); otherwise the server-reboot workflow, answered 202 {@code {job_uuid}}.
   */
  private CompletionStage<RestResponse> rebootServer(RestRequest req) {
    strict(req, Set.of("server_uuid", "creator_uuid", "drain", "nojob", "origin"));
    checkRules(req.params(), new String[][] {{"creator_uuid", "string"}, {"drain", "boolean"},
        {"nojob", "boolean"}, {"origin", "string"}});
    String uuid = req.pathParam("server_uuid");
    runningServer(uuid, true);
    if (!Boolean.TRUE.equals(req.params().get("nojob"))) {
      Map<String, Object> p = new LinkedHashMap<>(req.params());
      p.put("drain", Boolean.TRUE.equals(p.get("drain")));
      return jobAccepted(serverJobs.reboot(uuid, p, req.requestId()));
    }
    if (!CnapiServerJobs.supportsRebootTask(servers.server(uuid))) {
      throw new RestError(503, "ServiceUnavailable",
          "cn-agent version on server does not support server_reboot: "
          + Objects.requireNonNullElse(CnapiServerJobs.cnAgentVersion(servers.server(uuid)), "unknown") + " < 2.11.0");
    }
    return rebootTask(uuid, params(req), req.requestId()).thenApply(x -> RestResponse.noContent());
  }

  /** The server_reboot task with CNAPI's request params, waited for; fails with the task's error. */
  CompletionStage<Void> rebootTask(String uuid, Map<String, Object> params, String reqId) {
    return syncTask(uuid, reqId, "server_reboot", params, true)
        .thenAccept(reply -> {
          if (!reply.ok()) {
            throw RestError.internalError(reply.failureMessage());
          }
        });
  }

  /**
   * ServerSetup: CNAPI's checks, then 204 for a server already set up, or the server-setup
   * workflow (202 {@code {job_uuid}}) when a fleet in this process can do its scripts to the
   * mock CN; 501 otherwise, and for a {@code postsetup_script}, which a mock CN cannot run.
   */
  private CompletionStage<RestResponse> setupServer(RestRequest req) {
    strict(req, Set.of("server_uuid", "hostname", "nics", "postsetup_script", "disk_spares", "disk_width",
        "disk_cache", "disk_layout", "encryption_enabled", "disk_exclude"));
    Map<String, Object> p = req.params();
    checkRules(p, new String[][] {{"hostname", "string"}, {"nics", "array"}, {"postsetup_script", "string"},
        {"disk_spares", "numberAtLeastZero"}, {"disk_width", "numberAtLeastZero"}, {"disk_cache", "booleanString"},
        {"disk_layout", "string"}, {"encryption_enabled", "booleanString"}, {"disk_exclude", "string"}});
    List<String> layouts = List.of("single", "mirror", "raidz1", "raidz2", "raidz3");
    if (p.get("disk_layout") != null && !layouts.contains(p.get("disk_layout"))) {
      throw RestError.invalidArgument("disk_layout must be one of: '" + String.join("', '", layouts) + "'");
    }
    String uuid = checkUuid(req.pathParam("server_uuid"));
    Map<String, Object> server = servers.server(uuid);
    if (server == null) {
      throw RestError.resourceNotFound("Server " + req.pathParam("server_uuid") + " not found");
    }
    if (Boolean.TRUE.equals(server.get("setup"))) {
      return CompletableFuture.completedFuture(RestResponse.noContent());
    }
    if (!serverJobs.runsSetupScripts()) {
      throw notImplementedError("the server-setup workflow here (no mock CN runs in the sandbox's process, so "
          + "nothing can do joysetup and agentsetup to this server)");
    }
    if (p.containsKey("postsetup_script")) {
      throw notImplementedError("postsetup_script (a mock CN runs no scripts)");
    }
    Map<String, Object> params = new LinkedHashMap<>(p);
    if (p.get("disk_cache") != null) {
      params.put("disk_cache", "true".equals(p.get("disk_cache")));
    }
    if (p.get("encryption_enabled") != null) {
      params.put("encryption_enabled", "true".equals(p.get("encryption_enabled")));
    }
    if (p.get("hostname") instanceof String h && !h.isEmpty()) {
      servers.update(uuid, Map.of("hostname", h)); // CNAPI's upsert before the job
    }
    return jobAccepted(serverJobs.setup(uuid, params, req.requestId()));
  }

  /**
   * ServerFactoryReset: CNAPI's checks (strict parameters; 409 while the server has VMs), then
   * the server-factory-reset workflow, or 501 when no fleet in this process can reset the CN.
   */
  private CompletionStage<RestResponse> factoryReset(RestRequest req) {
    strict(req, Set.of("server_uuid", "creator_uuid", "origin"));
    checkRules(req.params(), new String[][] {{"creator_uuid", "string"}, {"origin", "string"}});
    String uuid = checkUuid(req.pathParam("server_uuid"));
    Map<String, Object> server = renderedServer(uuid);
    if (server == null) {
      throw RestError.resourceNotFound("Server " + uuid + " not found");
    }
    if (server.get("vms") instanceof Map<?, ?> vms && !vms.isEmpty()) {
      return CompletableFuture.completedFuture(
          RestResponse.of(409, "Server may not be reset because it has " + vms.size() + " vms"));
    }
    if (!serverJobs.runsSetupScripts()) {
      throw notImplementedError("the server-factory-reset workflow here (no mock CN runs in the sandbox's "
          + "process, so nothing can reset this server)");
    }
    return jobAccepted(serverJobs.factoryReset(uuid, req.params()));
  }

  /** A job started for a server workflow: 202 {@code {job_uuid}}, as CNAPI answers. */
  private static CompletionStage<RestResponse> jobAccepted(WorkflowJobs.Job job) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("job_uuid", job.uuid);
    return CompletableFuture.completedFuture(RestResponse.of(202, body));
  }

  /** cn-agent's own endpoints (pause, resume, history) in-process; the body. */
  CompletionStage<Object> agentRequest(String uuid, String method, String path, String reqId) {
    Map<String, Object> sysinfo = runningServer(uuid, false);
    String host = CnAgentClient.agentAddress(sysinfo);
    if (host == null) {
      throw RestError.internalError("No admin NICs detected");
    }
    return agents.call(method, host, CnAgentClient.port(sysinfo), path, reqId).thenApply(reply -> {
      if (!reply.ok()) {
        throw RestError.internalError(reply.failureMessage());
      }
      return reply.body();
    });
  }

  /** A sysinfo a workflow got back from a task, registered as a POST of it would be. */
  void registerFromWorkflow(String uuid, Map<String, Object> sysinfo) {
    register(uuid, sysinfo);
  }

  void serverJobs(CnapiServerJobs jobs) {
    this.serverJobs = jobs;
  }

  void selfUrl(String url) {
    this.selfUrl = url;
  }

  /** This CNAPI's URL (the reboot job's {@code cnapi_url}). */
  String selfUrl() {
    return selfUrl;
  }

  /** GET /history, POST /pause, POST /resume: no running check, no task record. */
  private CompletionStage<RestResponse> agentCall(RestRequest req, String method, String path, int okStatus) {
    return agentRequest(req.pathParam("server_uuid"), method, path, req.requestId())
        .thenApply(body -> okStatus == 204 ? RestResponse.noContent() : RestResponse.ok(body));
  }


  // ---- endpoints of the smartos backend's tasks ----

  /** VmKill: CNAPI checks that {@code signal} is a number or a string, then sends machine_kill. */
  private CompletionStage<RestResponse> killVm(RestRequest req) {
    Map<String, Object> p = params(req);
    if (p.containsKey("signal") && !numberOrString(p.get("signal"))) {
      throw cnapiInvalid(500, "signal", "value was not a number or string");
    }
    return asyncTask(req, "machine_kill", p);
  }

  /**
   * CNAPI's ensureParamsValid for optional rules: each given parameter (JSON null included, as
   * CNAPI tests for undefined) checked by its type, every error in rule order, one 500.
   */
  private static void checkRules(Map<String, Object> p, String[][] rules) {
    List<Map<String, Object>> errors = new ArrayList<>();
    for (String[] rule : rules) {
      if (!p.containsKey(rule[0])) {
        continue;
      }
      Object v = p.get(rule[0]);
      String message = switch (rule[1]) {
        case "string" -> v instanceof String ? null : "value was not a string";
        case "array" -> v instanceof List<?> ? null : "value was not an array";
        case "boolean" -> v instanceof Boolean ? null : "value was not true or false";
        case "booleanString" -> String.valueOf(v).matches("(?i)^(true|false)$") ? null
            : "value was not 'true' or 'false'";
        case "numberAtLeastZero" -> {
          Double d = jsNumber(v);
          yield d == null ? "value was not a number" : d < 0 ? "value was not greater than or equal to zero" : null;
        }
        default -> throw new IllegalArgumentException(rule[1]);
      };
      if (message != null) {
        errors.add(RestError.fieldError(rule[0], "Invalid", message));
      }
    }
    if (!errors.isEmpty()) {
      throw new RestError(500, "InvalidParameters", "Request parameters failed validation", Map.of("errors", errors));
    }
  }

  /** JavaScript's Number(v) for a JSON scalar, or null where it is NaN. */
  private static Double jsNumber(Object v) {
    if (v == null) {
      return 0.0; // Number(null)
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof Boolean b) {
      return b ? 1.0 : 0.0;
    }
    if (v instanceof String str) {
      String t = str.strip();
      return t.isEmpty() ? 0.0 : t.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)") ? Double.valueOf(t) : null;
    }
    return null;
  }

  /** CNAPI's isNumberOrStringType: a string, or anything JavaScript's isNaN does not call NaN. */
  private static boolean numberOrString(Object v) {
    if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
      return true;
    }
    if (v instanceof List<?> l) { // Number([]) is 0, Number([x]) is Number(String(x))
      return l.isEmpty() || (l.size() == 1 && (l.get(0) == null || l.get(0) instanceof Number
          || (l.get(0) instanceof String s && (s.isBlank() || s.strip().matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)")))));
    }
    return false;
  }

  /** VmProc ({@code GET /servers/:s/vms/:u/proc}): machine_proc, waited for 20 s. */
  private CompletionStage<RestResponse> vmProc(RestRequest req) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", req.pathParam("uuid"));
    return waitedTask(req, "machine_proc", p, 20, "Time-out reached waiting for machine_proc request to return")
        .thenApply(reply -> vmAnswer(reply, req.pathParam("uuid")));
  }

  /**
   * VmInfo ({@code GET /servers/:s/vms/:u/info[?info=type,…]}): machine_info, waited for 10 s
   * (the timeout message names machine_load, as CNAPI's does). The answer is the task's string.
   */
  private CompletionStage<RestResponse> vmInfo(RestRequest req) {
    Object info = req.params().get("info");
    List<String> types = info instanceof String s ? List.of(s.split(",", -1)) : List.of("all");
    return waitedTask(req, "machine_info", infoParams(req, types), 10,
        "Time-out reached waiting for machine_load request to return")
        .thenApply(reply -> vmAnswer(reply, req.pathParam("uuid")));
  }

  /** VmVnc ({@code GET /servers/:s/vms/:u/vnc}): machine_info for {@code vnc}, parsed, as {@code {host, port}}. */
  private CompletionStage<RestResponse> vmVnc(RestRequest req) {
    return waitedTask(req, "machine_info", infoParams(req, List.of("vnc")), 10,
        "Time-out reached waiting for machine_load request to return")
        .thenApply(reply -> {
          Object text = vmAnswer(reply, req.pathParam("uuid")).body();
          Map<String, Object> vminfo;
          try {
            vminfo = text instanceof String s ? Json.parseObject(s) : null;
          } catch (Json.JsonFormatException e) {
            vminfo = null;
          }
          if (vminfo == null) {
            throw RestError.internalError("failed to parse JSON response from vm.info");
          }
          if (!(vminfo.get("vnc") instanceof Map<?, ?> vnc)) {
            throw RestError.internalError("vm.info answered no vnc information"); // real CNAPI throws here
          }
          Map<String, Object> out = new LinkedHashMap<>();
          if (vnc.get("host") != null) {
            out.put("host", vnc.get("host"));
          }
          if (vnc.get("port") != null) {
            out.put("port", vnc.get("port"));
          }
          return RestResponse.ok(out);
        });
  }

  private static Map<String, Object> infoParams(RestRequest req, List<String> types) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", req.pathParam("uuid"));
    p.put("types", types);
    return p;
  }

  /** ImageGet ({@code GET /servers/:s/images/:uuid}): image_get, waited for 60 s; any failure is a 500. */
  private CompletionStage<RestResponse> imageGet(RestRequest req) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", req.pathParam("uuid"));
    return waitedTask(req, "image_get", p, 60, "Time-out reached waiting for image_get request to return")
        .thenApply(SandboxCnapi::plainAnswer);
  }

  /** VmDockerExec/Copy/Stats/Build: the task with the params CNAPI passes on; any failure is a 500. */
  private CompletionStage<RestResponse> dockerTask(RestRequest req, String task, long seconds) {
    Map<String, Object> body = req.params();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", req.pathParam("uuid"));
    List<String> keys = switch (task) {
      case "docker_exec" -> List.of("command");
      case "docker_copy" -> List.of("path", "mode", "no_overwrite_dir", "payload");
      default -> List.of("payload");
    };
    if (task.equals("docker_exec") && !(body.get("command") instanceof Map<?, ?>)) {
      throw cnapiInvalid(500, "command",
          "value is not an object. (was: " + JsValues.className(body, "command") + ")");
    }
    for (String k : keys) {
      if (body.get(k) != null) {
        p.put(k, body.get(k));
      }
    }
    return waitedTask(req, task, p, seconds, "Time-out reached waiting for " + task + " request to return")
        .thenApply(SandboxCnapi::plainAnswer);
  }

  /**
   * ServerUpdate with {@code overprovision_ratios}: CNAPI checks the keys ({@code cpu, ram, disk,
   * io, net}) and values (non-negative numbers), and on a set-up server first sends
   * server_overprovision_ratio with the ratios as a query string ({@code cpu=4&ram=1}); if that
   * task fails the update answers 500 and nothing is stored. Without ratios: plain ServerUpdate.
   */
  private CompletionStage<RestResponse> updateServerAndRatios(RestRequest req) {
    Object ratios = req.params().get("overprovision_ratios");
    if (!JsValues.truthy(ratios)) { // CNAPI's `if (req.params.overprovision_ratios)`
      return CompletableFuture.completedFuture(updateServer(req));
    }
    strict(req, UPDATE_PARAMS);
    String uuid = checkUuid(req.pathParam("server_uuid"));
    if (!(ratios instanceof Map<?, ?> m)) {
      throw RestError.invalidArgument("Invalid key 0"); // Object.keys of a string or array starts at "0"
    }
    List<String> pairs = new ArrayList<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (!List.of("cpu", "ram", "disk", "io", "net").contains(key)) {
        throw RestError.invalidArgument("Invalid key " + key);
      }
      if (!(e.getValue() instanceof Number n)) {
        throw RestError.invalidArgument("Invalid type for " + key);
      }
      if (n.doubleValue() < 0) {
        throw RestError.invalidArgument("Invalid value for " + key);
      }
      pairs.add(key + "=" + Json.compact(n));
    }
    if (!Boolean.TRUE.equals(servers.snapshot(uuid).get("setup"))) {
      return CompletableFuture.completedFuture(updateServer(req));
    }
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("value", String.join("&", pairs));
    return syncTask(uuid, req.requestId(), "server_overprovision_ratio", p, true).thenApply(reply -> {
      if (!reply.ok()) {
        throw RestError.internalError("posting task to cn-agent: " + reply.failureMessage());
      }
      return updateServer(req);
    });
  }

  /** A persisted task whose reply CNAPI waits for at most {@code seconds}, then answers 500 {@code timeoutMessage}. */
  private CompletionStage<CnAgentClient.Reply> waitedTask(RestRequest req, String task, Map<String, Object> params,
      long seconds, String timeoutMessage) {
    CnAgentClient.Reply late = new CnAgentClient.Reply(0, null, timeoutMessage);
    return syncTask(req.pathParam("server_uuid"), req.requestId(), task, params, true).toCompletableFuture()
        .completeOnTimeout(late, seconds, TimeUnit.SECONDS)
        .thenApply(reply -> {
          if (reply == late) {
            throw RestError.internalError(timeoutMessage);
          }
          return reply;
        });
  }

  /** VmProc's and VmInfo's mapping: VmNotFound is 404 {@code VM <uuid> not found}, any other failure 500. */
  private static RestResponse vmAnswer(CnAgentClient.Reply reply, String vmUuid) {
    if (!reply.ok() && "VmNotFound".equals(reply.restCode())) {
      throw RestError.resourceNotFound("VM " + vmUuid + " not found");
    }
    return plainAnswer(reply);
  }

  private static RestResponse plainAnswer(CnAgentClient.Reply reply) {
    if (!reply.ok()) {
      throw RestError.internalError("posting task to cn-agent: " + reply.failureMessage());
    }
    return RestResponse.ok(reply.body() == null ? new LinkedHashMap<>() : reply.body());
  }

  // ---- validation ----

  private static String checkUuid(String uuid) {
    if (!Values.isUuidAnyCase(uuid)) {
      throw RestError.invalidArgument("Invalid server_uuid");
    }
    return uuid;
  }

  /** CNAPI's strict params: any key outside {@code allowed} is a 409 InvalidArgument (§2.10). */
  private static void strict(RestRequest req, Set<String> allowed) {
    for (String k : req.params().keySet()) {
      if (!allowed.contains(k)) {
        throw RestError.invalidArgument(k + " is not an explicitly defined parameter");
      }
    }
  }

  static RestError cnapiInvalid(int status, String field, String message) {
    return new RestError(status, "InvalidParameters", "Request parameters failed validation",
        Map.of("errors", List.of(RestError.fieldError(field, "Invalid", message))));
  }
}
