package com.joyent.mockcloud.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.ManualTimer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A scenario's steps applied at their times on injected time, to the CNs they choose, and taken away. */
class ScenarioRunTest {
  private final ManualTimer time = new ManualTimer();
  private final FakeFleet fleet = new FakeFleet(40);
  private final ScenarioParser parser = new ScenarioParser(Set.of("machine_create", "nop")::contains,
      Set.of("standard", "small")::contains);

  /** 40 CNs, every 4th of them small; overlays and actions recorded. */
  static final class FakeFleet implements ScenarioTarget {
    final List<UUID> cns;
    final Map<UUID, Map<String, Object>> overlays = new ConcurrentHashMap<>();
    final List<String> actions = new ArrayList<>();

    FakeFleet(int n) {
      cns = IntStream.range(0, n).mapToObj(i -> new UUID(0, i + 1)).sorted().toList();
    }

    @Override
    public List<UUID> servers() {
      return cns;
    }

    @Override
    public String hardwareOf(UUID cn) {
      return cn.getLeastSignificantBits() % 4 == 0 ? "small" : "standard";
    }

    @Override
    public void overlay(UUID cn, Map<String, Object> doc) {
      if (doc == null) {
        overlays.remove(cn);
      } else {
        overlays.put(cn, doc);
      }
    }

    @Override
    public synchronized void action(String action, UUID cn, Long downSeconds) throws Exception {
      if (cn.equals(cns.get(0))) {
        throw new Exception("server " + cn + " is powered off");
      }
      actions.add(action + " " + cn + " " + downSeconds);
    }
  }

  private ScenarioRun start(String json) throws Exception {
    return ScenarioRun.start("s1", parser.parse(Json.parse(json.getBytes(StandardCharsets.UTF_8))), fleet, time,
        Runnable::run);
  }

  private List<Map<String, Object>> events(ScenarioRun run, String event) {
    return run.report(0).stream().filter(l -> event.equals(l.get("event"))).toList();
  }

  @Test
  void aBehaviourStep_appliesAtItsTime_toItsShare_forItsDuration() throws Exception {
    ScenarioRun run = start("""
        {"seed": 5, "steps": [{"at_s": 30, "select": {"percent": 10},
          "behaviour": {"heartbeat": {"mode": "stop"}}, "for_s": 60}]}""");

    time.advance(Duration.ofMillis(29_999));
    assertThat(fleet.overlays).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThat(fleet.overlays).hasSize(4).allSatisfy((cn, doc) ->
        assertThat(doc).isEqualTo(Map.of("heartbeat", Map.of("mode", "stop"))));
    Map<String, Object> applied = events(run, "applied").get(0);
    assertThat(applied).containsEntry("t_ms", 30_000L).containsEntry("servers", 4).containsEntry("kind", "behaviour");
    assertThat((List<?>) applied.get("uuids")).hasSize(4);
    assertThat(run.state()).isEqualTo(ScenarioRun.State.RUNNING);

    time.advance(Duration.ofSeconds(60));
    assertThat(fleet.overlays).isEmpty();
    assertThat(events(run, "ended").get(0)).containsEntry("t_ms", 90_000L).containsEntry("servers", 4);
    assertThat(run.state()).isEqualTo(ScenarioRun.State.DONE);
  }

  @Test
  void theSameSeed_choosesTheSameCns_anotherSeedOthers() throws Exception {
    String json = """
        {"seed": 11, "steps": [{"at_s": 0, "select": {"count": 5}, "behaviour": {"listener": {"mode": "hang"}}}]}""";
    start(json);
    time.advance(Duration.ZERO);
    Set<UUID> first = Set.copyOf(fleet.overlays.keySet());
    fleet.overlays.clear();
    start(json);
    time.advance(Duration.ZERO);
    assertThat(fleet.overlays.keySet()).hasSize(5).isEqualTo(first);
    fleet.overlays.clear();
    start(json.replace("11", "12"));
    time.advance(Duration.ZERO);
    assertThat(fleet.overlays.keySet()).hasSize(5).isNotEqualTo(first);
  }

  @Test
  void actions_areDoneToTheChosen_andARefusalIsReported() throws Exception {
    ScenarioRun run = start("""
        {"steps": [{"at_s": 90, "select": {"uuids": ["%s", "%s"]}, "action": "reboot", "down_seconds": 20}]}"""
        .formatted(fleet.cns.get(0), fleet.cns.get(1)));
    time.advance(Duration.ofSeconds(90));
    assertThat(fleet.actions).containsExactly("reboot " + fleet.cns.get(1) + " 20");
    Map<String, Object> applied = events(run, "applied").get(0);
    assertThat(applied).containsEntry("t_ms", 90_000L).containsEntry("servers", 2).containsEntry("action", "reboot");
    assertThat((List<?>) applied.get("refused")).singleElement().asString().contains("powered off");
    assertThat(run.state()).isEqualTo(ScenarioRun.State.DONE);
  }

  @Test
  void aRamp_movesTheLatencyInSteps_thenHolds_untilStopped() throws Exception {
    ScenarioRun run = start("""
        {"steps": [{"at_s": 10, "select": {"hardware": "small"},
          "ramp": {"task": "machine_create", "from_ms": 2000, "to_ms": 20000, "over_s": 300, "every_s": 60}}]}""");
    time.advance(Duration.ofSeconds(10));
    assertThat(fleet.overlays).hasSize(10);
    assertThat(latencies()).containsOnly(2000L);
    time.advance(Duration.ofSeconds(60));
    assertThat(latencies()).containsOnly(5600L);
    time.advance(Duration.ofSeconds(240));
    assertThat(latencies()).containsOnly(20000L);
    assertThat(events(run, "ramping")).hasSize(4);
    assertThat(run.state()).isEqualTo(ScenarioRun.State.HOLDING);

    run.stop();
    assertThat(fleet.overlays).isEmpty();
    assertThat(run.state()).isEqualTo(ScenarioRun.State.STOPPED);
    assertThat(events(run, "stopped").get(0)).containsEntry("servers", 10);
  }

  @Test
  void laterStepsLayOverEarlierOnes_andStopCancelsWhatIsToCome() throws Exception {
    ScenarioRun run = start("""
        {"steps": [
          {"at_s": 0, "select": {"all": true}, "behaviour": {"tasks": {"nop": {"latency_ms": 5}}, "seed": 1}},
          {"at_s": 5, "select": {"all": true}, "behaviour": {"tasks": {"machine_create": {"fail_rate": 1}}}, "for_s": 5},
          {"at_s": 100, "select": {"all": true}, "action": "power-off"}]}""");
    time.advance(Duration.ofSeconds(5));
    Map<String, Object> both = fleet.overlays.get(fleet.cns.get(3));
    assertThat((Map<String, Object>) both.get("tasks")).containsKeys("nop", "machine_create");
    assertThat(both).containsEntry("seed", 1);
    time.advance(Duration.ofSeconds(5));
    assertThat((Map<String, Object>) fleet.overlays.get(fleet.cns.get(3)).get("tasks")).containsOnlyKeys("nop");

    run.stop();
    time.advance(Duration.ofSeconds(200));
    assertThat(fleet.actions).isEmpty();
    assertThat(fleet.overlays).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private Set<Long> latencies() {
    Set<Long> out = new java.util.HashSet<>();
    for (Map<String, Object> doc : new TreeMap<>(fleet.overlays).values()) {
      Map<String, Object> task = (Map<String, Object>) ((Map<String, Object>) doc.get("tasks")).get("machine_create");
      out.add(((Number) task.get("latency_ms")).longValue());
    }
    return out;
  }
}
