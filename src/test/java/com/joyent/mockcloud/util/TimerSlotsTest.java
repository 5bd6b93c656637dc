package com.joyent.mockcloud.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimerSlotsTest {
  private static final long SLOT = TimerSlots.SLOT_MILLIS * 1_000_000L;

  @Test
  void aDelayIsLengthenedByLessThanASlot() {
    for (long ms : new long[] {0, 1, 19, 20, 500, 5000, 60_000}) {
      long n = TimerSlots.alignedNanos(ms);
      assertThat(n).isGreaterThanOrEqualTo(ms * 1_000_000L).isLessThan(ms * 1_000_000L + SLOT);
    }
    assertThat(TimerSlots.alignedNanos(-5)).isBetween(0L, SLOT);
  }

  @Test
  void deadlinesLieOnTheGrid_soTimersDueCloseTogetherFallDueTogether() throws Exception {
    long first = System.nanoTime() + TimerSlots.alignedNanos(5000);
    Thread.sleep(3);
    long second = System.nanoTime() + TimerSlots.alignedNanos(4997);
    // Give or take the nanoseconds between a clock read in the test and the one inside.
    assertThat(offGrid(first)).isLessThan(1_000_000L);
    assertThat(offGrid(second)).isLessThan(1_000_000L);
    long apart = Math.abs(second - first);
    assertThat(Math.min(apart, Math.abs(apart - SLOT))).isLessThan(1_000_000L);
  }

  private static long offGrid(long deadline) {
    long r = Math.floorMod(deadline, SLOT);
    return Math.min(r, SLOT - r);
  }
}
