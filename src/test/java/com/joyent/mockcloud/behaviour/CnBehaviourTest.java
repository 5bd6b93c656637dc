package com.joyent.mockcloud.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatBehaviour;
import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatMode;
import com.joyent.mockcloud.behaviour.Behaviour.TaskBehaviour;
import com.joyent.mockcloud.behaviour.CnBehaviour.HeartbeatPlan;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The choices one CN makes from its behaviour: latencies in range, rates as asked, seeds that repeat. */
class CnBehaviourTest {
  private final CnBehaviour b = new CnBehaviour(UUID.randomUUID());

  private static Behaviour tasks(TaskBehaviour t, Long seed) {
    return new Behaviour(Map.of("*", t), HeartbeatBehaviour.NORMAL, false, seed);
  }

  @Test
  void latencyRange_staysWithinItsBounds_andUsesThem() {
    b.set(tasks(new TaskBehaviour(100, 105, 0, null, false), 3L));
    long lo = Long.MAX_VALUE;
    long hi = 0;
    for (int i = 0; i < 500; i++) {
      long l = b.planTask("nop").latencyMs();
      lo = Math.min(lo, l);
      hi = Math.max(hi, l);
    }
    assertThat(lo).isEqualTo(100);
    assertThat(hi).isEqualTo(105);
  }

  /** 1,000 draws at 0.3: within 5 standard deviations (±72) of 300, and the same again with the same seed. */
  @Test
  void failRate_landsWithinBinomialBounds_andRepeatsWithTheSameSeed() {
    Behaviour behaviour = tasks(new TaskBehaviour(0, 0, 0.3, null, false), 99L);
    b.set(behaviour);
    StringBuilder first = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      first.append(b.planTask("nop").fail() ? 'F' : '.');
    }
    long failures = first.chars().filter(c -> c == 'F').count();
    assertThat(failures).isBetween(300L - 72, 300L + 72);

    b.set(behaviour);
    StringBuilder again = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      again.append(b.planTask("nop").fail() ? 'F' : '.');
    }
    assertThat(again.toString()).isEqualTo(first.toString());

    CnBehaviour other = new CnBehaviour(UUID.randomUUID());
    other.set(behaviour);
    StringBuilder others = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      others.append(other.planTask("nop").fail() ? 'F' : '.');
    }
    assertThat(others.toString()).as("each CN its own sequence from one seed").isNotEqualTo(first.toString());
  }

  @Test
  void heartbeats_normalStopDropAndDelay() {
    assertThat(b.planHeartbeat()).isEqualTo(HeartbeatPlan.NOW);
    b.set(new Behaviour(Map.of(), new HeartbeatBehaviour(HeartbeatMode.STOP, 0, 0), false, null));
    assertThat(b.planHeartbeat()).isEqualTo(HeartbeatPlan.SKIP);
    b.set(new Behaviour(Map.of(), new HeartbeatBehaviour(HeartbeatMode.NORMAL, 0, 250), false, null));
    assertThat(b.planHeartbeat()).isEqualTo(new HeartbeatPlan(true, 250));
    b.set(new Behaviour(Map.of(), new HeartbeatBehaviour(HeartbeatMode.DROP, 0.5, 0), false, 5L));
    int sent = 0;
    for (int i = 0; i < 1000; i++) {
      sent += b.planHeartbeat().send() ? 1 : 0;
    }
    assertThat(sent).isBetween(500 - 80, 500 + 80);
  }
}
