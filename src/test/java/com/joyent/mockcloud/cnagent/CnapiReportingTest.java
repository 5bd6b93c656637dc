package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.testing.ManualTimer;
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

  static final Duration HOUR = Duration.ofHours(1);
  /** Timers sooner than this are the ones a test waits for; the quiet ones are an hour away. */
  static final Duration SHORT = Duration.ofMinutes(30);

  ManualTimer time;

  /**
   * A CN on manual time whose only short timer is its heartbeat (every 5 s, as the default):
   * status reports and the sysinfo poll are an hour away unless a test says otherwise.
   */
  CnAgentHarness startOnManualTime(RecordingCnapi cnapi, CnAgentOptions.Builder options) throws Exception {
    time = new ManualTimer();
    cn = CnAgentHarness.onManualTime(tmp, cnapi, options.build(), time);
    return cn;
  }

  CnAgentOptions.Builder quiet() {
    return CnAgentOptions.defaults().toBuilder().heartbeatInterval(Duration.ofSeconds(5)).firstStatusDelay(HOUR)
        .statusInterval(HOUR).sysinfoPollInterval(HOUR).tmpDir(tmp.resolve("vartmp"));
  }

  /** Waits until a timer sooner than {@link #SHORT} is set (it is set when an answer arrives), and returns its delay. */
  Duration awaitShortTimer() throws InterruptedException {
    assertThat(Await.until(Duration.ofSeconds(5), () -> {
      Duration next = time.untilNext();
      return next != null && next.compareTo(SHORT) < 0;
    })).as("a short timer is set").isTrue();
    return time.untilNext();
  }

  /** Moves time to the next heartbeat and waits until it has reached CNAPI. */
  void advanceToNextHeartbeat() throws InterruptedException {
    long before = heartbeatsArrived();
    time.advance(awaitShortTimer());
    assertThat(Await.until(Duration.ofSeconds(5), () -> heartbeatsArrived() > before)).isTrue();
  }

  /** Heartbeats that reached the fake CNAPI, refused ones included. */
  long heartbeatsArrived() {
    return requests("/events/heartbeat").size()
        + cn.cnapi.refused().stream().filter(r -> r.path().endsWith("/heartbeat")).count();
  }

  @Test
  void startup_sysinfoThenAgentsThenHeartbeat_withAgentAddressAndUserAgent() throws Exception {
    start(new RecordingCnapi(), fast(300, 60_000));
    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() >= 2)).isTrue();
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
    startOnManualTime(new RecordingCnapi(), quiet());
    assertThat(Await.until(Duration.ofSeconds(5), () -> !requests("/events/heartbeat").isEmpty())).isTrue();
    for (int i = 0; i < 5; i++) {
      advanceToNextHeartbeat();
    }
    List<RecordingCnapi.Received> beats = requests("/events/heartbeat");
    assertThat(beats).hasSize(6).noneMatch(r -> "close".equals(r.headers().get("connection")));
    assertThat(beats.stream().map(RecordingCnapi.Received::clientPort).distinct().count()).isLessThan(beats.size());
  }

  /** {@code --cnapi-connection-per-request}: one connection per request, closed after it, as the Node cn-agent. */
  @Test
  void connectionPerRequest_opensANewConnectionForEachRequest() throws Exception {
    startOnManualTime(new RecordingCnapi(), quiet().cnapiConnectionPerRequest(true));
    assertThat(Await.until(Duration.ofSeconds(5), () -> !requests("/events/heartbeat").isEmpty())).isTrue();
    for (int i = 0; i < 5; i++) {
      advanceToNextHeartbeat();
    }
    List<RecordingCnapi.Received> all = cn.cnapi.received();
    assertThat(all).allSatisfy(r -> assertThat(r.headers()).containsEntry("connection", "close"));
    assertThat(all.stream().map(RecordingCnapi.Received::clientPort).distinct().count()).isEqualTo(all.size());
  }

  /** A change while its registration is in flight is registered after it, not merged into the one already read. */
  @Test
  void sysinfoChangedWhileItsRegistrationIsInFlight_isRegisteredAgain() throws Exception {
    start(new RecordingCnapi(), fast(300, 60_000));
    assertThat(Await.until(Duration.ofSeconds(5), () -> !requests("/events/heartbeat").isEmpty())).isTrue();
    cn.cnapi.sysinfoDelay = Duration.ofMillis(800);
    Map<String, Object> sysinfo = new LinkedHashMap<>(cn.dir.readSysinfo());
    sysinfo.put("Hostname", "edit-one");
    cn.dir.writeSysinfo(sysinfo, 4);
    cn.agent.reporter().sysinfoChanged();
    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/sysinfo").stream()
        .anyMatch(r -> r.body().toString().contains("Hostname=edit-one")))).isTrue();
    sysinfo.put("Hostname", "edit-number-two"); // while the first one waits for its answer
    cn.dir.writeSysinfo(sysinfo, 4);
    cn.agent.reporter().sysinfoChanged();
    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/sysinfo").stream()
        .anyMatch(r -> r.body().toString().contains("Hostname=edit-number-two")))).isTrue();
    assertThat(cn.cnapi.maxInFlight()).isEqualTo(1);
  }

  @Test
  void sysinfoRegistration_failing_isRetriedWithGrowingBackoffAndBlocksTheQueue() throws Exception {
    RecordingCnapi cnapi = new RecordingCnapi();
    cnapi.sysinfoFailuresLeft = 3;
    startOnManualTime(cnapi, quiet());
    List<Duration> delays = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      int n = i;
      assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/sysinfo").size() == n)).isTrue();
      Duration retry = awaitShortTimer();
      delays.add(retry);
      time.advance(retry.minusMillis(1));
      assertThat(requests("/sysinfo")).hasSize(n);
      time.advance(Duration.ofMillis(1));
    }
    assertThat(Await.until(Duration.ofSeconds(5), () -> !requests("/events/heartbeat").isEmpty())).isTrue();

    // Nominal 500, 800, 1280 ms, each ±20 % (cn-agent's backoff with jitter).
    assertThat(delays.get(0).toMillis()).isBetween(400L, 600L);
    assertThat(delays.get(1).toMillis()).isBetween(640L, 960L);
    assertThat(delays.get(2).toMillis()).isBetween(1024L, 1536L);
    List<RecordingCnapi.Received> sysinfo = requests("/sysinfo");
    assertThat(sysinfo).hasSize(4);
    assertThat(gaps(sysinfo)).isEqualTo(delays.stream().map(Duration::toMillis).toList());
    // Nothing else was sent before a registration succeeded (the 4th).
    List<RecordingCnapi.Received> all = cnapi.received();
    assertThat(all.subList(0, 4)).allMatch(r -> r.path().equals(base() + "/sysinfo"));
    assertThat(all.get(4).path()).isEqualTo(base());
    assertThat(cn.agent.acceptsTasks()).isTrue();
  }

  @Test
  void sysinfoRegistration_404ResourceNotFound_isNotRetried_andReportingGoesOn() throws Exception {
    RecordingCnapi cnapi = new RecordingCnapi();
    cnapi.sysinfoFailure = RestResponse.of(404, Map.of("code", "ResourceNotFound", "message", "x"));
    cnapi.sysinfoFailuresLeft = 1;
    start(cnapi, fast(300, 60_000));

    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() >= 2)).isTrue();
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
    assertThat(Await.until(Duration.ofSeconds(5), () -> !requests("/events/heartbeat").isEmpty())).isTrue();

    var r = cn.task("nop", Map.of());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{}");
  }

  @Test
  void agentsUpdate_failingAtStartup_isNotRetried_andHeartbeatsFollow() throws Exception {
    RecordingCnapi cnapi = new RecordingCnapi();
    cnapi.agentsFailuresLeft = 1;
    start(cnapi, fast(300, 60_000));

    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() >= 2)).isTrue();
    assertThat(requests("")).hasSize(1);
    assertThat(cnapi.received().get(2).path()).isEqualTo(base() + "/events/heartbeat");
  }

  @Test
  void heartbeats_areSentIntervalAfterThePreviousCompleted() throws Exception {
    RecordingCnapi cnapi = new RecordingCnapi();
    cnapi.holdHeartbeats = true;
    startOnManualTime(cnapi, quiet());
    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() == 1)).isTrue();

    // CNAPI takes 3 s to answer: nothing is due meanwhile, the next one is due 5 s after the answer.
    time.advance(Duration.ofSeconds(3));
    assertThat(time.untilNext()).isGreaterThan(SHORT);
    assertThat(cnapi.releaseHeldHeartbeats()).isEqualTo(1);
    assertThat(awaitShortTimer()).isEqualTo(Duration.ofSeconds(5));
    time.advance(Duration.ofMillis(4_999));
    assertThat(requests("/events/heartbeat")).hasSize(1);
    time.advance(Duration.ofMillis(1));
    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() == 2)).isTrue();
    // Answered at once, the next is 5 s after it (start to start: interval + response time).
    assertThat(cnapi.releaseHeldHeartbeats()).isEqualTo(1);
    advanceToNextHeartbeat();

    assertThat(gaps(requests("/events/heartbeat"))).containsExactly(8_000L, 5_000L);
  }

  @Test
  void statusReports_firstHalfASecondAfterHeartbeats_thenEveryInterval() throws Exception {
    startOnManualTime(new RecordingCnapi(),
        quiet().heartbeatInterval(HOUR).firstStatusDelay(Duration.ofMillis(500)).statusInterval(Duration.ofMinutes(1)));
    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() == 1)).isTrue();

    // The first heartbeat is queued, and the status timer started, when the agents POST is answered.
    long heartbeatQueued = requests("").get(0).atMillis();
    time.advance(Duration.ofMillis(499));
    assertThat(requests("/events/status")).isEmpty();
    for (int i = 1; i <= 3; i++) {
      int n = i;
      time.advance(i == 1 ? Duration.ofMillis(1) : Duration.ofMinutes(1));
      assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/status").size() == n)).isTrue();
    }
    List<RecordingCnapi.Received> status = requests("/events/status");
    assertThat(status.get(0).atMillis() - heartbeatQueued).isEqualTo(500L);
    assertThat(status.get(0).atMillis()).isGreaterThan(requests("/events/heartbeat").get(0).atMillis());
    assertThat(gaps(status)).containsExactly(60_000L, 60_000L);

    String bootTime = JsValues.isoString(Instant.ofEpochSecond(Long.parseLong((String) cn.dir.readSysinfo().get("Boot Time"))));
    for (RecordingCnapi.Received r : status) {
      Map<?, ?> body = (Map<?, ?>) r.body();
      assertThat(body.get("boot_time")).isEqualTo(bootTime);
      assertThat((String) body.get("timestamp")).matches(ISO_MS);
      // The smartos backend's keys in its order; the figures themselves are StatusFiguresTest's.
      assertThat(body.keySet().stream().map(String::valueOf).toList())
          .containsExactly("vms", "zpoolStatus", "meminfo", "diskinfo", "boot_time", "timestamp");
      assertThat(body.get("vms")).isEqualTo(Map.of());
    }
    // The report's timestamp is the CN's clock when the sample was taken.
    assertThat(status.get(1).body().toString()).contains(JsValues.isoString(Instant.ofEpochMilli(status.get(1).atMillis())));
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
    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/status").stream()
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
    cnapi.holdHeartbeats = true;
    startOnManualTime(cnapi, quiet().firstStatusDelay(Duration.ofMillis(500)).statusInterval(Duration.ofSeconds(1))
        .sysinfoPollInterval(Duration.ofMillis(200)));
    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() == 1)).isTrue();
    // Re-registrations and status reports fall due while each heartbeat is held open.
    for (int i = 1; i <= 3; i++) {
      int sent = cnapi.received().size();
      Files.setLastModifiedTime(cn.dir.sysinfoFile(), FileTime.fromMillis(System.currentTimeMillis() + i * 1000L));
      time.advance(Duration.ofMillis(1_200));
      assertThat(Await.until(Duration.ofSeconds(5),
          () -> cn.agent.reporter().queued().containsAll(List.of(CnapiReporter.Kind.SYSINFO, CnapiReporter.Kind.STATUS))))
          .isTrue();
      assertThat(cnapi.received()).hasSize(sent);
      int beats = requests("/events/heartbeat").size();
      assertThat(cnapi.releaseHeldHeartbeats()).isEqualTo(1);
      assertThat(Await.until(Duration.ofSeconds(5), () -> cn.agent.reporter().queued().isEmpty())).isTrue();
      time.advance(Duration.ofSeconds(5));
      assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() == beats + 1)).isTrue();
    }

    assertThat(requests("/events/status").size()).isGreaterThanOrEqualTo(3);
    assertThat(requests("/sysinfo").size()).isEqualTo(4);
    assertThat(cnapi.maxInFlight()).isEqualTo(1);
  }

  @Test
  void sysinfoFile_newerMtimeReRegisters_olderMtimeDoesNot() throws Exception {
    startOnManualTime(new RecordingCnapi(), quiet().sysinfoPollInterval(Duration.ofMillis(200)));
    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() == 1)).isTrue();
    Path file = cn.dir.sysinfoFile();
    long mtime = Files.getLastModifiedTime(file).toMillis();

    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime + 5_000));
    time.advance(Duration.ofMillis(200));

    assertThat(Await.until(Duration.ofSeconds(2), () -> requests("/sysinfo").size() == 2)).isTrue();

    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime - 60_000));
    time.advance(Duration.ofSeconds(1)); // five polls
    // The next heartbeat comes after anything those polls queued: nothing was.
    time.advance(Duration.ofSeconds(5));
    assertThat(Await.until(Duration.ofSeconds(5), () -> requests("/events/heartbeat").size() == 2)).isTrue();
    assertThat(requests("/sysinfo")).hasSize(2);
  }

  @Test
  void cnapiDown_heartbeatsKeepBeingAttempted_andTheAgentStillServes() throws Exception {
    startOnManualTime(new RecordingCnapi(), quiet()).awaitRegistered();
    assertThat(Await.until(Duration.ofSeconds(5), () -> !requests("/events/heartbeat").isEmpty())).isTrue();

    cn.cnapi.down = true;
    for (int i = 0; i < 3; i++) {
      advanceToNextHeartbeat();
    }

    assertThat(cn.cnapi.refused().stream().filter(r -> r.path().endsWith("/heartbeat")).count()).isEqualTo(3);
    assertThat(cn.task("nop", Map.of()).body()).isEqualTo("{}");
    assertThat(cn.get("/history").statusCode()).isEqualTo(200);
  }

  @Test
  void cnapiNotAnswering_eachHeartbeatIsBoundedByTheRequestTimeout() throws Exception {
    RecordingCnapi cnapi = new RecordingCnapi();
    cnapi.heartbeatDelay = Duration.ofSeconds(30);
    start(cnapi, CnAgentHarness.withRequestTimeout(fast(300, 60_000), Duration.ofMillis(400))).awaitRegistered();

    assertThat(Await.until(Duration.ofSeconds(6), () -> requests("/events/heartbeat").size() >= 3)).isTrue();

    // Each attempt gives up after the 400 ms timeout, the next follows 300 ms later.
    assertThat(gaps(requests("/events/heartbeat"))).allSatisfy(g -> assertThat(g).isBetween(700L - 10, 700L + 400));
    assertThat(cn.task("nop", Map.of()).body()).isEqualTo("{}");
  }
}
