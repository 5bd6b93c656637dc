package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.cnagent.CnAgentOptions;
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
 * The smartos backend's tasks through the sandbox CNAPI, against a CN run by run-servers:
 * VmKill, VmProc, VmInfo and VmVnc, checked in CNAPI's answers and task records, on disk and
 * in VMAPI.
 */
class SmartosTasksEndToEndTest {
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
    for (int i = 0; i < 1; i++) {
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
    return (Map<String, Object>) http("GET", sandbox.cnapiUrl() + "/tasks/" + id + "/wait?timeout=30", null);
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

  @SuppressWarnings("unchecked")
  private Map<String, Object> vmapiVm(String vm) {
    try {
      return (Map<String, Object>) http("GET", sandbox.vmapiUrl() + "/vms/" + vm, null);
    } catch (Throwable e) {
      return Map.of();
    }
  }

  private String createVm(UUID cn, String brand) throws Exception {
    await(() -> sandbox.cnapi().server(cn.toString()) != null, "registration of " + cn);
    await(() -> "running".equals(statusOf(cn)), "running " + cn);
    String vm = UUID.randomUUID().toString();
    Map<String, Object> create = new LinkedHashMap<>();
    create.put("uuid", vm);
    create.put("brand", brand);
    create.put("owner_uuid", sandbox.adminUuid());
    create.put("ram", 1024);
    create.put("image_uuid", "2b683a82-a066-11e3-97ab-2faa44701c5a");
    create.put("nics", List.of());
    assertThat(cnapiTask("POST", "/servers/" + cn + "/vms", create)).containsEntry("status", "complete");
    return vm;
  }

  @Test
  @SuppressWarnings("unchecked")
  void vmKill_throughCnapi_stopsTheVmKeepingAutoboot_andASecondKillFailsAsOnARealCn() throws Exception {
    UUID cn = servers.get(0);
    String vm = createVm(cn, "joyent-minimal");

    Map<String, Object> task = cnapiTask("POST", "/servers/" + cn + "/vms/" + vm + "/kill", Map.of("signal", "SIGKILL"));

    assertThat(task).containsEntry("task", "machine_kill").containsEntry("status", "complete");
    Map<String, Object> finish = (Map<String, Object>) ((List<Map<String, Object>>) task.get("history")).get(0);
    assertThat((Map<String, Object>) ((Map<String, Object>) finish.get("event")).get("vm"))
        .containsEntry("state", "stopped");
    assertThat(vmFile(cn, vm)).containsEntry("state", "stopped").containsEntry("autoboot", true);
    await(() -> "stopped".equals(vmapiVm(vm).get("state")), "stopped in VMAPI");

    Map<String, Object> again = cnapiTask("POST", "/servers/" + cn + "/vms/" + vm + "/kill", Map.of());
    assertThat(again).containsEntry("status", "failure");
    assertThat(Json.compact(again.get("history")))
        .contains("{\"error\":{\"message\":\"vmadm.kill error: vmadm exited with code: 1 signal: null\"}}");
  }

  @Test
  void vmProcInfoAndVnc_throughCnapi_answerWhatTheCnSays() throws Exception {
    UUID cn = servers.get(0);
    String zone = createVm(cn, "joyent-minimal");
    String kvm = createVm(cn, "kvm");

    assertThat(http("GET", sandbox.cnapiUrl() + "/servers/" + cn + "/vms/" + zone + "/proc", null)).isEqualTo(Map.of());
    Object info = http("GET", sandbox.cnapiUrl() + "/servers/" + cn + "/vms/" + kvm + "/info?info=status", null);
    assertThat(info).isInstanceOf(String.class);
    assertThat(Json.parseObject((String) info)).isEqualTo(Map.of("status", Map.of("status", "running")));
    assertThat(http("GET", sandbox.cnapiUrl() + "/servers/" + cn + "/vms/" + kvm + "/vnc", null))
        .isEqualTo(Map.of("host", "127.0.0.1", "port", 0));

    HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.cnapiUrl() + "/servers/" + cn
        + "/vms/" + UUID.randomUUID() + "/info")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("ResourceNotFound");
  }
}
