package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.behaviour.CnBehaviour;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.fleet.DaemonThreads;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.netagent.NetAgentOptions;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.StandardAgents;
import com.joyent.mockcloud.server.Sysinfo;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.testing.ManualTimer;
import com.joyent.mockcloud.triton.CnapiReporting;
import com.joyent.mockcloud.util.Timer;
import com.joyent.mockcloud.vm.ServerIdentity;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmStore;
import java.io.Closeable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One mock CN's cn-agent on 127.0.0.1 against a {@link RecordingCnapi}, with a server
 * directory built like create-server's (spec §7 setup). Fixtures for the cn-agent tests.
 */
final class CnAgentHarness implements Closeable {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final Path root;
  final RecordingCnapi cnapi;
  final DaemonThreads threads = new DaemonThreads(1, 4);
  final VmStore store;
  final ServerDirectory dir;
  final ServerVms vms;
  final CnAgent agent;
  final CnContext ctx;
  final CnAgentOptions options;
  /** The CN's behaviour: ideal until a test sets one. */
  final CnBehaviour behaviour;
  private final boolean ownsCnapi;
  private volatile Future<?> sysinfoPoller;
  private volatile boolean closed;

  CnAgentHarness(Path tmp) throws Exception {
    this(tmp, new RecordingCnapi(), CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp")));
  }

  CnAgentHarness(Path tmp, RecordingCnapi cnapi, CnAgentOptions options) throws Exception {
    this(tmp, cnapi, options, Map.of(), true);
  }

  /**
   * @param extraSettings settings on top of root/CNAPI/datacenter/DNS domain (e.g. IMGAPI_URL, SAPI_URL)
   * @param ownsCnapi false when several harnesses share one fake CNAPI (only its owner closes it)
   */
  CnAgentHarness(Path tmp, RecordingCnapi cnapi, CnAgentOptions options, Map<Setting, String> extraSettings,
      boolean ownsCnapi) throws Exception {
    this(tmp, cnapi, options, extraSettings, ownsCnapi, new TaskAdmission());
  }

  /** @param admission the task bounds, shared when several harnesses stand for one process */
  CnAgentHarness(Path tmp, RecordingCnapi cnapi, CnAgentOptions options, Map<Setting, String> extraSettings,
      boolean ownsCnapi, TaskAdmission admission) throws Exception {
    this(tmp, cnapi, options, extraSettings, ownsCnapi, admission, null);
  }

  /**
   * A CN whose reporter lives by {@code time}: its heartbeats, status ticks, retries and sysinfo
   * poll fall due only when the test advances it, and the fake CNAPI stamps arrivals with its
   * clock. Requests and answers still travel over real loopback HTTP.
   */
  static CnAgentHarness onManualTime(Path tmp, RecordingCnapi cnapi, CnAgentOptions options, ManualTimer time)
      throws Exception {
    cnapi.clockMillis = () -> time.clock().millis();
    return new CnAgentHarness(tmp, cnapi, options, Map.of(), true, new TaskAdmission(), time);
  }

  private CnAgentHarness(Path tmp, RecordingCnapi cnapi, CnAgentOptions options, Map<Setting, String> extraSettings,
      boolean ownsCnapi, TaskAdmission admission, ManualTimer time) throws Exception {
    this.root = tmp.resolve("mc");
    this.cnapi = cnapi;
    this.ownsCnapi = ownsCnapi;
    this.options = options;
    UUID uuid = UUID.randomUUID();
    dir = new ServerDirectory(uuid, root.resolve("servers").resolve(uuid.toString()));
    Files.createDirectories(dir.vmsDir());
    StandardAgents.install(dir.agentsDir());
    dir.writeSysinfo(Sysinfo.build(new Sysinfo.Identity(uuid, Sysinfo.defaultHostname(uuid), "coal", "10.99.99.41",
        "00:10:fe:00:00:01", "00:10:fe:00:00:02", "20190718T003512Z", Instant.now(), HardwareProfile.STANDARD),
        new Random(1)), 4);
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, root.toString());
    flags.put(Setting.CNAPI_URL, cnapi.url());
    flags.put(Setting.DATACENTER, "coal");
    flags.put(Setting.DNS_DOMAIN, "mockcloud.test");
    flags.putAll(extraSettings);
    Settings settings = new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
    store = VmStore.builder().executor(threads.taskPool()).scheduler(threads.scheduler()).build();
    vms = store.openServer(uuid.toString(), dir.dir(), ServerIdentity.fromSysinfo(dir.readSysinfo()));
    behaviour = CnBehaviour.ideal(uuid);
    CnapiReporting reporting = threads.cnapiReporting();
    if (time != null) {
      reporting = new CnapiReporting(reporting.http(), reporting.gate(), time, reporting.files(), reporting.metrics());
    }
    ctx = new CnContext(dir, vms, "127.0.0.1", settings, options, time != null ? time.clock() : Clock.systemUTC(),
        time != null ? time : threads.timer(), threads.tritonApis(settings, NetAgentOptions.defaults().maxConcurrentRequests()),
        threads::downloads, reporting, behaviour);
    agent = new CnAgent(ctx, threads.taskPool(), admission);
    agent.start(threads.listeners(), 0);
    // In run-servers the fleet's directory watcher (or its poll) calls checkSysinfo; here a poll does.
    pollSysinfo(time != null ? time : Timer.on(threads.scheduler()), options.sysinfoPollInterval().toMillis());
  }

  private void pollSysinfo(Timer on, long everyMs) {
    sysinfoPoller = on.schedule(() -> {
      CnapiReporter r = agent.reporter();
      if (r != null) {
        r.checkSysinfo();
      }
      if (!closed) {
        pollSysinfo(on, everyMs);
      }
    }, everyMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Options with short timings for tests: heartbeat every {@code heartbeat}, first status after
   * 500 ms then every {@code statusInterval}, sysinfo polled every 200 ms, provision lock polled
   * every 200 ms, scratch files under {@code tmp/vartmp}.
   */
  static CnAgentOptions fastOptions(Path tmp, Duration heartbeat, Duration statusInterval) {
    return CnAgentOptions.defaults().toBuilder().heartbeatInterval(heartbeat).firstStatusDelay(Duration.ofMillis(500))
        .statusInterval(statusInterval).sysinfoPollInterval(Duration.ofMillis(200))
        .provisionLockPoll(Duration.ofMillis(200)).tmpDir(tmp.resolve("vartmp")).build();
  }

  /** The same options with another CNAPI request timeout. */
  static CnAgentOptions withRequestTimeout(CnAgentOptions o, Duration timeout) {
    return o.toBuilder().requestTimeout(timeout).build();
  }

  UUID uuid() {
    return dir.uuid();
  }

  String url() {
    return "http://127.0.0.1:" + agent.port();
  }

  /** Waits until the agent accepts tasks (its first registration succeeded). */
  CnAgentHarness awaitRegistered() throws InterruptedException {
    if (!Await.until(Duration.ofSeconds(10), agent::acceptsTasks)) {
      throw new AssertionError("cn-agent did not register within 10 s");
    }
    return this;
  }

  /**
   * Waits until the startup agents update and the first heartbeat reached the fake CNAPI, so
   * later CNAPI requests are the ones a test caused.
   */
  CnAgentHarness awaitFirstHeartbeat() throws InterruptedException {
    String path = "/servers/" + uuid() + "/events/heartbeat";
    if (!Await.until(Duration.ofSeconds(10), () -> !cnapi.received(r -> r.path().equals(path)).isEmpty())) {
      throw new AssertionError("no heartbeat within 10 s");
    }
    return this;
  }

  HttpResponse<String> task(String task, Object params) throws Exception {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("task", task);
    body.put("params", params);
    return post("/tasks", Json.compact(body));
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url() + path))
        .header("content-type", "application/json").header("x-server-uuid", uuid().toString())
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code T(task)} answered with a JSON object body: status and parsed body. */
  Answer call(String task, Object params) throws Exception {
    HttpResponse<String> r = task(task, params);
    return new Answer(r.statusCode(), r.body(), r.headers().firstValue("x-request-id").orElse(null));
  }

  /** A task answer: status, body (parsed on demand) and the request id the agent gave it. */
  record Answer(int status, String body, String requestId) {
    Map<String, Object> json() {
      return Json.parseObject(body);
    }

    /** {@code objectBody} with this answer's request id appended as {@code req_id}, as a task that adopted it answers. */
    String withReqId(String objectBody) {
      return objectBody.substring(0, objectBody.length() - 1) + ",\"req_id\":\"" + requestId + "\"}";
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> vm() {
      return (Map<String, Object>) json().get("vm");
    }
  }

  /** {@code GET /history}, parsed. */
  @SuppressWarnings("unchecked")
  java.util.List<Map<String, Object>> history() throws Exception {
    return (java.util.List<Map<String, Object>>) Json.parse(get("/history").body().getBytes());
  }

  /** The names of the events of a history entry, in order. */
  @SuppressWarnings("unchecked")
  static java.util.List<Object> messageNames(Map<String, Object> entry) {
    return ((java.util.List<Map<String, Object>>) entry.get("messages")).stream().map(m -> m.get("name")).toList();
  }

  /** {@code vms/<uuid>.json}. */
  Path vmFile(String uuid) {
    return dir.vmsDir().resolve(uuid + ".json");
  }

  /** The VM file, parsed (key order kept). */
  Map<String, Object> vmOnDisk(String uuid) throws java.io.IOException {
    return Json.parseObject(Files.readAllBytes(vmFile(uuid)));
  }

  /** Writes a VM fixture file by hand (2-space JSON) and makes the store see it, as its watcher would. */
  void writeVmFixture(Map<String, Object> vm) throws java.io.IOException {
    Files.write(vmFile((String) vm.get("uuid")), Json.prettyBytes(vm, 2));
    vms.rescan();
  }

  @Override
  public void close() {
    closed = true;
    if (sysinfoPoller != null) {
      sysinfoPoller.cancel(false);
    }
    agent.stop();
    store.close();
    threads.close();
    if (ownsCnapi) {
      cnapi.close();
    }
  }
}
