package com.joyent.mockcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HeartbeatLagTest {
  /** A run-servers page: the heartbeat counters and lag histogram, among other metrics. */
  private static String page(long sent, long answered, long failed, long late, long[] lagBuckets, double lagSum) {
    String[] le = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.0", "5.0", "10.0", "30.0", "+Inf"};
    StringBuilder sb = new StringBuilder();
    sb.append("# HELP jvm_threads_current Current thread count of a JVM\n# TYPE jvm_threads_current gauge\n");
    sb.append("jvm_threads_current 60.0\n");
    sb.append("# HELP mockcloud_heartbeat_lag_seconds how long after its due time each heartbeat was sent\n");
    sb.append("# TYPE mockcloud_heartbeat_lag_seconds histogram\n");
    for (int i = 0; i < le.length; i++) {
      sb.append("mockcloud_heartbeat_lag_seconds_bucket{le=\"").append(le[i]).append("\"} ").append(lagBuckets[i]).append('\n');
    }
    sb.append("mockcloud_heartbeat_lag_seconds_count ").append(lagBuckets[le.length - 1]).append('\n');
    sb.append("mockcloud_heartbeat_lag_seconds_sum ").append(lagSum).append('\n');
    // A second histogram whose name shares the prefix must not be mixed in.
    sb.append("mockcloud_heartbeat_lag_seconds_other_bucket{le=\"+Inf\"} 999\n");
    sb.append("# TYPE mockcloud_heartbeats_sent_total counter\nmockcloud_heartbeats_sent_total ").append(sent).append(".0\n");
    sb.append("# TYPE mockcloud_heartbeats_answered_total counter\nmockcloud_heartbeats_answered_total ").append(answered).append(".0\n");
    sb.append("# TYPE mockcloud_heartbeats_failed_total counter\nmockcloud_heartbeats_failed_total ").append(failed).append(".0\n");
    sb.append("# TYPE mockcloud_heartbeats_late_total counter\nmockcloud_heartbeats_late_total ").append(late).append(".0\n");
    return sb.toString();
  }

  @Test
  void figuresOfTheWindowBetweenTwoScrapes() {
    // Before the window: 1,000 heartbeats, all within 5 ms.
    PromMetrics start = PromMetrics.parse(page(1000, 990, 10, 0,
        new long[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, 1.0));
    // In the window: 2,000 more: 1,500 within 5 ms, 470 within 10 ms, 20 within 50 ms, 10 at 1-2 s (late).
    PromMetrics end = PromMetrics.parse(page(3000, 2985, 15, 10,
        new long[] {2500, 2970, 2970, 2990, 2990, 2990, 2990, 2990, 3000, 3000, 3000, 3000, 3000}, 41.0));
    Map<String, Object> w = HeartbeatLag.window(start, end);
    assertThat(w).containsEntry("sent", 2000L).containsEntry("answered", 1995L).containsEntry("failed", 5L)
        .containsEntry("late", 10L).containsEntry("lag_count", 2000L).containsEntry("lag_mean_ms", 20.0)
        .containsEntry("lag_p50_ms", 5.0) // 1,500 of the 2,000 within 5 ms
        .doesNotContainKey("note");
    assertThat(w.get("lag_p99_ms")).isEqualTo(50.0);
    assertThat(HeartbeatLag.countsCell(w)).isEqualTo("2000 / 1995 / 5 / 10");
    assertThat(HeartbeatLag.lagCell(w)).isEqualTo("<= 5 / <= 50 (mean 20.0)");
  }

  @Test
  void answerTimeQuantilesOfTheWindow() {
    String before = "mockcloud_heartbeat_answer_seconds_bucket{le=\"0.01\"} 100\n"
        + "mockcloud_heartbeat_answer_seconds_bucket{le=\"1.0\"} 100\n"
        + "mockcloud_heartbeat_answer_seconds_bucket{le=\"+Inf\"} 100\n"
        + "mockcloud_heartbeat_answer_seconds_count 100\nmockcloud_heartbeat_answer_seconds_sum 0.5\n";
    // In the window: 98 answered within 10 ms, 2 within 1 s.
    String after = "mockcloud_heartbeat_answer_seconds_bucket{le=\"0.01\"} 198\n"
        + "mockcloud_heartbeat_answer_seconds_bucket{le=\"1.0\"} 200\n"
        + "mockcloud_heartbeat_answer_seconds_bucket{le=\"+Inf\"} 200\n"
        + "mockcloud_heartbeat_answer_seconds_count 200\nmockcloud_heartbeat_answer_seconds_sum 2.0\n";
    long[] lag = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    Map<String, Object> w = HeartbeatLag.window(PromMetrics.parse(page(0, 0, 0, 0, lag, 0) + before),
        PromMetrics.parse(page(0, 0, 0, 0, lag, 0) + after));
    assertThat(w).containsEntry("answer_p50_ms", 10.0).containsEntry("answer_p99_ms", 1000.0);
    assertThat(HeartbeatLag.answerCell(w)).isEqualTo("<= 10 / <= 1000");
    assertThat(HeartbeatLag.answerCell(HeartbeatLag.window(PromMetrics.parse(page(0, 0, 0, 0, lag, 0)),
        PromMetrics.parse(page(0, 0, 0, 0, lag, 0))))).isNull();
  }

  @Test
  void sinceStartCountsEverythingOnTheOnePage() {
    PromMetrics page = PromMetrics.parse(page(1000, 990, 10, 3,
        new long[] {900, 980, 980, 980, 980, 980, 980, 980, 997, 1000, 1000, 1000, 1000}, 12.0));
    Map<String, Object> w = HeartbeatLag.sinceStart(page);
    assertThat(w).containsEntry("sent", 1000L).containsEntry("answered", 990L).containsEntry("failed", 10L)
        .containsEntry("late", 3L).containsEntry("lag_count", 1000L).containsEntry("lag_p50_ms", 5.0)
        .containsEntry("lag_p99_ms", 2000.0);
  }

  @Test
  void aQuantileBeyondTheLastBucketAndAnEmptyWindow() {
    long[] b0 = new long[13];
    PromMetrics start = PromMetrics.parse(page(0, 0, 0, 0, b0, 0));
    long[] b1 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4};
    PromMetrics end = PromMetrics.parse(page(4, 0, 4, 4, b1, 160));
    Map<String, Object> w = HeartbeatLag.window(start, end);
    assertThat(w).containsEntry("lag_p50_ms", "> 30000.0").containsEntry("lag_p99_ms", "> 30000.0");
    assertThat(HeartbeatLag.lagCell(w)).startsWith("> 30000.0 / > 30000.0");
    Map<String, Object> empty = HeartbeatLag.window(start, start);
    assertThat(empty).containsEntry("sent", 0L).containsEntry("lag_count", 0L);
    assertThat(empty.get("lag_p50_ms")).isNull();
    assertThat(HeartbeatLag.lagCell(empty)).isEqualTo("- (no heartbeat in the window)");
  }

  @Test
  void missingMetricsAndRestartsAreNotedNotGuessed() {
    PromMetrics bare = PromMetrics.parse("jvm_threads_current 60.0\n");
    Map<String, Object> w = HeartbeatLag.window(bare, bare);
    assertThat(w.get("sent")).isNull();
    assertThat((String) w.get("note")).contains("no mockcloud_heartbeat_lag_seconds histogram");
    assertThat(HeartbeatLag.countsCell(w)).isEqualTo("- / - / - / -");

    PromMetrics before = PromMetrics.parse(page(500, 500, 0, 0,
        new long[] {500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500}, 1));
    PromMetrics after = PromMetrics.parse(page(20, 20, 0, 0,
        new long[] {20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, 0.1));
    Map<String, Object> restarted = HeartbeatLag.window(before, after);
    assertThat(restarted.get("sent")).isNull();
    assertThat(restarted).doesNotContainKey("lag_p99_ms");
    assertThat((String) restarted.get("note")).contains("went down");

    assertThat(HeartbeatLag.unavailable("connection refused"))
        .containsExactly(Map.entry("note", "run-servers exposes no metrics (connection refused)"));
  }
}
