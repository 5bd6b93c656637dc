package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.DaemonThreads;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.StandardAgents;
import com.joyent.mockcloud.server.Sysinfo;
import com.joyent.mockcloud.util.KeyedSerialExecutor;
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

  CnAgentHarness(Path tmp) throws Exception {
    this(tmp, new RecordingCnapi(), CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp")));
  }

  CnAgentHarness(Path tmp, RecordingCnapi cnapi, CnAgentOptions options) throws Exception {
    this.root = tmp.resolve("mc");
    this.cnapi = cnapi;
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
    Settings settings = new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
    store = VmStore.builder().executor(threads.taskPool()).scheduler(threads.scheduler()).build();
    vms = store.openServer(uuid.toString(), dir.dir(), ServerIdentity.fromSysinfo(dir.readSysinfo()));
    ctx = new CnContext(dir, vms, "127.0.0.1", settings, options, Clock.systemUTC(), threads.scheduler(),
        threads.httpClient());
    agent = new CnAgent(ctx, new KeyedSerialExecutor(threads.taskPool()));
    agent.start(threads.listeners(), 0);
  }

  UUID uuid() {
    return dir.uuid();
  }

  String url() {
    return "http://127.0.0.1:" + agent.port();
  }

  /** Waits until the agent accepts tasks (its first registration succeeded). */
  CnAgentHarness awaitRegistered() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!agent.acceptsTasks()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("cn-agent did not register within 10 s");
      }
      Thread.sleep(10);
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

  @Override
  public void close() {
    agent.stop();
    store.close();
    threads.close();
    cnapi.close();
  }
}
