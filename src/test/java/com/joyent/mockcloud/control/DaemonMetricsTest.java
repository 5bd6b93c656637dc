package com.joyent.mockcloud.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.Test;

/** What the control port's {@code GET /metrics} text says, line by line. */
class DaemonMetricsTest {
  final DaemonMetrics metrics = new DaemonMetrics(() -> 0L);

  String text() {
    return new String(metrics.scrape(), StandardCharsets.UTF_8);
  }

  @Test
  void heartbeats_countedWithTheirLagInHistogramBuckets_andLateOnesCounted() {
    metrics.heartbeatSent(0.003);
    metrics.heartbeatSent(0.2);
    metrics.heartbeatSent(1.5);
    metrics.heartbeatDone(true, 0.002);
    metrics.heartbeatDone(false, 5.0);

    String t = text();
    assertThat(t).contains("mockcloud_heartbeats_sent_total 3.0\n")
        .contains("mockcloud_heartbeats_answered_total 1.0\n")
        .contains("mockcloud_heartbeats_failed_total 1.0\n")
        .contains("mockcloud_heartbeats_late_total 1.0\n")
        .contains("mockcloud_heartbeat_lag_seconds_bucket{le=\"0.005\"} 1\n")
        .contains("mockcloud_heartbeat_lag_seconds_bucket{le=\"0.25\"} 2\n")
        .contains("mockcloud_heartbeat_lag_seconds_bucket{le=\"1.0\"} 2\n")
        .contains("mockcloud_heartbeat_lag_seconds_bucket{le=\"2.0\"} 3\n")
        .contains("mockcloud_heartbeat_lag_seconds_bucket{le=\"+Inf\"} 3\n")
        .contains("mockcloud_heartbeat_lag_seconds_count 3\n")
        .contains("mockcloud_heartbeat_answer_seconds_count 2\n")
        .contains("# TYPE mockcloud_heartbeat_lag_seconds histogram\n");
  }

  @Test
  void tasks_byNameAndOutcome_withDurations_rejectedOnesWithoutDuration() {
    metrics.taskEnded("machine_create", "finished", 0.02);
    metrics.taskEnded("machine_create", "failed", 0.5);
    metrics.taskEnded("nop", "rejected", 0);

    String t = text();
    assertThat(t).contains("mockcloud_tasks_total{outcome=\"finished\",task=\"machine_create\"} 1.0\n")
        .contains("mockcloud_tasks_total{outcome=\"failed\",task=\"machine_create\"} 1.0\n")
        .contains("mockcloud_tasks_total{outcome=\"rejected\",task=\"nop\"} 1.0\n")
        .contains("mockcloud_task_duration_seconds_count{task=\"machine_create\"} 2\n")
        .doesNotContain("mockcloud_task_duration_seconds_count{task=\"nop\"}");
  }

  @Test
  void gaugesAndCallbackCounters_readAtEachScrape() {
    AtomicInteger waiting = new AtomicInteger(7);
    metrics.gauge("outbound_waiting", "waiting", new String[] {"gate", "lane"},
        new DaemonMetrics.Series(waiting::get, "cnapi", "heartbeat"));
    metrics.counter("changefeed_frames", "frames", () -> 42);
    assertThat(text()).contains("mockcloud_outbound_waiting{gate=\"cnapi\",lane=\"heartbeat\"} 7.0\n")
        .contains("mockcloud_changefeed_frames_total 42.0\n");
    waiting.set(0);
    assertThat(text()).contains("mockcloud_outbound_waiting{gate=\"cnapi\",lane=\"heartbeat\"} 0.0\n");
  }

  @Test
  void scrape_parsesAsPrometheusText_withGcTimeAmongTheJvmFigures() throws Exception {
    metrics.heartbeatSent(0.01);
    metrics.taskEnded("nop", "finished", 0.001);
    Map<String, MetricFamily> fams = new LinkedHashMap<>();
    TextPrometheusMetricDataParser p = new TextPrometheusMetricDataParser(new ByteArrayInputStream(metrics.scrape()));
    MetricFamily f;
    while ((f = p.parse()) != null) {
      assertThat(fams).as("one HELP/TYPE block per name").doesNotContainKey(f.getName());
      fams.put(f.getName(), f);
    }
    assertThat(fams).containsKeys("mockcloud_heartbeats_sent_total", "mockcloud_heartbeat_lag_seconds",
        "mockcloud_tasks_total", "mockcloud_task_duration_seconds", "jvm_gc_collection_seconds",
        "jvm_memory_used_bytes", "jvm_threads_current");
  }
}
