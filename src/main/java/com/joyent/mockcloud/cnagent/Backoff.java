package com.joyent.mockcloud.cnagent;

import java.util.Random;

/**
 * backo2's algorithm, as cn-agent retries sysinfo registration (spec §4.2.2):
 * {@code min × 1.6^attempt}, ±20 % jitter, capped. Reset on success (the reference never
 * resets; spec §9 allows the fix so a later episode starts fast again). Not thread-safe;
 * the reporter calls it under its lock.
 */
final class Backoff {
  private final long minMs;
  private final long maxMs;
  private final Random random;
  private int attempt;

  Backoff(long minMs, long maxMs, Random random) {
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  long nextDelayMs() {
    double base = minMs * Math.pow(1.6, attempt++);
    double r = random.nextDouble();
    double dev = Math.floor(r * 0.2 * base);
    double delay = ((int) Math.floor(r * 10) & 1) == 0 ? base - dev : base + dev;
    return (long) Math.min(delay, maxMs);
  }

  void reset() {
    attempt = 0;
  }
}
