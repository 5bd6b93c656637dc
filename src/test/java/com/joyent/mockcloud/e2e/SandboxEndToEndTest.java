package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatMode;
import com.joyent.mockcloud.behaviour.CnBehaviour;
import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.cnagent.CnapiReporter;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.fleet.Daemon;
import com.joyent.mockcloud.fleet.DaemonOptions;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.testing.TestClock;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.triton.UserAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop in one JVM, as the README's sandbox runs it: three CNs created with
 * create-server against the sandbox NAPI, run-servers against its CNAPI/VMAPI, then an
 * operator's VM lifecycle through CNAPI, checked on disk, in CNAPI's task records and in VMAPI.
 */
class SandboxEndToEndTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path tmp;
  private final TestClock clock = TestClock.realTimeWithOffset();
  private Sandbox sandbox;
  private Daemon daemon;
  private final List<UUID> servers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    sandbox = Sandbox.start(SandboxOptions.defaults().withClock(clock));
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, tmp.toString());
    flags.put(Setting.DATACENTER, sandbox.datacenter());
    flags.put(Setting.ADMIN_UUID, sandbox.adminUuid());
    flags.put(Setting.NAPI_URL, sandbox.napiUrl());
    flags.put(Setting.CNAPI_URL, sandbox.cnapiUrl());
    flags.put(Setting.VMAPI_URL, sandbox.vmapiUrl());
    Settings settings = new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
    ServerCreator creator = new ServerCreator(new ServerRoot(tmp), TritonApis.standalone(settings).napi(UserAgent.tool("test")),
        sandbox.datacenter(), UUID.fromString(sandbox.adminUuid()), "20190718T003512Z", Clock.systemUTC(), new Random());
    for (int i = 0; i < 3; i++) {
      servers.add(creator.create(ServerCreator.Request.random(HardwareProfile.STANDARD)).uuid());
    }
    daemon = new Daemon(settings, DaemonOptions.ephemeral(CnAgentOptions.defaults().withTmpDir(tmp.resolve("tmp"))))
        .start();
  }

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.close();
    }
    sandbox.close();
  }

  private static Object http(String method, String url, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (body != null) {
      b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Json.compact(body)));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(method + " " + url + ": " + new String(r.body())).isLessThan(300);
    return r.body().length == 0 ? null : Json.parse(r.body());
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> cnapiTask(String method, String path, Object body) throws Exception {
    Map<String, Object> accepted = (Map<String, Object>) http(method, sandbox.cnapiUrl() + path, body);
    String id = (String) accepted.get("id");
    Map<String, Object> task = (Map<String, Object>) http("GET", sandbox.cnapiUrl() + "/tasks/" + id + "/wait?timeout=30", null);
    assertThat(task).as(path).containsEntry("status", "complete");
    return task;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> vmFile(UUID server, String vm) throws Exception {
    return Json.parseObject(Files.readAllBytes(tmp.resolve("servers").resolve(server.toString()).resolve("vms")
        .resolve(vm + ".json")));
  }

  private static void await(Supplier<Boolean> cond, String what) throws InterruptedException {
    Await.require(Duration.ofSeconds(20), () -> Boolean.TRUE.equals(cond.get()), what);
  }

  @SuppressWarnings("unchecked")
  private String statusOf(UUID server) {
    try {
      return (String) ((Map<String, Object>) http("GET", sandbox.cnapiUrl() + "/servers/" + server, null)).get("status");
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  /**
   * Waits for CNAPI to have a heartbeat of {@code cn}: registration alone shows {@code running}
   * too (the stored status), and a CN that never heartbeated keeps it, as in CNAPI.
   */
  private void awaitHeartbeating(UUID cn) throws InterruptedException {
    await(() -> sandbox.cnapi().servers().lastHeartbeat(cn.toString()) != null, "a heartbeat of " + cn);
  }

  private static Object httpQuiet(String url) {
    try {
      return http("GET", url, null);
    } catch (Throwable e) {
      return Map.of();
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> vmapiVm(String vm) {
    try {
      return (Map<String, Object>) http("GET", sandbox.vmapiUrl() + "/vms/" + vm, null);
    } catch (Throwable e) {
      return Map.of();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void threeCns_registerAndRun_andAVmLivesItsWholeLifeThroughCnapi() throws Exception {
    for (UUID s : servers) {
      await(() -> sandbox.cnapi().server(s.toString()) != null, "registration of " + s);
      assertThat(statusOf(s)).isEqualTo("running");
    }
    List<Map<String, Object>> listed = (List<Map<String, Object>>) http("GET", sandbox.cnapiUrl() + "/servers", null);
    assertThat(listed).extracting(m -> m.get("uuid")).containsAll(servers.stream().map(UUID::toString).toList());

    UUID cn = servers.get(1);
    String vm = UUID.randomUUID().toString();
    Map<String, Object> create = new LinkedHashMap<>();
    create.put("uuid", vm);
    create.put("brand", "joyent-minimal");
    create.put("owner_uuid", sandbox.adminUuid());
    create.put("ram", 256);
    create.put("alias", "e2e");
    create.put("image_uuid", "2b683a82-a066-11e3-97ab-2faa44701c5a");
    create.put("nics", List.of());
    cnapiTask("POST", "/servers/" + cn + "/vms", create);
    assertThat(vmFile(cn, vm)).containsEntry("state", "running").containsEntry("alias", "e2e");
    await(() -> "running".equals(vmapiVm(vm).get("state")), "the VM in VMAPI");

    cnapiTask("POST", "/servers/" + cn + "/vms/" + vm + "/stop", Map.of());
    assertThat(vmFile(cn, vm)).containsEntry("state", "stopped").containsEntry("autoboot", false);
    await(() -> "stopped".equals(vmapiVm(vm).get("state")), "stopped in VMAPI");

    cnapiTask("POST", "/servers/" + cn + "/vms/" + vm + "/start", Map.of());
    assertThat(vmFile(cn, vm)).containsEntry("state", "running");

    cnapiTask("POST", "/servers/" + cn + "/vms/" + vm + "/update", Map.of("alias", "renamed", "set_tags", Map.of("k", "v")));
    assertThat(vmFile(cn, vm)).containsEntry("alias", "renamed").containsEntry("tags", Map.of("k", "v"));
    await(() -> "renamed".equals(vmapiVm(vm).get("alias")), "the update in VMAPI");

    cnapiTask("PUT", "/servers/" + cn + "/vms/" + vm + "/snapshots", Map.of("snapshot_name", "snap1"));
    assertThat((List<Map<String, Object>>) vmFile(cn, vm).get("snapshots")).extracting(s -> s.get("name"))
        .containsExactly("snap1");

    String image2 = UUID.randomUUID().toString();
    cnapiTask("POST", "/servers/" + cn + "/vms/" + vm + "/reprovision", Map.of("image_uuid", image2));
    assertThat(vmFile(cn, vm)).containsEntry("image_uuid", image2).containsEntry("state", "running");

    cnapiTask("DELETE", "/servers/" + cn + "/vms/" + vm, null);
    assertThat(tmp.resolve("servers").resolve(cn.toString()).resolve("vms").resolve(vm + ".json")).doesNotExist();
    await(() -> "destroyed".equals(vmapiVm(vm).get("state")), "destroyed in VMAPI");
  }

  @Test
  void aCnWhoseHeartbeatsStop_goesUnknown_andComesBackRunning() throws Exception {
    UUID cn = servers.get(0);
    awaitHeartbeating(cn);
    // Silence that CN's reporting (a heartbeat already on its way may still land), then move
    // CNAPI's clock past the 11 s heartbeat lifetime.
    CnapiReporter reporter = daemon.fleet().running().get(cn).cnAgent().reporter();
    reporter.stop();
    await(() -> !reporter.isAwaitingAnswer(), "the last heartbeat's answer");
    clock.advance(Duration.ofSeconds(12));
    assertThat(statusOf(cn)).isEqualTo("unknown");
    // Stop the CN; the fleet sees its directory is still there, starts it again, it heartbeats.
    daemon.fleet().stop(cn);
    await(() -> "running".equals(statusOf(cn)), "running again");
  }

  @Test
  @SuppressWarnings("unchecked")
  void provisioningThroughCnapi_showsTheVmInVmapiAndItsNicInNapi_andCnNicsAreClaimed() throws Exception {
    UUID cn = servers.get(2);
    awaitRegistered(cn);
    // create-server allocated the admin NIC as booter would; the CN's net-agent claims it.
    String adminMac = (String) ((Map<String, Object>) ((Map<String, Object>) Json.parseObject(Files.readAllBytes(
        tmp.resolve("servers").resolve(cn.toString()).resolve("sysinfo.json"))).get("Network Interfaces")).get("dnet0"))
        .get("MAC Address");
    await(() -> {
      Map<String, Object> nic = sandbox.napi().nics().find(adminMac);
      return nic != null && "server".equals(nic.get("belongs_to_type")) && cn.toString().equals(nic.get("belongs_to_uuid"));
    }, "the admin NIC claimed as a server NIC");

    String vm = UUID.randomUUID().toString();
    String mac = "90:b8:d0:12:34:56";
    Map<String, Object> nic = new LinkedHashMap<>();
    nic.put("mac", mac);
    nic.put("primary", true);
    nic.put("ip", "10.88.88.50");
    nic.put("netmask", "255.255.255.0");
    nic.put("nic_tag", "external");
    nic.put("vlan_id", 0);
    Map<String, Object> create = new LinkedHashMap<>();
    create.put("uuid", vm);
    create.put("brand", "joyent-minimal");
    create.put("owner_uuid", sandbox.adminUuid());
    create.put("ram", 128);
    create.put("nics", List.of(nic));
    cnapiTask("POST", "/servers/" + cn + "/vms", create);

    List<Map<String, Object>> listed = (List<Map<String, Object>>) http("GET",
        sandbox.vmapiUrl() + "/vms?server_uuid=" + cn, null);
    await(() -> {
      try {
        return ((List<Map<String, Object>>) http("GET", sandbox.vmapiUrl() + "/vms?server_uuid=" + cn, null)).stream()
            .anyMatch(v -> vm.equals(v.get("uuid")));
      } catch (Exception e) {
        return false;
      }
    }, "the VM in VMAPI's GET /vms");
    assertThat(listed).isNotNull();
    await(() -> {
      Map<String, Object> n = sandbox.napi().nics().find(mac);
      return n != null && vm.equals(n.get("belongs_to_uuid")) && "zone".equals(n.get("belongs_to_type"))
          && cn.toString().equals(n.get("cn_uuid")) && sandbox.adminUuid().equals(n.get("owner_uuid"));
    }, "the VM's NIC in NAPI");

    // An operator's change in NAPI reaches the VM file through the changefeed: every CN's
    // net-agent is registered, and the NIC is otherwise re-read only every few minutes.
    await(() -> Integer.valueOf(3).equals(((Map<String, Object>) httpQuiet(sandbox.napiUrl() + "/changefeeds/stats"))
        .get("registrations")), "three net-agents registered with the changefeed");
    http("PUT", sandbox.napiUrl() + "/nics/" + mac.replace(":", ""), Map.of("allow_ip_spoofing", true));
    await(() -> {
      try {
        List<Map<String, Object>> nics = (List<Map<String, Object>>) vmFile(cn, vm).get("nics");
        return Boolean.TRUE.equals(nics.get(0).get("allow_ip_spoofing"));
      } catch (Exception e) {
        return false;
      }
    }, "allow_ip_spoofing in the VM file");

    // Removing the NIC from the VM removes it from NAPI.
    cnapiTask("POST", "/servers/" + cn + "/vms/" + vm + "/update", Map.of("remove_nics", List.of(mac)));
    await(() -> sandbox.napi().nics().find(mac) == null, "the NIC gone from NAPI");
  }

  /** A behaviour file that stops a CN's heartbeats: CNAPI marks it unknown; removed, it is running again. */
  @Test
  void behaviourFile_heartbeatStop_goesUnknown_andRemovedComesBackRunning() throws Exception {
    UUID cn = servers.get(2);
    awaitHeartbeating(cn);
    Path file = tmp.resolve("servers").resolve(cn.toString()).resolve("behaviour.json");
    Files.writeString(file, "{\"heartbeat\": {\"mode\": \"stop\"}}");
    CnBehaviour behaviour = daemon.fleet().running().get(cn).cnAgent().context().behaviour();
    Await.require(Duration.ofSeconds(2), () -> behaviour.current().heartbeat().mode() == HeartbeatMode.STOP,
        "the file to take effect within 2 s");
    CnapiReporter reporter = daemon.fleet().running().get(cn).cnAgent().reporter();
    long leftOut = reporter.heartbeatsLeftOut();
    // One heartbeat left out: every one sent before the change has been answered (one at a time).
    await(() -> reporter.heartbeatsLeftOut() > leftOut, "a heartbeat left out");

    clock.advance(Duration.ofSeconds(12)); // past CNAPI's 11 s heartbeat lifetime, as 12 s without one
    assertThat(statusOf(cn)).isEqualTo("unknown");
    // A heartbeat interval later the other CNs are running again; this one, silent, is not.
    await(() -> "running".equals(statusOf(servers.get(0))) && "running".equals(statusOf(servers.get(1))),
        "the other CNs' next heartbeats");
    assertThat(statusOf(cn)).isEqualTo("unknown");

    Files.delete(file);
    await(() -> "running".equals(statusOf(cn)), "running again");
  }

  /** A minimal joyent-minimal VM as CNAPI's machine_create takes it (no NICs). */
  private Map<String, Object> vmPayload(String vm, int ram) {
    Map<String, Object> create = new LinkedHashMap<>();
    create.put("uuid", vm);
    create.put("brand", "joyent-minimal");
    create.put("owner_uuid", sandbox.adminUuid());
    create.put("ram", ram);
    create.put("image_uuid", "2b683a82-a066-11e3-97ab-2faa44701c5a");
    create.put("nics", List.of());
    return create;
  }

  /** One server action on the control port; the answer's status and body. */
  @SuppressWarnings("unchecked")
  private Map.Entry<Integer, Map<String, Object>> action(UUID cn, String action, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(daemon.control().baseUrl() + "/servers/" + cn
        + "/actions/" + action)).timeout(Duration.ofSeconds(30));
    b.header("content-type", "application/json").POST(body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    return Map.entry(r.statusCode(), (Map<String, Object>) Json.parse(r.body()));
  }

  private boolean refusesConnections(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return false;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  @SuppressWarnings("unchecked")
  private Object cnapiServerField(UUID cn, String field) {
    try {
      return ((Map<String, Object>) http("GET", sandbox.cnapiUrl() + "/servers/" + cn, null)).get(field);
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  /**
   * A reboot: the CN is gone for its down time (connection refused), then back with a later
   * boot time at CNAPI, VMs with autoboot running and the others stopped (on disk and in VMAPI),
   * an empty task history, on the port it had.
   */
  @Test
  @SuppressWarnings("unchecked")
  void reboot_newBootTimeAtCnapi_autobootVmsRun_othersStopped_historyEmpty() throws Exception {
    UUID cn = servers.get(1);
    awaitHeartbeating(cn);
    String keepsRunning = UUID.randomUUID().toString();
    String stops = UUID.randomUUID().toString();
    String starts = UUID.randomUUID().toString();
    for (String vm : List.of(keepsRunning, stops, starts)) {
      cnapiTask("POST", "/servers/" + cn + "/vms", vmPayload(vm, 128));
    }
    cnapiTask("POST", "/servers/" + cn + "/vms/" + stops + "/update", Map.of("autoboot", false));
    cnapiTask("POST", "/servers/" + cn + "/vms/" + starts + "/stop", Map.of());
    cnapiTask("POST", "/servers/" + cn + "/vms/" + starts + "/update", Map.of("autoboot", true));
    await(() -> "stopped".equals(vmapiVm(starts).get("state")), "stopped in VMAPI before the reboot");
    Object bootBefore = cnapiServerField(cn, "last_boot");
    int port = daemon.fleet().running().get(cn).cnAgent().port();
    String cnAgent = "http://127.0.0.1:" + port;
    assertThat((List<Object>) http("GET", cnAgent + "/history", null)).isNotEmpty();

    Map.Entry<Integer, Map<String, Object>> answer = action(cn, "reboot", "{\"down_seconds\": 2}");
    assertThat(answer.getKey()).isEqualTo(200);
    assertThat(answer.getValue()).containsEntry("state", "rebooting").containsEntry("action", "reboot");
    assertThat(refusesConnections(port)).as("cn-agent while down").isTrue();
    assertThat(action(cn, "reboot", null).getKey()).as("a second reboot while down").isEqualTo(409);

    await(() -> !bootBefore.equals(cnapiServerField(cn, "last_boot")), "a new boot time at CNAPI");
    assertThat((String) cnapiServerField(cn, "last_boot")).isGreaterThan((String) bootBefore);
    assertThat(daemon.fleet().running().get(cn).cnAgent().port()).isEqualTo(port);
    assertThat(vmFile(cn, keepsRunning)).containsEntry("state", "running");
    assertThat(vmFile(cn, stops)).containsEntry("state", "stopped").containsEntry("autoboot", false);
    assertThat(vmFile(cn, starts)).containsEntry("state", "running").containsEntry("autoboot", true);
    await(() -> "stopped".equals(vmapiVm(stops).get("state")) && "running".equals(vmapiVm(starts).get("state")),
        "VMAPI sees the states after boot");
    assertThat((List<Object>) http("GET", cnAgent + "/history", null)).isEmpty();
    await(() -> "running".equals(statusOf(cn)), "heartbeating again");
  }

  /** Power-off: gone until power-on (refused, rescans leave it off); power-on is a boot. Bad input: 4xx, no change. */
  @Test
  void powerOff_thenPowerOn_andBadInputChangesNothing() throws Exception {
    UUID cn = servers.get(0);
    awaitRegistered(cn);
    int port = daemon.fleet().running().get(cn).cnAgent().port();
    Object bootBefore = cnapiServerField(cn, "last_boot");

    assertThat(action(cn, "power-on", null)).satisfies(a -> {
      assertThat(a.getKey()).isEqualTo(409);
      assertThat(a.getValue()).containsEntry("code", "InvalidState");
    });
    assertThat(action(cn, "power-off", "{\"down_seconds\": 3}").getKey()).isEqualTo(409);
    assertThat(action(cn, "reboot", "{\"down_seconds\": -1}").getValue()).containsEntry("code", "InvalidArgument");
    assertThat(action(cn, "reboot", "{\"down\": 1}").getValue()).containsEntry("code", "InvalidArgument");
    assertThat(action(cn, "explode", null).getKey()).isEqualTo(404);
    assertThat(action(UUID.randomUUID(), "reboot", null).getValue()).containsEntry("code", "ResourceNotFound");
    assertThat(refusesConnections(port)).as("still running after bad input").isFalse();

    Map.Entry<Integer, Map<String, Object>> off = action(cn, "power-off", null);
    assertThat(off.getKey()).isEqualTo(200);
    assertThat(off.getValue()).containsEntry("state", "powered_off");
    assertThat(refusesConnections(port)).isTrue();
    assertThat(action(cn, "restart-agent", null).getKey()).isEqualTo(409);
    assertThat(daemon.fleet().running()).doesNotContainKey(cn);

    Map.Entry<Integer, Map<String, Object>> on = action(cn, "power-on", null);
    assertThat(on.getKey()).isEqualTo(200);
    assertThat(on.getValue()).containsEntry("state", "running");
    assertThat(refusesConnections(port)).isFalse();
    await(() -> !bootBefore.equals(cnapiServerField(cn, "last_boot")), "a new boot time at CNAPI");
  }

  /** restart-agent: a new cn-agent on the same port with an empty history; VMs untouched; boot time kept. */
  @Test
  @SuppressWarnings("unchecked")
  void restartAgent_emptiesHistory_samePort_vmsAndBootTimeUntouched() throws Exception {
    UUID cn = servers.get(2);
    awaitRegistered(cn);
    String vm = UUID.randomUUID().toString();
    cnapiTask("POST", "/servers/" + cn + "/vms", vmPayload(vm, 128));
    cnapiTask("POST", "/servers/" + cn + "/vms/" + vm + "/stop", Map.of());
    byte[] vmBefore = Files.readAllBytes(tmp.resolve("servers").resolve(cn.toString()).resolve("vms").resolve(vm + ".json"));
    Object bootBefore = cnapiServerField(cn, "last_boot");
    int port = daemon.fleet().running().get(cn).cnAgent().port();
    assertThat((List<Object>) http("GET", "http://127.0.0.1:" + port + "/history", null)).isNotEmpty();
    var agentBefore = daemon.fleet().running().get(cn).cnAgent();

    assertThat(action(cn, "restart-agent", null).getKey()).isEqualTo(200);

    var agentAfter = daemon.fleet().running().get(cn).cnAgent();
    assertThat(agentAfter).isNotSameAs(agentBefore);
    assertThat(agentAfter.port()).isEqualTo(port);
    assertThat((List<Object>) http("GET", "http://127.0.0.1:" + port + "/history", null)).isEmpty();
    await(() -> agentAfter.reporter().isRegistered(), "registered again");
    assertThat(Files.readAllBytes(tmp.resolve("servers").resolve(cn.toString()).resolve("vms").resolve(vm + ".json")))
        .isEqualTo(vmBefore);
    assertThat(cnapiServerField(cn, "last_boot")).isEqualTo(bootBefore);
    cnapiTask("POST", "/servers/" + cn + "/vms/" + vm + "/start", Map.of());
    assertThat(vmFile(cn, vm)).containsEntry("state", "running");
  }

  /**
   * CNAPI has the CN's record and its cn-agent has had the answer: cn-agent takes tasks only from
   * then on (before, POST /tasks answers 404), and the record alone is there a moment earlier.
   */
  private void awaitRegistered(UUID cn) throws Exception {
    await(() -> sandbox.cnapi().server(cn.toString()) != null && daemon.fleet().running().get(cn) != null
        && daemon.fleet().running().get(cn).cnAgent().reporter().isRegistered(), "registration");
  }

  /** The cmon-agent's GZ metrics of {@code cn}: the status, or -1 when the connection ends unanswered. */
  private int cmonStatus(UUID cn) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.cmon().port() + "/v1/gz/metrics"))
        .header("x-server-uuid", cn.toString()).timeout(Duration.ofSeconds(10)).GET().build();
    try {
      return HTTP.send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  /**
   * Agent pauses and the listener through a CN's behaviour file: VMAPI drifts while vm-agent is
   * paused and catches up when it resumes; listener refuse closes cn-agent's port while CNAPI
   * still sees heartbeats; a paused cmon-agent leaves CMON unanswered; removing the file undoes all.
   */
  @Test
  void behaviourFile_pausedVmAgentDrifts_thenCatchesUp_refusedListener_pausedCmon() throws Exception {
    UUID cn = servers.get(1);
    awaitHeartbeating(cn);
    Path file = tmp.resolve("servers").resolve(cn.toString()).resolve("behaviour.json");
    Files.writeString(file, "{\"vm_agent\": {\"mode\": \"pause\"}}");
    await(() -> daemon.fleet().running().get(cn).vmAgent().isStopped(), "vm-agent paused within 2 s");

    String vm = UUID.randomUUID().toString();
    cnapiTask("POST", "/servers/" + cn + "/vms", vmPayload(vm, 128));
    assertThat(vmFile(cn, vm)).containsEntry("state", "running");
    assertThat(vmapiVm(vm)).as("VMAPI while vm-agent is paused").doesNotContainEntry("state", "running");
    int port = daemon.fleet().running().get(cn).cnAgent().port();
    assertThat(cmonStatus(cn)).isEqualTo(200);

    Files.writeString(file, "{\"listener\": {\"mode\": \"refuse\"}, \"cmon_agent\": {\"mode\": \"pause\"}}");
    await(() -> "running".equals(vmapiVm(vm).get("state")), "VMAPI caught up once vm-agent resumed");
    await(() -> refusesConnections(port), "cn-agent refusing connections");
    assertThat(cmonStatus(cn)).as("paused cmon-agent").isEqualTo(-1);
    assertThat(cmonStatus(servers.get(0))).as("another CN's cmon-agent").isEqualTo(200);
    clock.advance(Duration.ofSeconds(12)); // past the heartbeat lifetime: only a new heartbeat makes it running
    await(() -> "running".equals(statusOf(cn)), "heartbeats going on while the listener refuses");

    Files.delete(file);
    await(() -> !refusesConnections(port), "cn-agent listening again on its port");
    cnapiTask("POST", "/servers/" + cn + "/vms/" + vm + "/stop", Map.of());
    await(() -> "stopped".equals(vmapiVm(vm).get("state")), "stopped in VMAPI");
    assertThat(cmonStatus(cn)).isEqualTo(200);
  }

  /** A paused net-agent: NAPI does not learn of a new VM's NIC until the agent resumes and does its full pass. */
  @Test
  void behaviourFile_pausedNetAgent_napiDrifts_thenCatchesUp() throws Exception {
    UUID cn = servers.get(0);
    awaitHeartbeating(cn);
    Path file = tmp.resolve("servers").resolve(cn.toString()).resolve("behaviour.json");
    Files.writeString(file, "{\"net_agent\": {\"mode\": \"pause\"}}");
    await(() -> daemon.fleet().running().get(cn).netAgent().isStopped(), "net-agent paused within 2 s");

    String vm = UUID.randomUUID().toString();
    String mac = "90:b8:d0:65:43:21";
    Map<String, Object> nic = new LinkedHashMap<>();
    nic.put("mac", mac);
    nic.put("primary", true);
    nic.put("ip", "10.88.88.51");
    nic.put("netmask", "255.255.255.0");
    nic.put("nic_tag", "external");
    nic.put("vlan_id", 0);
    Map<String, Object> create = vmPayload(vm, 128);
    create.put("nics", List.of(nic));
    cnapiTask("POST", "/servers/" + cn + "/vms", create);
    assertThat(sandbox.napi().nics().find(mac)).as("NAPI while net-agent is paused").isNull();

    Files.delete(file);
    await(() -> {
      Map<String, Object> n = sandbox.napi().nics().find(mac);
      return n != null && vm.equals(n.get("belongs_to_uuid")) && cn.toString().equals(n.get("cn_uuid"));
    }, "the VM's NIC in NAPI once net-agent resumed");
    assertThat(daemon.fleet().running().get(cn).netAgent().isStopped()).isFalse();
  }

  /** 200 nop tasks through CNAPI, as CNAPI records them: 'F' for status failure, '.' for complete. */
  @SuppressWarnings("unchecked")
  private String nopOutcomes(UUID cn) throws Exception {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      Map<String, Object> accepted = (Map<String, Object>) http("POST", sandbox.cnapiUrl() + "/servers/" + cn + "/nop",
          Map.of());
      Map<String, Object> task = (Map<String, Object>) http("GET", sandbox.cnapiUrl() + "/tasks/" + accepted.get("id")
          + "/wait?timeout=30", null);
      assertThat(task.get("status")).isIn("complete", "failure");
      out.append("failure".equals(task.get("status")) ? 'F' : '.');
    }
    return out.toString();
  }

  /**
   * fail_rate 0.25 with a seed, through CNAPI: the failures over 200 tasks lie within binomial
   * bounds (±4.5 standard deviations of 50), and the file written again repeats them exactly.
   */
  @Test
  void behaviourFile_failRateWithASeed_withinBinomialBounds_andRepeatsExactly() throws Exception {
    UUID cn = servers.get(1);
    awaitRegistered(cn);
    Path file = tmp.resolve("behaviour.json");
    String profile = "{\"tasks\": {\"nop\": {\"fail_rate\": 0.25}}, \"seed\": 16}";
    CnBehaviour behaviour = daemon.fleet().running().get(cn).cnAgent().context().behaviour();
    Files.writeString(file, profile);
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 10_000));
    Await.require(Duration.ofSeconds(2), () -> behaviour.current().task("nop") != null, "the file within 2 s");
    String first = nopOutcomes(cn);

    Object applied = behaviour.current();
    Files.writeString(file, profile); // the same file again: the seeded sequence restarts
    Await.require(Duration.ofSeconds(2), () -> behaviour.current() != applied, "the file applied again within 2 s");
    String again = nopOutcomes(cn);

    long failed = first.chars().filter(c -> c == 'F').count();
    assertThat(failed).isBetween(50L - 28, 50L + 28);
    assertThat(again).isEqualTo(first);
  }

  @SuppressWarnings("unchecked")
  private Map.Entry<Integer, Map<String, Object>> vmAction(String vm, String action, String body) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(daemon.control().baseUrl() + "/vms/" + vm + "/actions/" + action))
        .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<byte[]> a = HTTP.send(r, HttpResponse.BodyHandlers.ofByteArray());
    return Map.entry(a.statusCode(), (Map<String, Object>) Json.parse(a.body()));
  }

  /** A VM that crashes with no task: stopped with its exit status, on disk and in VMAPI; one that starts on its own. */
  @Test
  void vmCrash_isSeenByVmapi_withExitStatus_andAStateChangeOnItsOwnToo() throws Exception {
    UUID cn = servers.get(0);
    awaitRegistered(cn);
    String vm = UUID.randomUUID().toString();
    cnapiTask("POST", "/servers/" + cn + "/vms", vmPayload(vm, 128));
    await(() -> "running".equals(vmapiVm(vm).get("state")), "running in VMAPI");

    assertThat(vmAction(vm, "crash", "{\"exit_status\": 300}").getValue()).containsEntry("code", "InvalidArgument");
    assertThat(vmAction(vm, "explode", "{}").getKey()).isEqualTo(404);
    assertThat(vmAction(UUID.randomUUID().toString(), "crash", "{}").getValue()).containsEntry("code", "ResourceNotFound");
    assertThat(vmFile(cn, vm)).containsEntry("state", "running");

    Map.Entry<Integer, Map<String, Object>> crashed = vmAction(vm, "crash", "{\"exit_status\": 137}");
    assertThat(crashed.getKey()).isEqualTo(200);
    assertThat(crashed.getValue()).containsEntry("state", "stopped").containsEntry("exit_status", 137)
        .containsEntry("server_uuid", cn.toString());
    assertThat(vmFile(cn, vm)).containsEntry("state", "stopped").containsEntry("autoboot", true);
    await(() -> "stopped".equals(vmapiVm(vm).get("state")) && Integer.valueOf(137).equals(vmapiVm(vm).get("exit_status")),
        "the crash in VMAPI");

    assertThat(vmAction(vm, "set-state", "{\"state\": \"running\"}").getKey()).isEqualTo(200);
    await(() -> "running".equals(vmapiVm(vm).get("state")), "running on its own in VMAPI");
  }

  /** One request to the control port: status and parsed body (null when none). */
  private Map.Entry<Integer, Object> control(String method, String path, String body) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(daemon.control().baseUrl() + path)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<byte[]> a = HTTP.send(r, HttpResponse.BodyHandlers.ofByteArray());
    return new java.util.AbstractMap.SimpleEntry<>(a.statusCode(), a.body().length == 0 ? null : Json.parse(a.body()));
  }

  /**
   * The behaviour files over the control API: a PUT is in effect when it answers (here the
   * listener's 503), GET gives it back (or merged with the fleet's), a bad one is refused with the
   * file's words and changes nothing, DELETE takes it away.
   */
  @Test
  @SuppressWarnings("unchecked")
  void controlApi_putGetDeleteBehaviour_fleetAndOneCn() throws Exception {
    UUID cn = servers.get(1);
    awaitRegistered(cn);
    String cnAgent = "http://127.0.0.1:" + daemon.fleet().running().get(cn).cnAgent().port();
    Path cnFile = tmp.resolve("servers").resolve(cn.toString()).resolve("behaviour.json");

    assertThat(control("GET", "/behaviour", null)).isEqualTo(Map.entry(200, Map.of()));
    assertThat(control("PUT", "/servers/" + cn + "/behaviour", "{\"listener\": {\"mode\": \"unavailable\"}}").getKey())
        .isEqualTo(200);
    HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(cnAgent + "/history")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).as("in effect when the PUT answered").isEqualTo(503);
    assertThat(Json.parseObject(Files.readAllBytes(cnFile))).containsKey("listener");

    assertThat(control("PUT", "/behaviour", "{\"tasks\": {\"nop\": {\"latency_ms\": 5}}, \"seed\": 3}").getKey())
        .isEqualTo(200);
    assertThat(control("GET", "/servers/" + cn + "/behaviour", null).getValue())
        .isEqualTo(Map.of("listener", Map.of("mode", "unavailable")));
    assertThat((Map<String, Object>) control("GET", "/servers/" + cn + "/behaviour?effective=true", null).getValue())
        .containsKeys("listener", "tasks", "seed");

    Map.Entry<Integer, Object> bad = control("PUT", "/servers/" + cn + "/behaviour", "{\"listener\": {\"mode\": \"off\"}}");
    assertThat(bad.getKey()).isEqualTo(409);
    assertThat((Map<String, Object>) bad.getValue()).containsEntry("code", "InvalidArgument")
        .containsEntry("message", "listener.mode: must be one of \"normal\", \"refuse\", \"hang\", \"unavailable\"");
    assertThat(Json.parseObject(Files.readAllBytes(cnFile))).isEqualTo(Map.of("listener", Map.of("mode", "unavailable")));
    assertThat(control("PUT", "/behaviour", "[1]").getKey()).isEqualTo(409);
    assertThat(control("PUT", "/behaviour", null).getKey()).isEqualTo(400);
    assertThat(control("GET", "/servers/" + UUID.randomUUID() + "/behaviour", null).getKey()).isEqualTo(404);
    assertThat(control("GET", "/servers/nope/behaviour", null).getKey()).isEqualTo(409);

    assertThat(control("DELETE", "/servers/" + cn + "/behaviour", null).getKey()).isEqualTo(204);
    assertThat(cnFile).doesNotExist();
    assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(cnAgent + "/history")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    assertThat(control("DELETE", "/behaviour", null).getKey()).isEqualTo(204);
    assertThat(tmp.resolve("behaviour.json")).doesNotExist();
    assertThat(daemon.fleet().running().get(cn).cnAgent().context().behaviour().current().isIdeal()).isTrue();
  }

  /** A 3 s machine_create latency in the fleet's file: CNAPI's task stays active for 3 s, then completes. */
  @Test
  @SuppressWarnings("unchecked")
  void behaviourFile_machineCreateLatency_keepsCnapisTaskActiveThatLong() throws Exception {
    UUID cn = servers.get(0);
    awaitRegistered(cn);
    Files.writeString(tmp.resolve("behaviour.json"), "{\"tasks\": {\"machine_create\": {\"latency_ms\": 3000}}}");
    CnBehaviour behaviour = daemon.fleet().running().get(cn).cnAgent().context().behaviour();
    Await.require(Duration.ofSeconds(2), () -> behaviour.current().task("machine_create") != null,
        "the fleet's file to take effect within 2 s");
    String vm = UUID.randomUUID().toString();
    Map<String, Object> create = vmPayload(vm, 256);

    long start = System.nanoTime();
    Map<String, Object> accepted = (Map<String, Object>) http("POST", sandbox.cnapiUrl() + "/servers/" + cn + "/vms",
        create);
    String id = (String) accepted.get("id");
    Map<String, Object> during = (Map<String, Object>) http("GET", sandbox.cnapiUrl() + "/tasks/" + id, null);
    assertThat(during).containsEntry("status", "active");
    assertThat(Files.exists(tmp.resolve("servers").resolve(cn.toString()).resolve("vms").resolve(vm + ".json"))).isFalse();
    Map<String, Object> done = (Map<String, Object>) http("GET", sandbox.cnapiUrl() + "/tasks/" + id + "/wait?timeout=30",
        null);
    long tookMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(done).containsEntry("status", "complete");
    assertThat(tookMs).isGreaterThanOrEqualTo(3000);
    assertThat(vmFile(cn, vm)).containsEntry("state", "running");
  }
}
