package com.joyent.mockcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromMetricsTest {
  /** The shape Prometheus client_java 1.x writes in text format 0.0.4 (HELP, TYPE, "1.0", "+Inf"). */
  static final String PAGE = """
      # HELP mockcloud_heartbeat_lag_seconds how long after its due time each heartbeat was sent
      # TYPE mockcloud_heartbeat_lag_seconds histogram
      mockcloud_heartbeat_lag_seconds_bucket{le="0.005"} 1
      mockcloud_heartbeat_lag_seconds_bucket{le="0.01"} 1
      mockcloud_heartbeat_lag_seconds_bucket{le="0.025"} 2
      mockcloud_heartbeat_lag_seconds_bucket{le="1.0"} 2
      mockcloud_heartbeat_lag_seconds_bucket{le="30.0"} 2
      mockcloud_heartbeat_lag_seconds_bucket{le="+Inf"} 3
      mockcloud_heartbeat_lag_seconds_count 3
      mockcloud_heartbeat_lag_seconds_sum 40.023
      # HELP mockcloud_heartbeats_sent_total heartbeats handed to the outbound client
      # TYPE mockcloud_heartbeats_sent_total counter
      mockcloud_heartbeats_sent_total 12345.0
      """;

  @Test
  void readsCountersAndAClassicHistogram() {
    PromMetrics m = PromMetrics.parse(PAGE);
    assertThat(m.sum("mockcloud_heartbeats_sent_total")).isEqualTo(12345.0);
    assertThat(m.sum("mockcloud_heartbeats_failed_total")).isNull();
    PromMetrics.Histogram h = m.histogram("mockcloud_heartbeat_lag_seconds");
    assertThat(h.bounds()).containsExactly(0.005, 0.01, 0.025, 1.0, 30.0, Double.POSITIVE_INFINITY);
    assertThat(h.cumulative()).containsExactly(1, 1, 2, 2, 2, 3);
    assertThat(h.count()).isEqualTo(3);
    assertThat(h.sum()).isEqualTo(40.023);
    assertThat(h.topFiniteBound()).isEqualTo(30.0);
    assertThat(m.histogram("mockcloud_no_such_seconds")).isNull();
  }

  @Test
  void labelsEscapesBlanksTimestampsAndSpecialValues() {
    PromMetrics m = PromMetrics.parse("""

        metric_a{path="/a\\"b\\\\c\\nd",code="200",} 7 1700000000000
        metric_a { code = "500" }  3
        metric_b -Inf
        metric_c NaN
        metric_d 1.5e-3
        metric:e_total\t+Inf
        # a comment with {braces} 1 2 3
        """);
    assertThat(m.samples()).hasSize(6);
    PromMetrics.Sample first = m.samples().get(0);
    assertThat(first.labels()).isEqualTo(Map.of("path", "/a\"b\\c\nd", "code", "200"));
    assertThat(first.value()).isEqualTo(7);
    assertThat(m.sum("metric_a")).as("summed over label sets").isEqualTo(10);
    assertThat(m.sum("metric_b")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(m.sum("metric_c")).isNaN();
    assertThat(m.sum("metric_d")).isEqualTo(0.0015);
    assertThat(m.sum("metric:e_total")).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void aHistogramWithMoreLabelsIsSummedPerBound() {
    PromMetrics m = PromMetrics.parse("""
        lag_seconds_bucket{lane="a",le="0.1"} 2
        lag_seconds_bucket{lane="b",le="0.1"} 1
        lag_seconds_bucket{lane="a",le="+Inf"} 4
        lag_seconds_bucket{lane="b",le="+Inf"} 1
        lag_seconds_count{lane="a"} 4
        lag_seconds_count{lane="b"} 1
        """);
    PromMetrics.Histogram h = m.histogram("lag_seconds");
    assertThat(h.bounds()).containsExactly(0.1, Double.POSITIVE_INFINITY);
    assertThat(h.cumulative()).containsExactly(3, 5);
    assertThat(h.count()).isEqualTo(5);
    assertThat(h.sum()).as("no _sum lines").isNaN();
  }

  @Test
  void malformedLinesAreRefusedWithTheirLineNumber() {
    for (String bad : new String[] {"{le=\"1\"} 3", "m{le=\"1} 3", "m{le=1} 3", "m{le=\"1\" x=\"2\"} 3", "m",
        "m{le=\"1\"}", "m 1 2 3", "m 12abc", "m 2f", "m{=\"1\"} 1"}) {
      assertThatThrownBy(() -> PromMetrics.parse("ok 1\n" + bad + "\n"), bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
    }
  }

  @Test
  void quantileIsTheBoundWhereTheCumulativeCountPassesIt() {
    double[] bounds = {0.005, 0.01, 0.025, 0.05, Double.POSITIVE_INFINITY};
    // 100 observations: 50 <= 5 ms, 48 more <= 10 ms, 1 more <= 25 ms, 1 beyond 50 ms.
    PromMetrics.Histogram h = new PromMetrics.Histogram(bounds, new double[] {50, 98, 99, 99, 100}, 100, 1.0);
    assertThat(h.quantileBound(0.50)).isEqualTo(0.005);
    assertThat(h.quantileBound(0.51)).isEqualTo(0.01);
    assertThat(h.quantileBound(0.98)).isEqualTo(0.01);
    assertThat(h.quantileBound(0.99)).isEqualTo(0.025);
    assertThat(h.quantileBound(1.0)).isEqualTo(Double.POSITIVE_INFINITY);
    // Fewer observations than 1 / (1 - q): the p99 is the highest one's bucket.
    PromMetrics.Histogram few = new PromMetrics.Histogram(bounds, new double[] {9, 9, 10, 10, 10}, 10, 0.1);
    assertThat(few.quantileBound(0.99)).isEqualTo(0.025);
    assertThat(few.quantileBound(0.5)).isEqualTo(0.005);
    // Empty buckets before the first observation are passed over.
    PromMetrics.Histogram late = new PromMetrics.Histogram(bounds, new double[] {0, 0, 0, 4, 4}, 4, 0.1);
    assertThat(late.quantileBound(0.5)).isEqualTo(0.05);
    PromMetrics.Histogram none = new PromMetrics.Histogram(bounds, new double[] {0, 0, 0, 0, 0}, 0, 0);
    assertThat(none.quantileBound(0.5)).isNaN();
  }

  @Test
  void differenceOfTwoScrapesAndRestartsRefused() {
    double[] bounds = {0.01, Double.POSITIVE_INFINITY};
    PromMetrics.Histogram a = new PromMetrics.Histogram(bounds, new double[] {10, 12}, 12, 0.5);
    PromMetrics.Histogram b = new PromMetrics.Histogram(bounds, new double[] {15, 20}, 20, 2.5);
    PromMetrics.Histogram d = b.minus(a);
    assertThat(d.cumulative()).containsExactly(5, 8);
    assertThat(d.count()).isEqualTo(8);
    assertThat(d.sum()).isEqualTo(2.0);
    assertThatThrownBy(() -> a.minus(b)).isInstanceOf(IllegalStateException.class).hasMessageContaining("restarted");
    PromMetrics.Histogram other = new PromMetrics.Histogram(new double[] {0.02, Double.POSITIVE_INFINITY},
        new double[] {15, 20}, 20, 2.5);
    assertThatThrownBy(() -> other.minus(a)).isInstanceOf(IllegalStateException.class).hasMessageContaining("buckets");
  }
}
