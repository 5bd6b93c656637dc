package com.joyent.mockcloud.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * run-servers' own heartbeat figures over one window of the bench (the idle hold, the task
 * mix), from two scrapes of its {@code GET /metrics}: heartbeats sent, answered, failed and late
 * in the window, and how late they left behind their 5 s schedule (p50 / p99 estimated from the
 * difference of the two {@code mockcloud_heartbeat_lag_seconds} histograms: the upper bound of
 * the bucket in which the cumulative count passes the quantile). The receiver's gaps say what
 * CNAPI saw; these say what run-servers did, so the two can be told apart.
 */
final class HeartbeatLag {
  static final String LAG = "mockcloud_heartbeat_lag_seconds";
  static final String ANSWER = "mockcloud_heartbeat_answer_seconds";
  static final String SENT = "mockcloud_heartbeats_sent_total";
  static final String ANSWERED = "mockcloud_heartbeats_answered_total";
  static final String FAILED = "mockcloud_heartbeats_failed_total";
  static final String LATE = "mockcloud_heartbeats_late_total";
  /** The JSON note when a window has no figures because the scrape failed. */
  static final String NO_METRICS = "run-servers exposes no metrics";

  private HeartbeatLag() {}

  /**
   * The window between two scrapes, as JSON-ready figures: {@code sent}, {@code answered},
   * {@code failed}, {@code late} (null for a counter the page lacks), {@code lag_count},
   * {@code lag_mean_ms}, {@code lag_p50_ms}, {@code lag_p99_ms}. A quantile is a number of ms
   * (the bucket's upper bound), or a string {@code "> N"} when it lies beyond the last finite
   * bucket of N ms; null when no heartbeat was observed in the window.
   */
  static Map<String, Object> window(PromMetrics start, PromMetrics end) {
    return window(start, end, false);
  }

  /** The figures from run-servers' start up to one scrape: its start-up (registration, first sync). */
  static Map<String, Object> sinceStart(PromMetrics end) {
    return window(end, end, true);
  }

  private static Map<String, Object> window(PromMetrics start, PromMetrics end, boolean fromZero) {
    Map<String, Object> w = new LinkedHashMap<>();
    StringBuilder notes = new StringBuilder();
    for (String[] c : new String[][] {{"sent", SENT}, {"answered", ANSWERED}, {"failed", FAILED}, {"late", LATE}}) {
      Double a = fromZero ? Double.valueOf(0) : start.sum(c[1]);
      Double b = end.sum(c[1]);
      if (a == null || b == null) {
        w.put(c[0], null);
      } else if (b < a) {
        w.put(c[0], null);
        notes.append(c[1]).append(" went down between the scrapes (restarted?); ");
      } else {
        w.put(c[0], Math.round(b - a));
      }
    }
    PromMetrics.Histogram h0 = start.histogram(LAG);
    PromMetrics.Histogram h1 = end.histogram(LAG);
    if (h0 == null || h1 == null) {
      notes.append("no ").append(LAG).append(" histogram; ");
    } else {
      try {
        PromMetrics.Histogram d = fromZero ? h1 : h1.minus(h0);
        long count = Math.round(d.count());
        w.put("lag_count", count);
        w.put("lag_mean_ms", count == 0 || Double.isNaN(d.sum()) ? null : Bench.round(d.sum() / d.count() * 1000));
        w.put("lag_p50_ms", quantileMs(d, 0.50));
        w.put("lag_p99_ms", quantileMs(d, 0.99));
      } catch (IllegalStateException e) {
        notes.append(e.getMessage()).append("; ");
      }
    }
    // From sending to the answer (the gate's wait included): the next heartbeat leaves 5 s after
    // the answer, so a slow answer lengthens CNAPI's gap though the heartbeat left on time.
    PromMetrics.Histogram a0 = start.histogram(ANSWER);
    PromMetrics.Histogram a1 = end.histogram(ANSWER);
    if (a1 != null && (fromZero || a0 != null)) {
      try {
        PromMetrics.Histogram d = fromZero ? a1 : a1.minus(a0);
        w.put("answer_p50_ms", quantileMs(d, 0.50));
        w.put("answer_p99_ms", quantileMs(d, 0.99));
      } catch (IllegalStateException e) {
        notes.append(e.getMessage()).append("; ");
      }
    }
    if (notes.length() > 0) {
      w.put("note", notes.substring(0, notes.length() - 2));
    }
    return w;
  }

  /** The JSON of a window whose scrapes failed: only a note saying why. */
  static Map<String, Object> unavailable(String why) {
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("note", NO_METRICS + (why == null || why.isEmpty() ? "" : " (" + why + ")"));
    return w;
  }

  private static Object quantileMs(PromMetrics.Histogram d, double q) {
    double s = d.quantileBound(q);
    if (Double.isNaN(s)) {
      return null;
    }
    if (Double.isInfinite(s)) {
      double top = d.topFiniteBound();
      return Double.isNaN(top) ? "> 0" : "> " + ms(top);
    }
    return ms(s);
  }

  /** Seconds to ms without float noise (0.005 s is 5.0, not 5.000000000000001). */
  private static double ms(double seconds) {
    return Math.round(seconds * 1_000_000) / 1000.0;
  }

  /** "<= p50 / <= p99" of the answer time for the table; null when the page had no such histogram. */
  static String answerCell(Map<String, Object> w) {
    if (!w.containsKey("answer_p50_ms")) {
      return null;
    }
    return bound(w.get("answer_p50_ms")) + " / " + bound(w.get("answer_p99_ms"));
  }

  /** "sent / answered / failed / late" for the table, "-" for a missing counter. */
  static String countsCell(Map<String, Object> w) {
    return dash(w.get("sent")) + " / " + dash(w.get("answered")) + " / " + dash(w.get("failed")) + " / "
        + dash(w.get("late"));
  }

  /** "<= p50 / <= p99 (mean m)" for the table: the quantiles are bucket bounds, upper estimates. */
  static String lagCell(Map<String, Object> w) {
    Object p50 = w.get("lag_p50_ms");
    Object p99 = w.get("lag_p99_ms");
    if (p50 == null && p99 == null) {
      return "- (no heartbeat in the window)";
    }
    return bound(p50) + " / " + bound(p99) + (w.get("lag_mean_ms") == null ? "" : " (mean " + w.get("lag_mean_ms") + ")");
  }

  private static String bound(Object v) {
    if (v == null) {
      return "-";
    }
    if (v instanceof String s) {
      return s;
    }
    double d = ((Number) v).doubleValue();
    return "<= " + (d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d));
  }

  private static String dash(Object v) {
    return v == null ? "-" : v.toString();
  }
}
