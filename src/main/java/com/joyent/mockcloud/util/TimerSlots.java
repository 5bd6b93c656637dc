package com.joyent.mockcloud.util;

/**
 * Rounds delays up so that timers due close together fall due together. Thousands of CNs each
 * with its own 5 s heartbeat timer wake a scheduler thousands of times a second, and each
 * wake-up is a context switch; with their deadlines on a {@value #SLOT_MILLIS} ms grid, these
 * timers wake it at most 50 times a second, each time running everything then due.
 */
public final class TimerSlots {
  public static final long SLOT_MILLIS = 20;
  private static final long SLOT_NANOS = SLOT_MILLIS * 1_000_000L;

  private TimerSlots() {}

  /**
   * {@code delayMillis} as nanoseconds, lengthened by less than a slot to end on the grid of
   * the clock {@code nowNanos} was read from ({@link Timer#nanoTime()}).
   */
  public static long alignedNanos(long nowNanos, long delayMillis) {
    long due = nowNanos + Math.max(0, delayMillis) * 1_000_000L;
    long aligned = Math.floorDiv(due + SLOT_NANOS - 1, SLOT_NANOS) * SLOT_NANOS;
    return aligned - nowNanos;
  }
}
