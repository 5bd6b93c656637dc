package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.testing.TestClock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CnapiServerEndpointsTest {
  private static final String CN = Fixtures.CN_A;
  private final TestClock clock = TestClock.frozen();
  private Sandbox sandbox;
  private String cnapi;

  @BeforeEach
  void start() {
    sandbox = Sandbox.start(SandboxOptions.defaults().withDatacenter("testdc").withClock(clock));
    cnapi = sandbox.cnapiUrl();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private void register(String uuid) {
    TestHttp.Reply r = TestHttp.post(cnapi + "/servers/" + uuid + "/sysinfo",
        Map.of("sysinfo", Fixtures.sysinfo(uuid, "127.0.0.1", 5309)));
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  @SuppressWarnings("unchecked")
  void sysinfo_newServer_answers200EmptyAndCreatesRecord() {
    TestHttp.Reply r = TestHttp.post(cnapi + "/servers/" + CN + "/sysinfo",
        Map.of("sysinfo", Fixtures.sysinfo(CN, "127.0.0.1", 5309)));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(r.header("Content-Type")).isNull();
    assertThat(r.header("Server")).isEqualTo("cnapi/1.26.4");
    assertThat(r.header("x-request-id")).isNotEmpty();

    Map<String, Object> rec = sandbox.cnapi().server(CN);
    assertThat(rec).containsEntry("uuid", CN).containsEntry("hostname", "VC23A9FA13")
        .containsEntry("system_type", "Virtual").containsEntry("setup", true).containsEntry("ram", 262111)
        .containsEntry("headnode", false).containsEntry("current_platform", "20210101T000000Z")
        .containsEntry("created", "2025-11-25T09:53:34.000Z").containsEntry("last_boot", "2025-11-25T09:53:34.000Z")
        .containsEntry("datacenter", "testdc").containsEntry("status", "running");
    // sysinfo is stored verbatim, CN Agent IP/Port included; its NIC tags now exist in NAPI.
    assertThat((Map<String, Object>) rec.get("sysinfo")).containsEntry("CN Agent Port", 5309);
    assertThat(sandbox.napi().nicTags().exists("sdc_underlay")).isTrue();
  }

  @Test
  void sysinfo_extraParam_is409NotExplicitlyDefined() {
    TestHttp.Reply r = TestHttp.post(cnapi + "/servers/" + CN + "/sysinfo?foo=1",
        Map.of("sysinfo", Fixtures.sysinfo(CN, "127.0.0.1", 5309)));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.body()).isEqualTo(
        "{\"code\":\"InvalidArgument\",\"message\":\"foo is not an explicitly defined parameter\"}");
    TestHttp.Reply body = TestHttp.post(cnapi + "/servers/" + CN + "/sysinfo",
        Map.of("sysinfo", Fixtures.sysinfo(CN, "127.0.0.1", 5309), "agents", List.of()));
    assertThat(body.status()).isEqualTo(409);
    assertThat(body.object()).containsEntry("message", "agents is not an explicitly defined parameter");
    assertThat(sandbox.cnapi().server(CN)).isNull();
  }

  @Test
  void sysinfo_missingOrMismatched_isRejectedAndStoresNothing() {
    TestHttp.Reply missing = TestHttp.post(cnapi + "/servers/" + CN + "/sysinfo", Map.of());
    assertThat(missing.status()).isEqualTo(500);
    assertThat(missing.object()).containsEntry("code", "InvalidParameters");
    assertThat(missing.errorFields()).containsExactly("sysinfo");
    TestHttp.Reply mismatch = TestHttp.post(cnapi + "/servers/" + CN + "/sysinfo",
        Map.of("sysinfo", Fixtures.sysinfo(Fixtures.CN_B, "127.0.0.1", 5309)));
    assertThat(mismatch.status()).isEqualTo(500);
    assertThat(mismatch.object()).containsEntry("code", "InternalError");
    assertThat(sandbox.cnapi().servers().size()).isZero();
  }

  @Test
  void listServers_withoutExtras_rendersGoldenShape() {
    register(CN);
    TestHttp.Reply r = TestHttp.get(cnapi + "/servers");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.array()).hasSize(1);
    assertThat(List.copyOf(r.array().get(0).keySet())).containsExactly("comments", "datacenter", "rack_identifier",
        "reservation_ratio", "reserved", "reservoir", "status", "traits", "uuid", "boot_params", "default_console",
        "kernel_flags", "serial", "created", "current_platform", "headnode", "hostname", "system_type", "last_boot",
        "ram", "setup");
    assertThat(r.array().get(0)).containsEntry("status", "running").containsEntry("reservation_ratio", 0.15);
  }

  @Test
  void listServers_extrasAndFieldsAndFilters() {
    register(CN);
    register(Fixtures.CN_B);
    TestHttp.post(cnapi + "/servers/" + CN + "/events/heartbeat", Map.of());
    TestHttp.post(cnapi + "/servers/" + CN, Map.of("agents", List.of(Map.of("name", "cn-agent", "version", "2.14.5"))));

    Map<String, Object> a = TestHttp.get(cnapi + "/servers?extras=status,last_heartbeat,agents").array().get(0);
    assertThat(a).containsKey("agents").doesNotContainKeys("sysinfo", "vms")
        .containsEntry("last_heartbeat", "2026-11-25T10:00:00.000Z");
    assertThat(List.copyOf(a.keySet())).last().isEqualTo("last_heartbeat");

    Map<String, Object> all = TestHttp.get(cnapi + "/servers?extras=all").array().get(0);
    assertThat(all).containsKeys("sysinfo", "vms", "agents", "memory_provisionable_bytes", "unreserved_ram");

    assertThat(TestHttp.get(cnapi + "/servers?uuids=" + Fixtures.CN_B + "&fields=uuid,status").array())
        .containsExactly(Map.of("uuid", Fixtures.CN_B, "status", "running"));
    assertThat(TestHttp.get(cnapi + "/servers?setup=TRUE&limit=1&offset=1").array())
        .extracting(s -> s.get("uuid")).containsExactly(Fixtures.CN_B);
    assertThat(TestHttp.get(cnapi + "/servers?headnode=true").array()).isEmpty();
    assertThat(TestHttp.get(cnapi + "/servers?hostname=VC23A9FA13").array()).hasSize(1);
  }

  @Test
  void listServers_badParams_areCnapiErrors() {
    TestHttp.Reply limit = TestHttp.get(cnapi + "/servers?limit=0");
    assertThat(limit.status()).isEqualTo(400);
    assertThat(limit.body()).isEqualTo("{\"code\":\"InvalidParameters\",\"message\":\"Request parameters failed "
        + "validation\",\"errors\":[{\"field\":\"limit\",\"code\":\"Invalid\",\"message\":\"limit must be in the "
        + "range 1-1000 (inclusive)\"}]}");
    TestHttp.Reply unknown = TestHttp.get(cnapi + "/servers?color=red");
    assertThat(unknown.status()).isEqualTo(409);
    assertThat(unknown.object()).containsEntry("message", "color is not an explicitly defined parameter");
    TestHttp.Reply bool = TestHttp.get(cnapi + "/servers?setup=maybe");
    assertThat(bool.status()).isEqualTo(500);
    assertThat(bool.errorFields()).containsExactly("setup");
  }

  @Test
  void getServer_includesEverythingAndCapacity() {
    register(CN);
    TestHttp.post(cnapi + "/servers/" + CN + "/events/status", Fixtures.statusBody());
    TestHttp.Reply r = TestHttp.get(cnapi + "/servers/" + CN);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object()).containsKeys("agents", "sysinfo", "vms", "memory_provisionable_bytes",
            "disk_pool_size_bytes", "overprovision_ratios")
        .containsEntry("last_heartbeat", null).containsEntry("status", "running")
        .containsEntry("memory_available_bytes", 274877906944L).containsEntry("memory_arc_bytes", 42)
        .containsEntry("unreserved_cpu", 3200).containsEntry("unreserved_disk", 461373)
        .containsEntry("vms", Map.of());
  }

  @Test
  void getServer_missingOrInvalid_isNotFoundOrInvalidArgument() {
    TestHttp.Reply missing = TestHttp.get(cnapi + "/servers/" + CN);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"Server " + CN + " not found\"}");
    TestHttp.Reply invalid = TestHttp.get(cnapi + "/servers/not-a-uuid");
    assertThat(invalid.status()).isEqualTo(409);
    assertThat(invalid.object()).containsEntry("code", "InvalidArgument").containsEntry("message", "Invalid server_uuid");
    TestHttp.Reply extra = TestHttp.get(cnapi + "/servers/" + CN + "?extras=all");
    assertThat(extra.status()).isEqualTo(409);
  }

  @Test
  void vmList_isVmapisListOfTheServer_inEveryState_withCnapisFields() {
    TestHttp.Reply unknown = TestHttp.get(cnapi + "/servers/" + CN + "/vms");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.object()).containsEntry("code", "ResourceNotFound")
        .containsEntry("message", "Server " + CN + " not found");
    register(CN);
    String running = "11111111-1111-4111-8111-111111111111";
    String gone = "22222222-2222-4222-8222-222222222222";
    Map<String, Object> vms = new LinkedHashMap<>();
    vms.put(running, Map.of("uuid", running, "server_uuid", CN, "state", "running", "zone_state", "running",
        "brand", "joyent-minimal", "owner_uuid", Fixtures.CN_B, "max_physical_memory", 256, "quota", 10,
        "alias", "web0", "create_timestamp", "2026-01-02T00:00:00.000Z"));
    vms.put(gone, Map.of("uuid", gone, "server_uuid", CN, "state", "destroyed", "zone_state", "destroyed",
        "brand", "joyent", "owner_uuid", Fixtures.CN_B, "create_timestamp", "2026-01-01T00:00:00.000Z"));
    assertThat(TestHttp.put(sandbox.vmapiUrl() + "/vms?server_uuid=" + CN, Map.of("vms", vms)).status())
        .isEqualTo(200);

    TestHttp.Reply list = TestHttp.get(cnapi + "/servers/" + CN + "/vms");
    assertThat(list.status()).isEqualTo(200);
    List<Map<String, Object>> got = list.array();
    // VMAPI's default order: uuid descending.
    assertThat(got).extracting(vm -> vm.get("uuid")).containsExactly(gone, running);
    assertThat(got.get(1)).containsEntry("state", "running").containsEntry("max_physical_memory", 256)
        .containsEntry("quota", 10).doesNotContainKeys("alias", "server_uuid", "nics");
    assertThat(got.get(1).keySet()).isSubsetOf(VmapiVms.CNAPI_VM_LIST_FIELDS);
    assertThat(got.get(0)).containsEntry("state", "destroyed");
  }

  @Test
  @SuppressWarnings("unchecked")
  void capacity_ofEverySetUpRunningServer_orOfThoseAsked_andBadListsRefused() {
    register(CN);
    register(Fixtures.CN_B);
    Map<String, Object> all = (Map<String, Object>) TestHttp.post(cnapi + "/capacity", Map.of()).object()
        .get("capacities");
    assertThat(all).containsOnlyKeys(CN, Fixtures.CN_B);
    Map<String, Object> one = (Map<String, Object>) all.get(CN);
    assertThat(one).containsOnlyKeys("cpu", "ram", "disk");
    assertThat(one.get("ram")).isEqualTo(TestHttp.get(cnapi + "/servers/" + CN).object().get("unreserved_ram"));
    assertThat((Map<String, Object>) TestHttp.post(cnapi + "/capacity", Map.of("servers", List.of(CN))).object()
        .get("capacities")).containsOnlyKeys(CN);
    TestHttp.Reply notList = TestHttp.post(cnapi + "/capacity", Map.of("servers", CN));
    assertThat(notList.status()).isEqualTo(500);
    assertThat(notList.object()).containsEntry("code", "InvalidParameters");
    TestHttp.Reply badUuid = TestHttp.post(cnapi + "/capacity", Map.of("servers", List.of("nope")));
    assertThat(badUuid.status()).isEqualTo(500);
    assertThat(badUuid.errors()).extracting(e -> e.get("message")).containsExactly("invalid server UUID");
  }

  @Test
  void platforms_areThoseTheServersRun_theNewestLatest() {
    assertThat(TestHttp.get(cnapi + "/platforms").object()).isEmpty();
    register(CN);
    Map<String, Object> newer = new LinkedHashMap<>(Fixtures.sysinfo(Fixtures.CN_B, "127.0.0.1", 5310));
    newer.put("Live Image", "20240101T000000Z");
    assertThat(TestHttp.post(cnapi + "/servers/" + Fixtures.CN_B + "/sysinfo", Map.of("sysinfo", newer)).status())
        .isEqualTo(200);
    assertThat(TestHttp.get(cnapi + "/platforms").object()).isEqualTo(Map.of("20210101T000000Z", Map.of(),
        "20240101T000000Z", Map.of("latest", true)));
    assertThat(TestHttp.get(cnapi + "/platforms?os=true").object()).isEqualTo(Map.of(
        "20210101T000000Z", Map.of("os", "smartos"), "20240101T000000Z", Map.of("os", "smartos", "latest", true)));
    assertThat(TestHttp.get(cnapi + "/platforms?os=maybe").status()).isEqualTo(500);
    assertThat(TestHttp.get(cnapi + "/platforms?colour=red").status()).isEqualTo(409);
  }

  @Test
  void setupAndFactoryReset_arePuts_setupOfASetUpServerIs204_theWorkflowsAre501WithoutAFleet() {
    register(CN);
    assertThat(TestHttp.put(cnapi + "/servers/" + CN + "/setup", Map.of()).status()).isEqualTo(204);
    TestHttp.Reply reset = TestHttp.put(cnapi + "/servers/" + CN + "/factory-reset", Map.of());
    assertThat(reset.status()).isEqualTo(501);
    assertThat(reset.object()).containsEntry("code", "NotImplementedError");
    Map<String, Object> unsetup = new java.util.LinkedHashMap<>(Fixtures.sysinfo(Fixtures.CN_B, "127.0.0.1", 5309));
    unsetup.put("Setup", "false");
    TestHttp.post(cnapi + "/servers/" + Fixtures.CN_B + "/sysinfo", Map.of("sysinfo", unsetup));
    TestHttp.Reply setup = TestHttp.put(cnapi + "/servers/" + Fixtures.CN_B + "/setup", Map.of());
    assertThat(setup.status()).isEqualTo(501);
    assertThat((String) setup.object().get("message")).startsWith("the server-setup workflow");
    for (String what : List.of("setup", "factory-reset")) {
      assertThat(TestHttp.post(cnapi + "/servers/" + CN + "/" + what, Map.of()).status()).as(what).isEqualTo(405);
    }
  }

  @Test
  void heartbeat_answers204_evenForUnknownServer_andIsStrict() {
    TestHttp.Reply r = TestHttp.post(cnapi + "/servers/" + CN + "/events/heartbeat", Map.of());
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(r.header("Content-Type")).isNull();
    TestHttp.Reply strict = TestHttp.post(cnapi + "/servers/" + CN + "/events/heartbeat", Map.of("x", 1));
    assertThat(strict.status()).isEqualTo(409);
    assertThat(strict.object()).containsEntry("message", "x is not an explicitly defined parameter");
  }

  @Test
  void status_runningUntilElevenSecondsWithoutHeartbeat_thenUnknown_thenBack() {
    register(CN);
    TestHttp.post(cnapi + "/servers/" + CN + "/events/heartbeat", Map.of());
    clock.advance(Duration.ofMillis(11_000));
    assertThat(TestHttp.get(cnapi + "/servers/" + CN).object()).containsEntry("status", "running")
        .containsEntry("last_heartbeat", "2026-11-25T10:00:00.000Z");

    clock.advance(Duration.ofMillis(1));
    Map<String, Object> stale = TestHttp.get(cnapi + "/servers/" + CN).object();
    assertThat(stale).containsEntry("status", "unknown").containsEntry("last_heartbeat", null);
    assertThat(sandbox.cnapi().servers().statusOf(CN)).isEqualTo("unknown");

    TestHttp.post(cnapi + "/servers/" + CN + "/events/heartbeat", Map.of());
    assertThat(TestHttp.get(cnapi + "/servers?fields=status").array()).containsExactly(Map.of("status", "running"));
  }

  @Test
  void status_neverHeartbeated_staysRunning() {
    register(CN);
    clock.advance(Duration.ofSeconds(60));
    assertThat(sandbox.cnapi().servers().statusOf(CN)).isEqualTo("running");
    assertThat(sandbox.cnapi().servers().lastHeartbeat(CN)).isNull();
  }

  @Test
  void statusReport_vmsAreListedAsReported_andTheNextReportReplacesThem() {
    register(CN);
    Map<String, Object> vm = new LinkedHashMap<>();
    vm.put("uuid", "9a9b7b5e-35d6-4c85-9d70-0f3e2fb0b5a1");
    vm.put("owner_uuid", "930896af-bf8c-48d4-885c-6573a94b1853");
    vm.put("quota", 25);
    vm.put("max_physical_memory", 1024);
    vm.put("zone_state", "running");
    vm.put("state", "running");
    vm.put("brand", "joyent-minimal");
    vm.put("cpu_cap", 100.5);
    vm.put("last_modified", "2026-12-05T10:00:00.000Z");
    Map<String, Object> vms = new LinkedHashMap<>();
    vms.put((String) vm.get("uuid"), vm);
    Map<String, Object> body = Fixtures.statusBody();
    body.put("vms", vms);
    assertThat(TestHttp.post(cnapi + "/servers/" + CN + "/events/status", body).status()).isEqualTo(204);

    TestHttp.Reply listed = TestHttp.get(cnapi + "/servers?extras=vms");
    assertThat(listed.array().get(0).get("vms")).isEqualTo(vms);
    assertThat(listed.body()).contains("\"cpu_cap\":100.5,");
    // 1 GiB less than the golden figure of the report without VMs
    assertThat(sandbox.cnapi().server(CN)).containsEntry("vms", vms)
        .containsEntry("memory_provisionable_bytes", 233616808345L - 1024L * 1024 * 1024);

    assertThat(TestHttp.post(cnapi + "/servers/" + CN + "/events/status", Fixtures.statusBody()).status())
        .isEqualTo(204);
    assertThat(TestHttp.get(cnapi + "/servers?extras=vms").array().get(0).get("vms")).isEqualTo(Map.of());
    assertThat(TestHttp.get(cnapi + "/servers").array().get(0)).doesNotContainKey("vms");
  }

  @Test
  void statusReport_storesMemoryAndDisk_unknownServerIs404() {
    // memory_provisionable_bytes below is the value the real CNAPI rendered in the golden trace.
    register(CN);
    TestHttp.Reply ok = TestHttp.post(cnapi + "/servers/" + CN + "/events/status", Fixtures.statusBody());
    assertThat(ok.status()).isEqualTo(204);
    Map<String, Object> rec = sandbox.cnapi().server(CN);
    assertThat(rec).containsEntry("memory_total_bytes", 274877906944L).containsEntry("disk_pool_alloc_bytes",
        549755813888L).containsEntry("memory_provisionable_bytes", 233616808345L).doesNotContainKeys("zpoolStatus",
        "boot_time", "timestamp");
    TestHttp.Reply missing = TestHttp.post(cnapi + "/servers/" + Fixtures.CN_B + "/events/status", Fixtures.statusBody());
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.object()).containsEntry("message", "Server " + Fixtures.CN_B + " not found");
  }

  @Test
  void serverUpdate_agents_is204_unknownKeyIs409_missingServerIs404() {
    register(CN);
    List<Map<String, Object>> agents = List.of(Map.of("name", "cn-agent", "version", "2.14.5"));
    TestHttp.Reply ok = TestHttp.post(cnapi + "/servers/" + CN, Map.of("agents", agents));
    assertThat(ok.status()).isEqualTo(204);
    assertThat(sandbox.cnapi().server(CN)).containsEntry("agents", agents);
    TestHttp.Reply strict = TestHttp.post(cnapi + "/servers/" + CN, Map.of("hostname", "x"));
    assertThat(strict.status()).isEqualTo(409);
    assertThat(strict.object()).containsEntry("message", "hostname is not an explicitly defined parameter");
    TestHttp.Reply missing = TestHttp.post(cnapi + "/servers/" + Fixtures.CN_B, Map.of("agents", agents));
    assertThat(missing.status()).isEqualTo(404);
  }

  @Test
  void deleteServer_removesRecord_secondDeleteIs404() {
    register(CN);
    TestHttp.Reply del = TestHttp.delete(cnapi + "/servers/" + CN);
    assertThat(del.status()).isEqualTo(200);
    assertThat(del.body()).isEmpty();
    assertThat(sandbox.cnapi().server(CN)).isNull();
    TestHttp.Reply again = TestHttp.delete(cnapi + "/servers/" + CN);
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.object()).containsEntry("code", "ResourceNotFound");
  }

  @Test
  void heartbeats_tenThousandServers_statusDerivedWithoutTimers() {
    ServerStore store = sandbox.cnapi().servers();
    List<String> uuids = new java.util.ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      String uuid = String.format("00000000-0000-4000-8000-%012d", i);
      uuids.add(uuid);
      store.registerSysinfo(uuid, Fixtures.sysinfo(uuid, "127.0.0.1", 5309));
      store.heartbeat(uuid);
    }
    clock.advance(Duration.ofSeconds(12));
    uuids.subList(0, 5_000).forEach(store::heartbeat);
    assertThat(uuids.stream().filter(u -> store.statusOf(u).equals("running")).count()).isEqualTo(5_000);
    assertThat(TestHttp.get(cnapi + "/servers?uuids=" + uuids.get(4_999) + "," + uuids.get(5_000)
        + "&fields=uuid,status").array()).containsExactly(
            Map.of("uuid", uuids.get(4_999), "status", "running"),
            Map.of("uuid", uuids.get(5_000), "status", "unknown"));
  }

  @Test
  void listServers_tenThousandServers_pagesInUuidOrder() {
    ServerStore store = sandbox.cnapi().servers();
    for (int i = 9_999; i >= 0; i--) {
      String uuid = String.format("00000000-0000-4000-8000-%012d", i);
      store.registerSysinfo(uuid, Fixtures.sysinfo(uuid, "127.0.0.1", 5309));
    }
    long start = System.nanoTime(); // the bound below is generous: builds share the machine
    List<Map<String, Object>> page = TestHttp.get(cnapi + "/servers?limit=1000&offset=9000").array();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    assertThat(page).hasSize(1000);
    assertThat(page.get(0)).containsEntry("uuid", "00000000-0000-4000-8000-000000009000");
    assertThat(TestHttp.get(cnapi + "/servers").array()).hasSize(1000);
  }
}
