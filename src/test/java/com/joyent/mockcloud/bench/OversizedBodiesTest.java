package com.joyent.mockcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link OversizedBodies}: the bench's misbehaving client against servers that answer in different ways. */
class OversizedBodiesTest {
  /** Servers that hold a connection open hold it until the test has its outcome. */
  private final CountDownLatch testEnded = new CountDownLatch(1);
  private static final long BODY = 8L * 1024 * 1024;
  private static final String TOO_LARGE =
      "{\"code\":\"PayloadTooLargeError\",\"message\":\"Request body size exceeds 4194304\"}";
  private final List<AutoCloseable> closeMe = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    testEnded.countDown();
    for (AutoCloseable c : closeMe) {
      c.close();
    }
    // The pool has terminated when run() returns, but a worker thread may still be on its way
    // out of run(): give each one a moment to die, then none may be left.
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("bench-oversized-")) {
        t.join(2000);
      }
    }
    assertThat(senderThreads()).as("sender threads left behind").isEmpty();
  }

  private static List<String> senderThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(n -> n.startsWith("bench-oversized-")).toList();
  }

  private static OversizedBodies.Target target(int port) {
    return new OversizedBodies.Target(UUID.randomUUID().toString(), port);
  }

  @Test
  void restRouterWithCnAgentsLimit_answers413_onBothFramings_andClosesTheConnection() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HttpListeners listeners = new HttpListeners("test-oversized", 1);
    closeMe.add(listeners);
    List<OversizedBodies.Target> targets = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      HttpListeners.Listener l = listeners.open("127.0.0.1", 0, new RestRouter("Node.js CN Agent")
          .maxBodyBytes(OversizedBodies.CN_AGENT_BODY_LIMIT).post("/tasks", req -> {
            calls.incrementAndGet();
            return RestResponse.ok(Map.of());
          }));
      closeMe.add(0, l);
      targets.add(target(l.port()));
    }

    List<OversizedBodies.Outcome> out = OversizedBodies.run(targets, BODY, Duration.ofSeconds(20));

    assertThat(out).hasSize(4);
    assertThat(out).extracting(OversizedBodies.Outcome::chunked).containsExactly(false, true, false, true);
    for (OversizedBodies.Outcome o : out) {
      assertThat(o.status()).as(o.describe()).isEqualTo(413);
      assertThat(o.bodyStart()).isEqualTo(TOO_LARGE);
      assertThat(o.closed()).as(o.describe()).isIn("end of stream", "reset");
      assertThat(o.closedByServer()).isTrue();
      assertThat(o.error()).isNull();
      assertThat(o.answerMs()).isLessThan(20_000);
      assertThat(o.bodyBytesWritten()).isLessThanOrEqualTo(BODY);
    }
    // Announced bodies are refused unread: the writer meets the server's close by itself (broken pipe, reset).
    for (OversizedBodies.Outcome o : List.of(out.get(0), out.get(2))) {
      assertThat(o.writeEnd()).as(o.describe()).isNotEqualTo("complete").doesNotStartWith("stopped: ");
      assertThat(o.bodyBytesWritten()).isLessThan(BODY);
    }
    // The chunked ones were read until past the limit.
    assertThat(out.get(1).bodyBytesWritten()).isGreaterThan(OversizedBodies.CN_AGENT_BODY_LIMIT);
    assertThat(calls).hasValue(0);

    Map<String, Object> s = OversizedBodies.summary(out, 8, BODY);
    assertThat(s).containsEntry("sent", 4).containsEntry("answered_413", 4L).containsEntry("closed_after_413", 4L)
        .containsEntry("other", 0).containsEntry("content_length", 2L).containsEntry("chunked", 2L)
        .containsEntry("body_bytes", BODY);
    assertThat((List<?>) s.get("requests")).hasSize(4);
    assertThat(((Number) s.get("max_ms")).doubleValue()).isGreaterThanOrEqualTo(((Number) s.get("p50_ms")).doubleValue());
  }

  @Test
  void aServerThatTakesTheWholeBody_isCountedAsOther_withItsStatusAndBody() throws Exception {
    int port = server(s -> {
      try {
        InputStream in = s.getInputStream();
        long length = -1;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
          if (h.toLowerCase().startsWith("content-length:")) {
            length = Long.parseLong(h.substring(15).trim());
          }
        }
        in.skipNBytes(length);
        answer(s, "200 OK", "{\"accepted\":true}", true);
      } catch (IOException e) {
        // the test fails on the outcome
      }
    });

    List<OversizedBodies.Outcome> out = OversizedBodies.run(List.of(target(port)), BODY, Duration.ofSeconds(20));

    OversizedBodies.Outcome o = out.get(0);
    assertThat(o.status()).isEqualTo(200);
    assertThat(o.bodyStart()).isEqualTo("{\"accepted\":true}");
    assertThat(o.writeEnd()).isEqualTo("complete");
    assertThat(o.bodyBytesWritten()).isEqualTo(BODY);
    Map<String, Object> s = OversizedBodies.summary(out, 8, BODY);
    assertThat(s).containsEntry("answered_413", 0L).containsEntry("other", 1);
    assertThat((List<?>) s.get("other_sample")).singleElement().asString().contains("200 {\"accepted\":true}");
  }

  @Test
  void a413ThatLeavesTheConnectionOpen_isA413NotClosed_andTheSenderStopsWriting() throws Exception {
    int port = server(s -> {
      try {
        // Reads nothing of the body, answers, keeps the connection open.
        answer(s, "413 Payload Too Large", TOO_LARGE, false);
        testEnded.await();
      } catch (IOException | InterruptedException e) {
        // closed by the test
      }
    });

    long t0 = System.nanoTime();
    List<OversizedBodies.Outcome> out = OversizedBodies.run(List.of(target(port)), BODY, Duration.ofSeconds(20));

    OversizedBodies.Outcome o = out.get(0);
    assertThat(o.status()).isEqualTo(413);
    assertThat(o.closed()).isEqualTo("open");
    assertThat(o.closedByServer()).isFalse();
    assertThat(o.writeEnd()).startsWith("stopped: ");
    assertThat(o.bodyBytesWritten()).isLessThan(BODY);
    // Given up after the close wait, not at the deadline.
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(12);
    assertThat(OversizedBodies.summary(out, 8, BODY)).containsEntry("answered_413", 1L).containsEntry("closed_after_413", 0L);
  }

  @Test
  void noAnswer_endsAtTheDeadline() throws Exception {
    int port = server(s -> {
      try {
        testEnded.await(); // reads nothing, says nothing
      } catch (InterruptedException e) {
        // closed by the test
      }
    });

    long t0 = System.nanoTime();
    List<OversizedBodies.Outcome> out = OversizedBodies.run(List.of(target(port)), BODY, Duration.ofSeconds(2));

    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(8);
    OversizedBodies.Outcome o = out.get(0);
    assertThat(o.status()).isNull();
    assertThat(o.error()).contains("no answer");
    assertThat(o.writeEnd()).startsWith("stopped: ");
    assertThat(OversizedBodies.summary(out, 8, BODY)).containsEntry("other", 1);
  }

  @Test
  void closedWithoutAnAnswer_andConnectRefused_areOther() throws Exception {
    int closing = server(s -> {
      try {
        s.close();
      } catch (IOException e) {
        // nothing
      }
    });
    int refused;
    try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      refused = gone.getLocalPort();
    }

    List<OversizedBodies.Outcome> out = OversizedBodies.run(List.of(target(closing), target(refused)), BODY,
        Duration.ofSeconds(10));

    assertThat(out.get(0).status()).isNull();
    assertThat(out.get(0).error()).isNotNull();
    assertThat(out.get(1).status()).isNull();
    assertThat(out.get(1).error()).startsWith("connect: ");
    assertThat(OversizedBodies.summary(out, 8, BODY)).containsEntry("other", 2).containsEntry("answered_413", 0L);
  }

  @Test
  void heartbeatVerdict_inBounds_outOfBounds_andWithoutFigures() {
    Map<String, Object> gaps = Map.of("p50_ms", 5010, "p99_ms", 5100, "max_ms", 5300, "over_11s", 0, "stale_now", 0);
    Map<String, Object> lag = Map.of("sent", 100L, "answered", 100L, "failed", 0L, "late", 0L, "lag_count", 100L,
        "lag_p50_ms", 5.0, "lag_p99_ms", 50.0);
    assertThat(OversizedBodies.heartbeatVerdict(gaps, lag)).containsEntry("heartbeats_in_bounds", true)
        .containsEntry("heartbeats_out_of_bounds", List.of());

    Map<String, Object> badGaps = Map.of("p50_ms", 5010, "p99_ms", 9000, "max_ms", 12000, "over_11s", 3, "stale_now", 1);
    Map<String, Object> badLag = Map.of("sent", 100L, "answered", 98L, "failed", 2L, "late", 5L, "lag_count", 100L,
        "lag_p50_ms", 5.0, "lag_p99_ms", "> 30000.0");
    Map<String, Object> v = OversizedBodies.heartbeatVerdict(badGaps, badLag);
    assertThat(v).containsEntry("heartbeats_in_bounds", false);
    assertThat(v.get("heartbeats_out_of_bounds")).asList().containsExactly("CNAPI's gap p99 9000 ms",
        "3 CNs over 11 s, 1 stale at the end", "2 heartbeats failed", "run-servers' lag p99 > 30000.0 ms");
    assertThat(OversizedBodies.heartbeatVerdict(gaps, Map.of("lag_count", 10L, "lag_p99_ms", 2000.0))
        .get("heartbeats_out_of_bounds")).asList().containsExactly("run-servers' lag p99 <= 2000.0 ms");

    // A real CNAPI and no metrics: no verdict.
    assertThat(OversizedBodies.heartbeatVerdict(Map.of("note", "the receiver does not report heartbeat statistics"),
        HeartbeatLag.unavailable("no --control-port"))).containsEntry("heartbeats_in_bounds", null);
  }

  /** A one-connection server on 127.0.0.1 running {@code handler} on its accepted socket. */
  private int server(Consumer<Socket> handler) throws IOException {
    ServerSocket ss = new ServerSocket();
    ss.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    List<Socket> accepted = new ArrayList<>();
    Thread t = new Thread(() -> {
      try {
        Socket s = ss.accept();
        synchronized (accepted) {
          accepted.add(s);
        }
        handler.accept(s);
      } catch (IOException e) {
        // closed
      }
    }, "test-server");
    t.setDaemon(true);
    t.start();
    closeMe.add(() -> {
      ss.close();
      synchronized (accepted) {
        for (Socket s : accepted) {
          s.close();
        }
      }
      t.interrupt();
      t.join(5_000);
    });
    return ss.getLocalPort();
  }

  private static void answer(Socket s, String status, String body, boolean close) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = s.getOutputStream();
    out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(b);
    out.flush();
    if (close) {
      s.close();
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }
}
