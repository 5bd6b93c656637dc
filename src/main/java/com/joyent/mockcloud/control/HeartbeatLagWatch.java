package com.joyent.mockcloud.control;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says once when heartbeats fall behind, and once when they are back on time, in the manner of
 * the reporters' first-failure logging: one warning when a heartbeat leaves more than
 * {@link #WARN_SECONDS} behind its schedule (CNAPI calls a CN dead after 11 s without one),
 * then nothing per heartbeat, then one line once no heartbeat has been that late for
 * {@link #RECOVERY_SECONDS}, with how many were late meanwhile. Thread-safe, lock-free.
 */
final class HeartbeatLagWatch {
  static final double WARN_SECONDS = 2.0;
  static final long RECOVERY_SECONDS = 30;
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatLagWatch.class);

  private final LongSupplier nanoTime;
  /** 0 while on time; else when the episode began (nanoTime, never 0). */
  private final AtomicLong episodeStart = new AtomicLong();
  private final AtomicLong lastLate = new AtomicLong();
  private final AtomicLong lateInEpisode = new AtomicLong();
  private volatile double worst;

  HeartbeatLagWatch(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  void observe(double lagSeconds) {
    long now = nanoTime.getAsLong();
    if (lagSeconds > WARN_SECONDS) {
      lastLate.set(now);
      lateInEpisode.incrementAndGet();
      if (lagSeconds > worst) {
        worst = lagSeconds;
      }
      if (episodeStart.compareAndSet(0, now == 0 ? 1 : now)) {
        LOG.warn("heartbeats are running late: one left {} s behind its schedule (CNAPI marks a server unknown "
            + "after 11 s without one); the process is overloaded. See mockcloud_heartbeat_lag_seconds on the "
            + "control port", String.format("%.1f", lagSeconds));
      }
      return;
    }
    long start = episodeStart.get();
    if (start != 0 && now - lastLate.get() > TimeUnit.SECONDS.toNanos(RECOVERY_SECONDS)
        && episodeStart.compareAndSet(start, 0)) {
      long late = lateInEpisode.getAndSet(0);
      double w = worst;
      worst = 0;
      LOG.info("heartbeats are on time again after {} s: {} were over {} s late, the worst {} s",
          (now - start) / 1_000_000_000L, late, WARN_SECONDS, String.format("%.1f", w));
    }
  }

  boolean lateNow() {
    return episodeStart.get() != 0;
  }
}
