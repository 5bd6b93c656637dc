package com.joyent.mockcloud.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.behaviour.Behaviour.Agent;
import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatBehaviour;
import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatMode;
import com.joyent.mockcloud.behaviour.Behaviour.ListenerMode;
import com.joyent.mockcloud.behaviour.Behaviour.TaskBehaviour;
import com.joyent.mockcloud.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a behaviour file may say, what it means, and the words a mistake is refused with. */
class BehaviourParserTest {
  private final BehaviourParser parser = new BehaviourParser(Set.of("machine_create", "machine_boot", "nop")::contains);

  private Map<String, Object> check(String json) throws BehaviourException {
    return parser.check(Json.parse(json.getBytes(StandardCharsets.UTF_8)));
  }

  private String refusal(String json) {
    try {
      check(json);
    } catch (BehaviourException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void everyKey_isReadAsItSays() throws Exception {
    Behaviour b = BehaviourParser.build(check("""
        {"tasks": {"machine_create": {"latency_ms": {"min": 2000, "max": 20000}, "fail_rate": 0.05},
                   "*": {"latency_ms": 100, "error": "disk on fire", "fail_rate": 1},
                   "nop": {"hang": true}},
         "heartbeat": {"mode": "drop", "drop_rate": 0.25, "delay_ms": 300},
         "status_reports": {"mode": "stop"},
         "listener": {"mode": "hang"},
         "vm_agent": {"mode": "pause"}, "net_agent": {"mode": "normal"}, "cmon_agent": {"mode": "pause"},
         "seed": 42}"""));

    assertThat(b.task("machine_create")).isEqualTo(new TaskBehaviour(2000, 20000, 0.05, null, false));
    assertThat(b.task("machine_boot")).isEqualTo(new TaskBehaviour(100, 100, 1, "disk on fire", false));
    assertThat(b.task("nop")).isEqualTo(new TaskBehaviour(0, 0, 0, null, true));
    assertThat(b.heartbeat()).isEqualTo(new HeartbeatBehaviour(HeartbeatMode.DROP, 0.25, 300));
    assertThat(b.statusReportsStopped()).isTrue();
    assertThat(b.listener()).isEqualTo(ListenerMode.HANG);
    assertThat(b.pausedAgents()).containsExactlyInAnyOrder(Agent.VM_AGENT, Agent.CMON_AGENT);
    assertThat(b.seed()).isEqualTo(42L);
    assertThat(b.isIdeal()).isFalse();
  }

  @Test
  void anEmptyObject_isAnIdealCn() throws Exception {
    Behaviour b = BehaviourParser.build(check("{}"));
    assertThat(b).isEqualTo(Behaviour.IDEAL);
    assertThat(b.isIdeal()).isTrue();
    assertThat(b.task("machine_create")).isNull();
  }

  @Test
  void mistakes_areRefusedNamingTheKey() {
    assertThat(refusal("[]")).isEqualTo("the file: must be a JSON object");
    assertThat(refusal("{\"taks\": {}}")).isEqualTo("taks: unknown key; known keys are cmon_agent, config_agent, firewaller, heartbeat, listener, net_agent, seed, "
        + "status_reports, tasks, vm_agent");
    assertThat(refusal("{\"tasks\": {\"machine_creat\": {}}}"))
        .isEqualTo("tasks.machine_creat: no cn-agent task has this name (\"*\" stands for every task)");
    assertThat(refusal("{\"tasks\": {\"nop\": {\"latency\": 5}}}"))
        .startsWith("tasks.nop.latency: unknown key; known keys are error, fail_rate, hang, latency_ms");
    assertThat(refusal("{\"tasks\": {\"nop\": {\"latency_ms\": -1}}}"))
        .isEqualTo("tasks.nop.latency_ms: must be a whole number from 0 to 86400000");
    assertThat(refusal("{\"tasks\": {\"nop\": {\"latency_ms\": 1.5}}}"))
        .isEqualTo("tasks.nop.latency_ms: must be a whole number from 0 to 86400000");
    assertThat(refusal("{\"tasks\": {\"nop\": {\"latency_ms\": {\"min\": 5, \"max\": 1}}}}"))
        .isEqualTo("tasks.nop.latency_ms: min (5) is greater than max (1)");
    assertThat(refusal("{\"tasks\": {\"nop\": {\"latency_ms\": {\"min\": 5}}}}"))
        .isEqualTo("tasks.nop.latency_ms: a range needs both min and max");
    assertThat(refusal("{\"tasks\": {\"nop\": {\"fail_rate\": 1.5}}}")).isEqualTo("tasks.nop.fail_rate: must be a number from 0 to 1");
    assertThat(refusal("{\"tasks\": {\"nop\": {\"fail_rate\": \"0.5\"}}}")).isEqualTo("tasks.nop.fail_rate: must be a number from 0 to 1");
    assertThat(refusal("{\"tasks\": {\"nop\": {\"error\": \"\"}}}")).isEqualTo("tasks.nop.error: must be a non-empty string");
    assertThat(refusal("{\"tasks\": {\"nop\": {\"hang\": 1}}}")).isEqualTo("tasks.nop.hang: must be true or false");
    assertThat(refusal("{\"heartbeat\": {\"mode\": \"off\"}}")).isEqualTo("heartbeat.mode: must be \"normal\", \"stop\" or \"drop\"");
    assertThat(refusal("{\"heartbeat\": {\"mode\": \"drop\"}}")).isEqualTo("heartbeat.drop_rate: mode drop needs a drop_rate from 0 to 1");
    assertThat(refusal("{\"heartbeat\": {\"drop_rate\": 0.5}}"))
        .isEqualTo("heartbeat.drop_rate: only means something with \"mode\": \"drop\"");
    assertThat(refusal("{\"status_reports\": {\"mode\": \"pause\"}}"))
        .isEqualTo("status_reports.mode: must be one of \"normal\", \"stop\"");
    assertThat(refusal("{\"listener\": {\"mode\": \"closed\"}}"))
        .isEqualTo("listener.mode: must be one of \"normal\", \"refuse\", \"hang\", \"unavailable\"");
    assertThat(refusal("{\"listener\": \"refuse\"}")).isEqualTo("listener: must be a JSON object");
    assertThat(refusal("{\"vm_agent\": {\"mode\": \"stop\"}}")).isEqualTo("vm_agent.mode: must be one of \"normal\", \"pause\"");
    assertThat(refusal("{\"cmon_agent\": {\"mode\": \"pause\", \"for\": 5}}"))
        .startsWith("cmon_agent.for: unknown key; known keys are mode");
    assertThat(refusal("{\"seed\": \"abc\"}")).startsWith("seed: must be a whole number");
  }

  @Test
  void merge_aCnsKeysOverTheFleets_tasksEntryByEntry() throws Exception {
    Map<String, Object> fleet = check("""
        {"tasks": {"machine_create": {"latency_ms": 3000}, "nop": {"fail_rate": 1}},
         "heartbeat": {"mode": "stop"}, "seed": 1}""");
    Map<String, Object> cn = check("""
        {"tasks": {"nop": {"latency_ms": 5}}, "heartbeat": {"mode": "normal"}}""");

    Behaviour b = BehaviourParser.build(BehaviourParser.merge(fleet, cn));

    assertThat(b.task("machine_create").latencyMinMs()).isEqualTo(3000);
    assertThat(b.task("nop")).isEqualTo(new TaskBehaviour(5, 5, 0, null, false)); // the CN's entry, whole
    assertThat(b.heartbeat()).isEqualTo(HeartbeatBehaviour.NORMAL);
    assertThat(b.seed()).isEqualTo(1L);
  }
}
