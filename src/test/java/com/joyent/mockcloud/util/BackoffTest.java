package com.joyent.mockcloud.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * cn-agent's sysinfo retry delays of spec cn-agent.md §4.2.2 (case 72's "never > 120 s" part, which
 * a wall-clock test cannot reach): 500 ms × 1.6^n, ±20 %, capped at 120 s.
 */
class BackoffTest {
  static final long[] NOMINAL = {500, 800, 1280, 2048, 3277, 5243, 8389, 13422, 21475, 34360, 54976, 87961};

  @Test
  void nextDelay_followsTheNominalSequenceWithin20Percent_thenCapsAt120s() {
    for (int seed = 0; seed < 20; seed++) {
      Backoff b = Backoff.backo2(500, 120_000, new Random(seed));
      for (long nominal : NOMINAL) {
        assertThat(b.nextDelayMs()).isBetween((long) (nominal * 0.8) - 1, (long) (nominal * 1.2) + 1);
      }
      for (int i = 0; i < 10; i++) {
        assertThat(b.nextDelayMs()).isBetween(1L, 120_000L);
      }
    }
  }

  @Test
  void reset_startsOverAt500ms() {
    // Reset after a success is an allowed fix (spec §9: "backoff never reset" MAY be fixed).
    Backoff b = Backoff.backo2(500, 120_000, new Random(7));
    for (int i = 0; i < 5; i++) {
      b.nextDelayMs();
    }
    b.reset();
    assertThat(b.nextDelayMs()).isBetween(400L, 600L);
  }

  @Test
  void doubling_isVmAgentsRetry_halfASecondDoublingTo30s_withoutJitter() {
    Backoff b = Backoff.doubling(500, 30_000);
    long[] got = new long[10];
    for (int i = 0; i < got.length; i++) {
      got[i] = b.nextDelayMs();
    }
    assertThat(got).containsExactly(500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000);
    b.reset();
    assertThat(b.nextDelayMs()).isEqualTo(500);
  }

  @Test
  void aMinAboveTheMax_isRefused() {
    assertThatThrownBy(() -> Backoff.doubling(500, 100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("min=500 max=100");
  }
}
