package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.control.ControlServer;
import com.joyent.mockcloud.testing.Await;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CN's heartbeats as the control port's {@code GET /metrics} counts them. */
class HeartbeatMetricsTest {
  @TempDir Path tmp;
  CnAgentHarness cn;
  ControlServer control;

  @AfterEach
  void tearDown() {
    if (control != null) {
      control.close();
    }
    if (cn != null) {
      cn.close();
    }
  }

  HttpResponse<String> metrics() throws Exception {
    return CnAgentHarness.HTTP.send(HttpRequest.newBuilder(URI.create(control.baseUrl() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static double value(String text, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
    assertThat(m.find()).as(series + " in\n" + text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void metrics_countHeartbeatsSentAnsweredAndFailed_withTheirLag() throws Exception {
    cn = new CnAgentHarness(tmp, new RecordingCnapi(),
        CnAgentHarness.fastOptions(tmp, Duration.ofMillis(200), Duration.ofSeconds(60)));
    control = ControlServer.start(cn.threads.listeners(), 0, cn.threads.metrics(), null, null, null, null);
    assertThat(control.baseUrl()).startsWith("http://127.0.0.1:");
    assertThat(Await.until(Duration.ofSeconds(5), () -> cn.cnapi.received(
        r -> r.path().endsWith("/events/heartbeat")).size() >= 3)).isTrue();

    HttpResponse<String> r = metrics();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("text/plain; version=0.0.4"));
    String t = r.body();
    double sent = value(t, "mockcloud_heartbeats_sent_total");
    assertThat(sent).isGreaterThanOrEqualTo(3);
    assertThat(value(t, "mockcloud_heartbeats_answered_total")).isGreaterThanOrEqualTo(2);
    assertThat(value(t, "mockcloud_heartbeats_failed_total")).isZero();
    // Each heartbeat left within a quarter second of its due time on an idle process.
    assertThat(value(t, "mockcloud_heartbeat_lag_seconds_bucket{le=\"0.25\"}"))
        .isEqualTo(value(t, "mockcloud_heartbeat_lag_seconds_count")).isEqualTo(sent);

    cn.cnapi.down = true; // CNAPI answers 503
    assertThat(Await.until(Duration.ofSeconds(5), () -> {
      try {
        return value(metrics().body(), "mockcloud_heartbeats_failed_total") >= 2;
      } catch (Exception e) {
        return false;
      }
    })).isTrue();
  }

  @Test
  void metrics_countTasksByNameAndOutcome_withTheirDurations() throws Exception {
    cn = new CnAgentHarness(tmp).awaitFirstHeartbeat();
    control = ControlServer.start(cn.threads.listeners(), 0, cn.threads.metrics(), null, null, null, null);
    assertThat(cn.task("nop", java.util.Map.of()).statusCode()).isEqualTo(200);
    assertThat(cn.task("machine_boot", java.util.Map.of("uuid", "6f0ee8f0-4de7-4c3b-b23d-5a43a9e3d1f1"))
        .statusCode()).isEqualTo(500); // no such VM
    assertThat(cn.post("/pause", "").statusCode()).isEqualTo(204);
    assertThat(cn.task("nop", java.util.Map.of()).statusCode()).isEqualTo(503);

    String t = metrics().body();
    assertThat(value(t, "mockcloud_tasks_total{outcome=\"finished\",task=\"nop\"}")).isEqualTo(1);
    assertThat(value(t, "mockcloud_tasks_total{outcome=\"failed\",task=\"machine_boot\"}")).isEqualTo(1);
    assertThat(value(t, "mockcloud_tasks_total{outcome=\"rejected\",task=\"nop\"}")).isEqualTo(1);
    assertThat(value(t, "mockcloud_task_duration_seconds_count{task=\"nop\"}")).isEqualTo(1);
    assertThat(value(t, "mockcloud_task_duration_seconds_count{task=\"machine_boot\"}")).isEqualTo(1);
  }

  @Test
  void unknownPath_isARestify404() throws Exception {
    cn = new CnAgentHarness(tmp);
    control = ControlServer.start(cn.threads.listeners(), 0, cn.threads.metrics(), null, null, null, null);
    HttpResponse<String> r = CnAgentHarness.HTTP.send(HttpRequest.newBuilder(URI.create(control.baseUrl() + "/nope"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"/nope does not exist\"}");
  }
}
