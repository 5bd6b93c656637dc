package com.joyent.mockcloud.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.behaviour.BehaviourException;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.scenario.Scenario.Step;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a scenario file may say, and the words a mistake is refused with (its path named). */
class ScenarioParserTest {
  private final ScenarioParser parser = new ScenarioParser(Set.of("machine_create", "nop")::contains,
      Set.of("standard", "small")::contains);

  private Scenario parse(String json) throws BehaviourException {
    return parser.parse(Json.parse(json.getBytes(StandardCharsets.UTF_8)));
  }

  private String refusal(String json) {
    try {
      parse(json);
    } catch (BehaviourException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void theThreeKindsOfStep_areReadAsTheySay() throws Exception {
    Scenario s = parse("""
        {"seed": 9, "steps": [
          {"at_s": 30, "select": {"percent": 10}, "behaviour": {"heartbeat": {"mode": "stop"}}, "for_s": 60},
          {"at_s": 90.5, "select": {"count": 5, "hardware": "small"}, "action": "reboot", "down_seconds": 20},
          {"at_s": 0, "select": {"all": true},
           "ramp": {"task": "machine_create", "from_ms": 2000, "to_ms": 20000, "over_s": 300}}]}""");
    assertThat(s.seed()).isEqualTo(9L);
    Step hb = s.steps().get(0);
    assertThat(hb.kind()).isEqualTo("behaviour");
    assertThat(hb.atMs()).isEqualTo(30_000);
    assertThat(hb.forMs()).isEqualTo(60_000);
    assertThat(hb.select().percent()).isEqualTo(10.0);
    Step reboot = s.steps().get(1);
    assertThat(reboot.atMs()).isEqualTo(90_500);
    assertThat(reboot.downSeconds()).isEqualTo(20);
    assertThat(reboot.select().hardware()).isEqualTo("small");
    assertThat(s.steps().get(2).ramp().everyMs()).isEqualTo(10_000);
  }

  @Test
  void mistakes_areRefusedNamingThePath() {
    assertThat(refusal("{\"steps\": []}")).isEqualTo("steps: must be a non-empty array");
    assertThat(refusal("{\"stepz\": [1]}")).startsWith("stepz: unknown key; known keys are seed, steps");
    assertThat(refusal("{\"steps\": [{\"select\": {\"all\": true}, \"action\": \"reboot\"}]}"))
        .isEqualTo("steps[0].at_s: required (seconds after the start)");
    assertThat(refusal("{\"steps\": [{\"at_s\": 1, \"select\": {\"percent\": 150}, \"action\": \"reboot\"}]}"))
        .isEqualTo("steps[0].select.percent: must be a number from 0 to 100");
    assertThat(refusal("{\"steps\": [{\"at_s\": 1, \"select\": {\"all\": true, \"count\": 3}, \"action\": \"reboot\"}]}"))
        .startsWith("steps[0].select: one of all, count, percent, uuids");
    assertThat(refusal("{\"steps\": [{\"at_s\": 1, \"select\": {\"hardware\": \"huge\"}, \"action\": \"reboot\"}]}"))
        .isEqualTo("steps[0].select.hardware: not a hardware profile: huge");
    assertThat(refusal("{\"steps\": [{\"at_s\": 1, \"select\": {\"all\": true}, \"action\": \"explode\"}]}"))
        .startsWith("steps[0].action: must be one of power-off, power-on, reboot, restart-agent");
    assertThat(refusal("{\"steps\": [{\"at_s\": 1, \"select\": {\"all\": true}}]}"))
        .isEqualTo("steps[0]: needs exactly one of behaviour, action, ramp");
    assertThat(refusal("{\"steps\": [{\"at_s\": 1, \"select\": {\"all\": true}, \"behaviour\": {\"heartbeat\": {\"mode\": \"off\"}}}]}"))
        .isEqualTo("steps[0].behaviour.heartbeat.mode: must be \"normal\", \"stop\" or \"drop\"");
    assertThat(refusal("{\"steps\": [{\"at_s\": 1, \"select\": {\"all\": true}, \"action\": \"power-off\", \"down_seconds\": 3}]}"))
        .isEqualTo("steps[0].down_seconds: only means something with \"action\": \"reboot\"");
    assertThat(refusal("{\"steps\": [{\"at_s\": 1, \"select\": {\"all\": true}, "
        + "\"ramp\": {\"task\": \"machine_creat\", \"from_ms\": 1, \"to_ms\": 2, \"over_s\": 3}}]}"))
        .isEqualTo("steps[0].ramp.task: must be a cn-agent task's name or \"*\"");
    assertThat(refusal("{\"steps\": [{\"at_s\": 1, \"select\": {\"uuids\": [\"nope\"]}, \"action\": \"reboot\"}]}"))
        .isEqualTo("steps[0].select.uuids: nope is not a server UUID");
  }
}
