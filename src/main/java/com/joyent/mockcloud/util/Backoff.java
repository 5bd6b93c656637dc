package com.joyent.mockcloud.util;

import java.util.Random;

/**
 * The per-CN agents' one retry delay: {@code min × factor^attempt}, capped at {@code max}, with
 * backo2's ±20 % jitter when given a {@link Random}. cn-agent's sysinfo registration uses
 * {@link #backo2} (spec cn-agent.md §4.2.2: 1.6^n with jitter); vm-agent's VMAPI retries use
 * {@link #doubling} (0.5 s doubling to 30 s, no jitter). Reset on success (the reference
 * cn-agent never resets; spec §9 allows the fix so a later episode starts fast again).
 * Not thread-safe: each user calls it under its own lock.
 */
public final class Backoff {
  private final long minMs;
  private final long maxMs;
  private final double factor;
  private final Random jitter; // null: none
  private int attempt;

  private Backoff(long minMs, long maxMs, double factor, Random jitter) {
    if (minMs < 1 || maxMs < minMs || factor < 1) {
      throw new IllegalArgumentException("backoff needs 1 <= min <= max and factor >= 1, got min=" + minMs
          + " max=" + maxMs + " factor=" + factor);
    }
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.factor = factor;
    this.jitter = jitter;
  }

  /** backo2 as cn-agent uses it: factor 1.6 and ±20 % jitter drawn from {@code random}. */
  public static Backoff backo2(long minMs, long maxMs, Random random) {
    return new Backoff(minMs, maxMs, 1.6, random);
  }

  /** min, 2·min, 4·min, … up to max, without jitter. */
  public static Backoff doubling(long minMs, long maxMs) {
    return new Backoff(minMs, maxMs, 2, null);
  }

  public long nextDelayMs() {
    double base = minMs * Math.pow(factor, attempt);
    if (base < maxMs * 2) {
      attempt++; // past twice the cap even -20 % jitter stays above it: the count need not grow
    }
    double delay = base;
    if (jitter != null) {
      double r = jitter.nextDouble();
      double dev = Math.floor(r * 0.2 * base);
      delay = ((int) Math.floor(r * 10) & 1) == 0 ? base - dev : base + dev;
    }
    return (long) Math.min(delay, maxMs);
  }

  public void reset() {
    attempt = 0;
  }
}
