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
    await(() -> sandbox.cnapi().server(cn.toString()) != null && "running".equals(statusOf(cn)), "running");
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
    await(() -> sandbox.cnapi().server(cn.toString()) != null, "registration");
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
    await(() -> sandbox.cnapi().server(cn.toString()) != null && "running".equals(statusOf(cn)), "running");
    Path file = tmp.resolve("servers").resolve(cn.toString()).resolve("behaviour.json");
    Files.writeString(file, "{\"heartbeat\": {\"mode\": \"stop\"}}");
    CnBehaviour behaviour = daemon.fleet().running().get(cn).cnAgent().context().behaviour();
    Await.require(Duration.ofSeconds(2), () -> behaviour.current().heartbeat().mode() == HeartbeatMode.STOP,
        "the file to take effect within 2 s");
    CnapiReporter reporter = daemon.fleet().running().get(cn).cnAgent().reporter();
    await(() -> !reporter.isAwaitingAnswer(), "a heartbeat on its way to land");

    clock.advance(Duration.ofSeconds(12)); // past CNAPI's 11 s heartbeat lifetime, as 12 s without one
    assertThat(statusOf(cn)).isEqualTo("unknown");
    // A heartbeat interval later the other CNs are running again; this one, silent, is not.
    await(() -> "running".equals(statusOf(servers.get(0))) && "running".equals(statusOf(servers.get(1))),
        "the other CNs' next heartbeats");
    assertThat(statusOf(cn)).isEqualTo("unknown");

    Files.delete(file);
    await(() -> "running".equals(statusOf(cn)), "running again");
  }

  /** A 3 s machine_create latency in the fleet's file: CNAPI's task stays active for 3 s, then completes. */
  @Test
  @SuppressWarnings("unchecked")
  void behaviourFile_machineCreateLatency_keepsCnapisTaskActiveThatLong() throws Exception {
    UUID cn = servers.get(0);
    await(() -> sandbox.cnapi().server(cn.toString()) != null, "registration");
    Files.writeString(tmp.resolve("behaviour.json"), "{\"tasks\": {\"machine_create\": {\"latency_ms\": 3000}}}");
    CnBehaviour behaviour = daemon.fleet().running().get(cn).cnAgent().context().behaviour();
    Await.require(Duration.ofSeconds(2), () -> behaviour.current().task("machine_create") != null,
        "the fleet's file to take effect within 2 s");
    String vm = UUID.randomUUID().toString();
    Map<String, Object> create = new LinkedHashMap<>();
    create.put("uuid", vm);
    create.put("brand", "joyent-minimal");
    create.put("owner_uuid", sandbox.adminUuid());
    create.put("ram", 256);
    create.put("image_uuid", "2b683a82-a066-11e3-97ab-2faa44701c5a");
    create.put("nics", List.of());

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
