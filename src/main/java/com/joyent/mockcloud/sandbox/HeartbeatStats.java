package com.joyent.mockcloud.sandbox;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the benchmark needs to see from the receiving side: the gap between consecutive
 * heartbeats of each CN, as CNAPI sees them. Gaps go into a histogram of 10 ms buckets up to
 * 60 s (p50/p99 without keeping every sample); per CN only the last heartbeat time and the
 * longest gap (with when it began) are kept. {@link #reset()} starts a new measuring window; a
 * gap that ends in the window counts in it even if it began before (CNAPI saw the CN silent
 * across the window's start), and the summary says how many of the CNs over 11 s began so.
 * Thread-safe, O(1) per heartbeat.
 */
public final class HeartbeatStats {
  static final long LIMIT_MILLIS = 11_000; // CNAPI's heartbeat lifetime
  private static final int BUCKET_MS = 10;
  private static final int BUCKETS = 6000;

  private final Clock clock;
  private final ConcurrentHashMap<String, long[]> perServer = new ConcurrentHashMap<>(); // {last, maxGap, maxGapFrom}
  private volatile AtomicLongArray histogram = new AtomicLongArray(BUCKETS + 1);
  private volatile long windowStart;

  public HeartbeatStats(Clock clock) {
    this.clock = clock;
    this.windowStart = clock.millis();
  }

  public void heartbeat(String server) {
    long now = clock.millis();
    long[] s = perServer.computeIfAbsent(server, k -> new long[] {0, 0, 0});
    long gap;
    synchronized (s) {
      gap = s[0] == 0 ? -1 : now - s[0];
      if (gap > s[1]) {
        s[1] = gap;
        s[2] = s[0];
      }
      s[0] = now;
    }
    if (gap >= 0) {
      histogram.incrementAndGet((int) Math.min(BUCKETS, gap / BUCKET_MS));
    }
  }

  /** Forgets gaps measured so far (the last heartbeat times stay, so the next gaps are real). */
  public void reset() {
    histogram = new AtomicLongArray(BUCKETS + 1);
    for (long[] s : perServer.values()) {
      synchronized (s) {
        s[1] = 0;
      }
    }
    windowStart = clock.millis();
  }

  /**
   * {@code servers, gaps, p50_ms, p99_ms, max_ms, over_11s, over_11s_began_before, stale_now,
   * window_s}: {@code over_11s_began_before} is how many of the {@code over_11s} CNs had their
   * longest gap begin before the window started.
   */
  public Map<String, Object> summary() {
    long now = clock.millis();
    AtomicLongArray h = histogram;
    long total = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      total += h.get(i);
    }
    long max = 0;
    int over = 0;
    int overFromBefore = 0;
    int stale = 0;
    long start = windowStart;
    for (long[] s : perServer.values()) {
      synchronized (s) {
        max = Math.max(max, s[1]);
        if (s[1] > LIMIT_MILLIS) {
          over++;
          if (s[2] < start) {
            overFromBefore++;
          }
        } else if (now - s[0] > LIMIT_MILLIS) {
          stale++; // has not heartbeat for 11 s right now
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("servers", perServer.size());
    m.put("gaps", total);
    m.put("p50_ms", percentile(h, total, 0.50));
    m.put("p99_ms", percentile(h, total, 0.99));
    m.put("max_ms", max);
    m.put("over_11s", over);
    m.put("over_11s_began_before", overFromBefore);
    m.put("stale_now", stale);
    m.put("window_s", (now - windowStart) / 1000.0);
    return m;
  }

  private static long percentile(AtomicLongArray h, long total, double q) {
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(total * q);
    long seen = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      seen += h.get(i);
      if (seen >= rank) {
        return (long) (i + 1) * BUCKET_MS; // upper edge of the bucket
      }
    }
    return (long) BUCKETS * BUCKET_MS;
  }
}
