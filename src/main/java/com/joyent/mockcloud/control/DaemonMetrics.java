package com.joyent.mockcloud.control;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * run-servers' own figures, so overload is visible rather than silent (docs/control.md): the
 * CNs' heartbeats (sent, answered, failed, late, and how far behind their 5 s schedule they
 * left), tasks by name and outcome with their durations, requests waiting at each outbound
 * gate, changefeed frames received, and the JVM's (GC time, memory, threads). Rendered in the
 * Prometheus text format by {@link #scrape()}. Counting is lock-free and costs no allocation
 * per event, so every heartbeat and frame can be counted. Thread-safe.
 */
public final class DaemonMetrics {
  /** A heartbeat that left this far behind its schedule counts as late. */
  public static final double LATE_SECONDS = 1.0;
  private static final double[] LAG_BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30};
  private static final double[] TASK_BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter heartbeatsSent;
  private final Counter heartbeatsAnswered;
  private final Counter heartbeatsFailed;
  private final Counter heartbeatsLate;
  private final Histogram heartbeatLag;
  private final Histogram heartbeatAnswer;
  private final Counter tasks;
  private final Histogram taskSeconds;
  private final HeartbeatLagWatch lagWatch;

  public DaemonMetrics() {
    this(System::nanoTime);
  }

  /** @param nanoTime the clock of the lag warning's recovery window (tests move it) */
  public DaemonMetrics(LongSupplier nanoTime) {
    heartbeatsSent = Counter.builder().name("mockcloud_heartbeats_sent")
        .help("CNAPI heartbeats handed to the outbound client").register(registry);
    heartbeatsAnswered = Counter.builder().name("mockcloud_heartbeats_answered")
        .help("heartbeats CNAPI answered with a 2xx").register(registry);
    heartbeatsFailed = Counter.builder().name("mockcloud_heartbeats_failed")
        .help("heartbeats that failed: an error status, a transport error or timeout, or dropped at the gate")
        .register(registry);
    heartbeatsLate = Counter.builder().name("mockcloud_heartbeats_late")
        .help("heartbeats that left over " + LATE_SECONDS + " s behind their schedule").register(registry);
    heartbeatLag = Histogram.builder().name("mockcloud_heartbeat_lag_seconds")
        .help("how long after its due time (5 s after the previous answer) each heartbeat was sent")
        .classicOnly().classicUpperBounds(LAG_BOUNDS).withoutExemplars().register(registry);
    heartbeatAnswer = Histogram.builder().name("mockcloud_heartbeat_answer_seconds")
        .help("from sending a heartbeat to reading CNAPI's answer (gate wait included)")
        .classicOnly().classicUpperBounds(LAG_BOUNDS).withoutExemplars().register(registry);
    tasks = Counter.builder().name("mockcloud_tasks").labelNames("task", "outcome")
        .help("cn-agent tasks by name and outcome (finished, failed, rejected)").register(registry);
    taskSeconds = Histogram.builder().name("mockcloud_task_duration_seconds").labelNames("task")
        .help("from a task's arrival to its answer").classicOnly().classicUpperBounds(TASK_BOUNDS)
        .withoutExemplars().register(registry);
    JvmMetrics.builder().register(registry);
    lagWatch = new HeartbeatLagWatch(nanoTime);
  }

  /** A heartbeat is sent {@code lagSeconds} after it was due. */
  public void heartbeatSent(double lagSeconds) {
    heartbeatsSent.inc();
    heartbeatLag.observe(lagSeconds);
    if (lagSeconds > LATE_SECONDS) {
      heartbeatsLate.inc();
    }
    lagWatch.observe(lagSeconds);
  }

  /** A heartbeat's outcome, {@code seconds} after it was sent. */
  public void heartbeatDone(boolean answered, double seconds) {
    (answered ? heartbeatsAnswered : heartbeatsFailed).inc();
    heartbeatAnswer.observe(seconds);
  }

  /** @param outcome {@code finished}, {@code failed} or {@code rejected} */
  public void taskEnded(String task, String outcome, double seconds) {
    tasks.labelValues(task, outcome).inc();
    if (!"rejected".equals(outcome)) {
      taskSeconds.labelValues(task).observe(seconds);
    }
  }

  /** A counter {@code mockcloud_<name>} read from {@code value} at each scrape. */
  public void counter(String name, String help, LongSupplier value) {
    CounterWithCallback.builder().name("mockcloud_" + name).help(help)
        .callback(cb -> cb.call(value.getAsLong())).register(registry);
  }

  /**
   * A gauge {@code mockcloud_<name>} read from {@code value} at each scrape, one series per
   * {@code labelValues} set (e.g. requests waiting in each lane of each outbound gate).
   */
  public void gauge(String name, String help, String[] labelNames, Series... series) {
    GaugeWithCallback.builder().name("mockcloud_" + name).help(help).labelNames(labelNames)
        .callback(cb -> {
          for (Series s : series) {
            cb.call(s.value().getAsInt(), s.labelValues());
          }
        }).register(registry);
  }

  /** One series of a {@link #gauge}. */
  public record Series(IntSupplier value, String... labelValues) {}

  /** Every metric, in the Prometheus text format 0.0.4. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return out.toByteArray();
  }

  /** The Content-Type of {@link #scrape()}. */
  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
