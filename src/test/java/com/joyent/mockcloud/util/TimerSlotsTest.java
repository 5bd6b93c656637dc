package com.joyent.mockcloud.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimerSlotsTest {
  private static final long MS = 1_000_000L;
  private static final long SLOT = TimerSlots.SLOT_MILLIS * MS;

  @Test
  void aDelayIsLengthenedByLessThanASlot() {
    for (long now : new long[] {0, 1, 7 * MS + 3, SLOT - 1, -123_456_789_012L, Long.MAX_VALUE / 4}) {
      for (long ms : new long[] {0, 1, 19, 20, 500, 5000, 60_000}) {
        long n = TimerSlots.alignedNanos(now, ms);
        assertThat(n).isGreaterThanOrEqualTo(ms * MS).isLessThan(ms * MS + SLOT);
        assertThat(Math.floorMod(now + n, SLOT)).as("deadline on the grid").isZero();
      }
    }
    assertThat(TimerSlots.alignedNanos(3 * MS, -5)).isEqualTo(SLOT - 3 * MS);
  }

  @Test
  void timersDueWithinOneSlotFallDueTogether() {
    long base = 1_000 * SLOT;
    long first = base + 1 * MS + TimerSlots.alignedNanos(base + 1 * MS, 5000);
    long second = base + 12 * MS + TimerSlots.alignedNanos(base + 12 * MS, 4990);
    long third = base + 15 * MS + TimerSlots.alignedNanos(base + 15 * MS, 5000);
    assertThat(second).isEqualTo(first);
    assertThat(third).isEqualTo(first); // 5015 ms and 5001 ms lie in the same 20 ms slot
    long later = base + 25 * MS + TimerSlots.alignedNanos(base + 25 * MS, 5000);
    assertThat(later).isEqualTo(first + SLOT);
  }
}
