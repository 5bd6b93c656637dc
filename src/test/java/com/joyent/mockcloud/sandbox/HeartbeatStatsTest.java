package com.joyent.mockcloud.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.joyent.mockcloud.testing.TestClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The receiver's gap figures the bench prints: what CNAPI saw, window by window. */
class HeartbeatStatsTest {
  private final TestClock clock = TestClock.frozen();
  private final HeartbeatStats stats = new HeartbeatStats(clock);

  @Test
  void gapsOnScheduleAreNotOver() {
    for (int i = 0; i < 5; i++) {
      stats.heartbeat("a");
      clock.advance(Duration.ofMillis(5030));
    }
    Map<String, Object> s = stats.summary();
    assertEquals(4L, s.get("gaps"));
    assertEquals(5040L, s.get("p99_ms")); // upper edge of the 10 ms bucket holding 5030
    assertEquals(5030L, s.get("max_ms"));
    assertEquals(0, s.get("over_11s"));
  }

  @Test
  void aGapThatBeganBeforeTheWindowCountsInItAndIsToldApart() {
    stats.heartbeat("early"); // silent from here across the window's start
    stats.heartbeat("inside");
    clock.advance(Duration.ofSeconds(5));
    stats.heartbeat("inside");
    stats.reset();
    clock.advance(Duration.ofSeconds(5));
    stats.heartbeat("inside");
    clock.advance(Duration.ofSeconds(2));
    stats.heartbeat("early"); // a 12 s gap, 5 s of it before the window
    clock.advance(Duration.ofSeconds(12));
    stats.heartbeat("inside"); // a 14 s gap wholly in the window
    Map<String, Object> s = stats.summary();
    assertEquals(2, s.get("over_11s"));
    assertEquals(1, s.get("over_11s_began_before"));
    assertEquals(14_000L, s.get("max_ms"));
  }

  @Test
  void aCnSilentNowIsStaleNotOver() {
    stats.heartbeat("a");
    stats.reset();
    clock.advance(Duration.ofSeconds(12));
    Map<String, Object> s = stats.summary();
    assertEquals(0, s.get("over_11s"));
    assertEquals(1, s.get("stale_now"));
  }
}
