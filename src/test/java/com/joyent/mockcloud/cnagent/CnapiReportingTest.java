package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conformance cases 71–80 of spec cn-agent.md §7: what a mock CN sends to CNAPI and when.
 * Intervals are shortened through {@link CnAgentOptions} (heartbeat, status) and timing
 * windows are generous, since CI runs on two busy cores.
 */
class CnapiReportingTest {
  static final String ISO_MS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

  @TempDir Path tmp;
  CnAgentHarness cn;

  @AfterEach
  void tearDown() {
    if (cn != null) {
      cn.close();
    }
  }

  CnAgentHarness start(RecordingCnapi cnapi, CnAgentOptions options) throws Exception {
    cn = new CnAgentHarness(tmp, cnapi, options);
    return cn;
  }

  CnAgentOptions fast(long heartbeatMs, long statusMs) {
    return CnAgentHarness.fastOptions(tmp, Duration.ofMillis(heartbeatMs), Duration.ofMillis(statusMs));
  }

  String base() {
    return "/servers/" + cn.uuid();
  }

  List<RecordingCnapi.Received> requests(String suffix) {
    return cn.cnapi.received(r -> r.path().equals(base() + suffix));
  }

  static List<Long> gaps(List<RecordingCnapi.Received> rs) {
    List<Long> out = new ArrayList<>();
    for (int i = 1; i < rs.size(); i++) {
      out.add(rs.get(i).atMillis() - rs.get(i - 1).atMillis());
    }
    return out;
  }

  @Test
  void startup_sysinfoThenAgentsThenHeartbeat_withAgentAddressAndUserAgent() throws Exception {
    start(new RecordingCnapi(), fast(300, 60_000));
    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() >= 2)).isTrue();
    List<RecordingCnapi.Received> all = cn.cnapi.received();

    // Case 71: the first request registers sysinfo: the file's keys in file order plus the agent address.
    assertThat(all.get(0).method()).isEqualTo("POST");
    assertThat(all.get(0).path()).isEqualTo(base() + "/sysinfo");
    Map<String, Object> expected = new LinkedHashMap<>(cn.dir.readSysinfo());
    expected.put("CN Agent Port", cn.agent.port());
    expected.put("CN Agent IP", "127.0.0.1");
    assertThat(Json.compact(all.get(0).body())).isEqualTo("{\"sysinfo\":" + Json.compact(expected) + "}");
    Map<?, ?> sysinfo = (Map<?, ?>) ((Map<?, ?>) all.get(0).body()).get("sysinfo");
    assertThat(sysinfo.get("UUID")).isEqualTo(cn.uuid().toString());
    assertThat(sysinfo.get("System Type")).isEqualTo("Virtual");
    // Case 74: then the agents list, then a heartbeat with body {}.
    assertThat(all.get(1).path()).isEqualTo(base());
    assertThat(all.get(1).method()).isEqualTo("POST");
    assertThat(Json.compact(all.get(1).body())).startsWith("{\"agents\":[{\"name\":\"cmon-agent\",\"image_uuid\":");
    assertThat(Json.compact(all.get(1).body())).contains("\"name\":\"cn-agent\"").contains("\"version\":\"2.14.5\"");
    assertThat(all.get(2).path()).isEqualTo(base() + "/events/heartbeat");
    assertThat(Json.compact(all.get(2).body())).isEqualTo("{}");
    // Case 79: the User-Agent names the agent, its runtime and the server.
    for (RecordingCnapi.Received r : requests("/events/heartbeat")) {
      assertThat(r.headers().get("user-agent")).matches("^cn-agent/\\S+ \\(\\S+/\\S+\\) server/" + cn.uuid() + "$");
      assertThat(r.headers().get("content-type")).startsWith("application/json");
    }
  }

  /**
   * A status sample reads only fields the VM store keeps decoded: a key added to the report
   * without adding it there would make every CN inflate and parse each VM every minute again.
   */
  @Test
  void statusSample_readsOnlyFieldsTheVmStoreKeepsDecoded() {
    assertThat(com.joyent.mockcloud.vm.ServerVms.SUMMARY_FIELDS).containsAll(StatusSample.SAMPLE_KEYS);
  }

  /** Default: the CN's requests share keep-alive connections (heartbeats at 2,000 a second must not each open one). */
  @Test
  void heartbeats_reuseKeepAliveConnections() throws Exception {
    start(new RecordingCnapi(), fast(100, 60_000));
    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() >= 6)).isTrue();
    List<RecordingCnapi.Received> beats = requests("/events/heartbeat");
    assertThat(beats).noneMatch(r -> "close".equals(r.headers().get("connection")));
    assertThat(beats.stream().map(RecordingCnapi.Received::clientPort).distinct().count()).isLessThan(beats.size());
  }

  /** {@code --cnapi-connection-per-request}: one connection per request, closed after it, as the Node cn-agent. */
  @Test
  void connectionPerRequest_opensANewConnectionForEachRequest() throws Exception {
    start(new RecordingCnapi(), fast(100, 60_000).withCnapiConnectionPerRequest(true));
    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() >= 6)).isTrue();
    List<RecordingCnapi.Received> all = cn.cnapi.received();
    assertThat(all).allSatisfy(r -> assertThat(r.headers()).containsEntry("connection", "close"));
    assertThat(all.stream().map(RecordingCnapi.Received::clientPort).distinct().count()).isEqualTo(all.size());
  }

  /** A change while its registration is in flight is registered after it, not merged into the one already read. */
  @Test
  void sysinfoChangedWhileItsRegistrationIsInFlight_isRegisteredAgain() throws Exception {
    start(new RecordingCnapi(), fast(300, 60_000));
    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> !requests("/events/heartbeat").isEmpty())).isTrue();
    cn.cnapi.sysinfoDelay = Duration.ofMillis(800);
    Map<String, Object> sysinfo = new LinkedHashMap<>(cn.dir.readSysinfo());
    sysinfo.put("Hostname", "edit-one");
    cn.dir.writeSysinfo(sysinfo, 4);
    cn.agent.reporter().sysinfoChanged();
    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> requests("/sysinfo").stream()
        .anyMatch(r -> r.body().toString().contains("Hostname=edit-one")))).isTrue();
    sysinfo.put("Hostname", "edit-number-two"); // while the first one waits for its answer
    cn.dir.writeSysinfo(sysinfo, 4);
    cn.agent.reporter().sysinfoChanged();
    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> requests("/sysinfo").stream()
        .anyMatch(r -> r.body().toString().contains("Hostname=edit-number-two")))).isTrue();
    assertThat(cn.cnapi.maxInFlight()).isEqualTo(1);
  }

  @Test
  void sysinfoRegistration_failing_isRetriedWithGrowingBackoffAndBlocksTheQueue() throws Exception {
    RecordingCnapi cnapi = new RecordingCnapi();
    cnapi.sysinfoFailuresLeft = 3;
    start(cnapi, fast(5_000, 60_000));
    cn.awaitRegistered();
    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> !requests("/events/heartbeat").isEmpty())).isTrue();

    List<RecordingCnapi.Received> sysinfo = requests("/sysinfo");
    assertThat(sysinfo).hasSize(4);
    List<Long> g = gaps(sysinfo);
    // Nominal 500, 800, 1280 ms, each ±20 %; upper bounds get 250 ms of scheduling slack.
    assertThat(g.get(0)).isBetween(400L - 20, 600L + 250);
    assertThat(g.get(1)).isBetween(640L - 20, 960L + 250);
    assertThat(g.get(2)).isBetween(1024L - 20, 1536L + 250);
    // Nothing else was sent before a registration succeeded (the 4th).
    List<RecordingCnapi.Received> all = cnapi.received();
    assertThat(all.subList(0, 4)).allMatch(r -> r.path().equals(base() + "/sysinfo"));
    assertThat(all.get(4).path()).isEqualTo(base());
  }

  @Test
  void sysinfoRegistration_404ResourceNotFound_isNotRetried_andReportingGoesOn() throws Exception {
    RecordingCnapi cnapi = new RecordingCnapi();
    cnapi.sysinfoFailure = RestResponse.of(404, Map.of("code", "ResourceNotFound", "message", "x"));
    cnapi.sysinfoFailuresLeft = 1;
    start(cnapi, fast(300, 60_000));

    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() >= 2)).isTrue();
    assertThat(requests("/sysinfo")).hasSize(1);
    List<RecordingCnapi.Received> all = cnapi.received();
    assertThat(all.get(1).path()).isEqualTo(base());
    assertThat(all.get(2).path()).isEqualTo(base() + "/events/heartbeat");
  }

  @Test
  void sysinfoRegistration_404ResourceNotFound_stillStartsAcceptingTasks() throws Exception {
    RecordingCnapi cnapi = new RecordingCnapi();
    cnapi.sysinfoFailure = RestResponse.of(404, Map.of("code", "ResourceNotFound", "message", "x"));
    cnapi.sysinfoFailuresLeft = 1;
    start(cnapi, fast(300, 60_000));
    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> !requests("/events/heartbeat").isEmpty())).isTrue();

    var r = cn.task("nop", Map.of());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{}");
  }

  @Test
  void agentsUpdate_failingAtStartup_isNotRetried_andHeartbeatsFollow() throws Exception {
    RecordingCnapi cnapi = new RecordingCnapi();
    cnapi.agentsFailuresLeft = 1;
    start(cnapi, fast(300, 60_000));

    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() >= 2)).isTrue();
    assertThat(requests("")).hasSize(1);
    assertThat(cnapi.received().get(2).path()).isEqualTo(base() + "/events/heartbeat");
  }

  @Test
  void heartbeats_areSentIntervalAfterThePreviousCompleted() throws Exception {
    start(new RecordingCnapi(), fast(300, 60_000));
    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() >= 5)).isTrue();
    List<Long> quick = gaps(requests("/events/heartbeat")).subList(1, 4);

    cn.cnapi.heartbeatDelay = Duration.ofMillis(200);
    cn.cnapi.clear();
    assertThat(CnAgentHarness.await(Duration.ofSeconds(8), () -> requests("/events/heartbeat").size() >= 4)).isTrue();
    List<Long> slow = gaps(requests("/events/heartbeat")).subList(1, 3);

    // Start to start = interval + response time (the spec's 5 s ± 0.5 s, scaled to 300 ms).
    assertThat(quick).allSatisfy(g -> assertThat(g).isBetween(300L - 10, 300L + 200));
    assertThat(slow).allSatisfy(g -> assertThat(g).isBetween(500L - 10, 500L + 200));
  }

  @Test
  void statusReports_firstHalfASecondAfterHeartbeats_thenEveryInterval() throws Exception {
    start(new RecordingCnapi(), fast(5_000, 700));
    assertThat(CnAgentHarness.await(Duration.ofSeconds(6), () -> requests("/events/status").size() >= 3)).isTrue();

    // The first heartbeat is queued (and the status timer started) when the agents POST
    // completes, which is just after that POST arrived.
    long heartbeatQueued = requests("").get(0).atMillis();
    List<RecordingCnapi.Received> status = requests("/events/status");
    assertThat(status.get(0).atMillis() - heartbeatQueued).isBetween(500L - 10, 500L + 300);
    assertThat(status.get(0).atMillis()).isGreaterThan(requests("/events/heartbeat").get(0).atMillis());
    assertThat(gaps(status).subList(0, 2)).allSatisfy(g -> assertThat(g).isBetween(700L - 10, 700L + 250));

    String bootTime = JsValues.isoString(Instant.ofEpochSecond(Long.parseLong((String) cn.dir.readSysinfo().get("Boot Time"))));
    for (RecordingCnapi.Received r : status.subList(0, 3)) {
      Map<?, ?> body = (Map<?, ?>) r.body();
      assertThat(body.get("boot_time")).isEqualTo(bootTime);
      assertThat((String) body.get("timestamp")).matches(ISO_MS);
      // The smartos backend's keys in its order; the figures themselves are StatusFiguresTest's.
      assertThat(body.keySet().stream().map(String::valueOf).toList())
          .containsExactly("vms", "zpoolStatus", "meminfo", "diskinfo", "boot_time", "timestamp");
      assertThat(body.get("vms")).isEqualTo(Map.of());
    }
  }

  @Test
  void statusReport_vms_listsTheStoresVmsExceptDoNotInventory() throws Exception {
    start(new RecordingCnapi(), fast(5_000, 1_000)).awaitRegistered();
    String v = UUID.randomUUID().toString();
    String dni = UUID.randomUUID().toString();
    assertThat(cn.call("machine_create", MachineCreateTaskTest.minimal(v)).status()).isEqualTo(200);
    Map<String, Object> hidden = MachineCreateTaskTest.minimal(dni);
    hidden.put("do_not_inventory", true);
    cn.writeVmFixture(hidden);
    Map<String, Object> view = cn.vms.load(v);

    // Inverted case 76 (issue requirement): vms comes from the VM store, in the smartos shape.
    // Unlisted deviation: a VM change also triggers a report within the 5 s throttle
    // (CnAgent.onVmEvent → CnapiReporter.vmsChanged), which §4.5 says the dummy backend never does.
    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> requests("/events/status").stream()
        .anyMatch(r -> ((Map<?, ?>) ((Map<?, ?>) r.body()).get("vms")).containsKey(v)))).isTrue();
    Map<?, ?> vms = (Map<?, ?>) ((Map<?, ?>) requests("/events/status").stream()
        .filter(r -> ((Map<?, ?>) ((Map<?, ?>) r.body()).get("vms")).containsKey(v))
        .reduce((a, b) -> b).orElseThrow().body()).get("vms");
    assertThat(vms.keySet().stream().map(String::valueOf).toList()).containsExactly(v);
    Map<String, Object> entry = new LinkedHashMap<>();
    for (String k : List.of("brand", "last_modified", "max_physical_memory", "owner_uuid", "state", "uuid",
        "zone_state")) {
      entry.put(k, view.get(k));
    }
    assertThat(Json.compact(vms.get(v))).isEqualTo(Json.compact(entry));
  }

  @Test
  void reporting_neverHasTwoRequestsInFlight() throws Exception {
    RecordingCnapi cnapi = new RecordingCnapi();
    cnapi.heartbeatDelay = Duration.ofMillis(300);
    start(cnapi, fast(200, 400)).awaitRegistered();
    // Re-registrations too, while heartbeats are held open and status reports fall due.
    for (int i = 0; i < 4; i++) {
      Files.setLastModifiedTime(cn.dir.sysinfoFile(), FileTime.fromMillis(System.currentTimeMillis() + i * 1000L));
      Thread.sleep(400);
    }

    assertThat(requests("/events/status").size()).isGreaterThanOrEqualTo(2);
    assertThat(requests("/sysinfo").size()).isGreaterThanOrEqualTo(3);
    assertThat(cnapi.maxInFlight()).isEqualTo(1);
    // No request arrived while a (300 ms) heartbeat was in flight.
    List<RecordingCnapi.Received> all = cnapi.received();
    for (int i = 0; i + 1 < all.size(); i++) {
      if (all.get(i).path().endsWith("/heartbeat")) {
        assertThat(all.get(i + 1).atMillis() - all.get(i).atMillis()).isGreaterThanOrEqualTo(300L - 10);
      }
    }
  }

  @Test
  void sysinfoFile_newerMtimeReRegisters_olderMtimeDoesNot() throws Exception {
    start(new RecordingCnapi(), fast(5_000, 60_000)).awaitRegistered();
    Path file = cn.dir.sysinfoFile();
    long mtime = Files.getLastModifiedTime(file).toMillis();

    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime + 5_000));

    assertThat(CnAgentHarness.await(Duration.ofSeconds(2), () -> requests("/sysinfo").size() == 2)).isTrue();

    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime - 60_000));
    Thread.sleep(1_000); // five polls
    assertThat(requests("/sysinfo")).hasSize(2);
  }

  @Test
  void cnapiDown_heartbeatsKeepBeingAttempted_andTheAgentStillServes() throws Exception {
    start(new RecordingCnapi(), fast(300, 60_000)).awaitRegistered();
    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> !requests("/events/heartbeat").isEmpty())).isTrue();

    cn.cnapi.down = true;

    assertThat(CnAgentHarness.await(Duration.ofSeconds(5), () -> cn.cnapi.refused().stream()
        .filter(r -> r.path().endsWith("/heartbeat")).count() >= 3)).isTrue();
    assertThat(cn.task("nop", Map.of()).body()).isEqualTo("{}");
    assertThat(cn.get("/history").statusCode()).isEqualTo(200);
  }

  @Test
  void cnapiNotAnswering_eachHeartbeatIsBoundedByTheRequestTimeout() throws Exception {
    RecordingCnapi cnapi = new RecordingCnapi();
    cnapi.heartbeatDelay = Duration.ofSeconds(30);
    start(cnapi, CnAgentHarness.withRequestTimeout(fast(300, 60_000), Duration.ofMillis(400))).awaitRegistered();

    assertThat(CnAgentHarness.await(Duration.ofSeconds(6), () -> requests("/events/heartbeat").size() >= 3)).isTrue();

    // Each attempt gives up after the 400 ms timeout, the next follows 300 ms later.
    assertThat(gaps(requests("/events/heartbeat"))).allSatisfy(g -> assertThat(g).isBetween(700L - 10, 700L + 400));
    assertThat(cn.task("nop", Map.of()).body()).isEqualTo("{}");
  }
}
