package com.joyent.mockcloud.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.testing.Await;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outbound client against a scripted HTTP/1.1 server that shows what arrives on the wire. */
class OutboundHttpTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final OutboundHttp client = OutboundHttp.standalone(now::get);
  private ScriptedServer server;

  @AfterEach
  void close() throws IOException {
    client.close();
    if (server != null) {
      server.close();
    }
  }

  /** What the server saw of one request. */
  record Seen(int connection, String requestLine, Map<String, String> headers, String body) {}

  /** What the server does with a request: answer with these bytes, or null to drop the connection. */
  interface Script {
    String answer(Seen req, int indexOnConnection);
  }

  static String ok(String body) {
    return "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-Thing: a\r\ncontent-length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
  }

  private OutboundHttp.Request get(String path, Duration timeout) {
    return new OutboundHttp.Request("GET", server.base(), path, Map.of("accept", "application/json"), null, timeout);
  }

  private OutboundHttp.Response send(OutboundHttp.Request r) throws Exception {
    return client.send(r).get(10, TimeUnit.SECONDS);
  }

  @Test
  void sendsMethodPathHeadersAndBody_readsStatusHeadersAndBody() throws Exception {
    server = new ScriptedServer((req, i) -> "HTTP/1.1 201 Created\r\nX-Thing: a\r\nX-Thing: b\r\ncontent-length: 7\r\n\r\n{\"a\":1}");
    byte[] body = "{\"k\":\"v\"}".getBytes(StandardCharsets.UTF_8);
    Map<String, String> h = new LinkedHashMap<>();
    h.put("content-type", "application/json");
    h.put("user-agent", "mockcloud-test");
    OutboundHttp.Response r = send(new OutboundHttp.Request("POST", server.base(), "/servers/x/events?a=1&b=2", h,
        body, Duration.ofSeconds(5)));

    assertThat(r.status()).isEqualTo(201);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    assertThat(r.headers().get("x-thing")).containsExactly("a", "b");
    Seen seen = server.seen.get(0);
    assertThat(seen.requestLine()).isEqualTo("POST /servers/x/events?a=1&b=2 HTTP/1.1");
    assertThat(seen.headers()).containsEntry("content-length", "9").containsEntry("user-agent", "mockcloud-test")
        .containsEntry("host", "127.0.0.1:" + server.port());
    assertThat(seen.body()).isEqualTo("{\"k\":\"v\"}");
  }

  /** Completion on the I/O thread (heartbeats) or on the completions executor (everything else). */
  @Test
  void completeOnIoThread_runsTheCallbackOnTheThreadThatReadTheAnswer() throws Exception {
    java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
    server = new ScriptedServer((req, i) -> {
      try {
        answer.await(5, TimeUnit.SECONDS); // so the callbacks below are chained before the answer arrives
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return ok("{}");
    });
    java.util.concurrent.CompletableFuture<String> inline = client.send(get("/a", Duration.ofSeconds(5)), true)
        .thenApply(r -> Thread.currentThread().getName());
    java.util.concurrent.CompletableFuture<String> pooled = client.send(get("/b", Duration.ofSeconds(5)), false)
        .thenApply(r -> Thread.currentThread().getName());
    answer.countDown();
    assertThat(inline.get(10, TimeUnit.SECONDS)).contains("I/O");
    assertThat(pooled.get(10, TimeUnit.SECONDS)).doesNotContain("I/O");
  }

  @Test
  void getWithoutBody_sendsNoContentLength() throws Exception {
    server = new ScriptedServer((req, i) -> ok("[]"));
    assertThat(send(get("/vms", Duration.ofSeconds(5))).status()).isEqualTo(200);
    assertThat(server.seen.get(0).headers()).doesNotContainKey("content-length");
    assertThat(server.seen.get(0).body()).isEmpty();
  }

  @Test
  void keepsTheConnectionAlive_betweenRequests() throws Exception {
    server = new ScriptedServer((req, i) -> ok("{\"n\":" + i + "}"));
    for (int i = 0; i < 5; i++) {
      assertThat(new String(send(get("/ping", Duration.ofSeconds(5))).body(), StandardCharsets.UTF_8))
          .isEqualTo("{\"n\":" + i + "}");
    }
    assertThat(server.connections.get()).isEqualTo(1);
    assertThat(client.idleConnections()).isEqualTo(1);
  }

  /** Node closes an idle connection after 5 s; we must never race it with a request (a POST is not resent). */
  @Test
  void aConnectionIdleLongerThanFourSeconds_isClosedAndNotReused() throws Exception {
    server = new ScriptedServer((req, i) -> ok("{\"n\":" + i + "}"));
    send(get("/ping", Duration.ofSeconds(5)));
    now.addAndGet(OutboundHttp.IDLE_MILLIS); // exactly 4 s: still fresh
    send(get("/ping", Duration.ofSeconds(5)));
    assertThat(server.connections.get()).isEqualTo(1);

    now.addAndGet(OutboundHttp.IDLE_MILLIS + 1);
    assertThat(new String(send(get("/ping", Duration.ofSeconds(5))).body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"n\":0}"); // the first request of a new connection
    assertThat(server.connections.get()).isEqualTo(2);
    assertThat(client.idleConnections()).isEqualTo(1);
  }

  @Test
  void connectionCloseAnswer_isNotReused() throws Exception {
    server = new ScriptedServer((req, i) -> "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}");
    send(get("/a", Duration.ofSeconds(5)));
    send(get("/b", Duration.ofSeconds(5)));
    assertThat(server.connections.get()).isEqualTo(2);
  }

  /** A request that asks for {@code connection: close} takes no pooled connection and leaves none behind. */
  @Test
  void connectionCloseRequest_goesOutOnAConnectionOfItsOwn() throws Exception {
    server = new ScriptedServer((req, i) -> ok("{}"));
    send(get("/pooled", Duration.ofSeconds(5))); // leaves one keep-alive connection idle
    assertThat(client.idleConnections()).isEqualTo(1);
    OutboundHttp.Request close = new OutboundHttp.Request("POST", server.base(), "/servers/x/events/heartbeat",
        Map.of("connection", "close", "content-type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8),
        Duration.ofSeconds(5));
    assertThat(send(close).status()).isEqualTo(200);
    assertThat(send(close).status()).isEqualTo(200);
    assertThat(server.connections.get()).isEqualTo(3);
    assertThat(server.seen).extracting(Seen::connection).containsExactly(1, 2, 3);
    assertThat(server.seen.get(1).headers()).containsEntry("connection", "close");
    assertThat(client.idleConnections()).isEqualTo(1); // only the first, kept-alive one
  }

  @Test
  void largeChunkedAnswer_isReadToTheEnd() throws Exception {
    String big = "x".repeat(300_000);
    server = new ScriptedServer((req, i) -> {
      StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
      for (int off = 0; off < big.length(); off += 70_000) {
        String part = big.substring(off, Math.min(big.length(), off + 70_000));
        sb.append(Integer.toHexString(part.length())).append("\r\n").append(part).append("\r\n");
      }
      return sb.append("0\r\n\r\n").toString();
    });
    assertThat(send(get("/big", Duration.ofSeconds(5))).body()).hasSize(300_000);
    assertThat(send(get("/big", Duration.ofSeconds(5))).body()).hasSize(300_000);
    assertThat(server.connections.get()).isEqualTo(1);
  }

  @Test
  void idempotentRequest_onAConnectionTheServerDropped_isSentAgainOnANewOne() throws Exception {
    // The first connection answers once, then drops the next request unanswered.
    server = new ScriptedServer((req, i) -> i == 0 ? ok("{}") : null);
    send(get("/a", Duration.ofSeconds(5)));
    OutboundHttp.Response r = send(get("/b", Duration.ofSeconds(5)));
    assertThat(r.status()).isEqualTo(200);
    assertThat(server.seen).extracting(Seen::requestLine)
        .containsExactly("GET /a HTTP/1.1", "GET /b HTTP/1.1", "GET /b HTTP/1.1");
    assertThat(server.connections.get()).isEqualTo(2);
  }

  @Test
  void post_onADroppedConnection_failsAndIsNotSentTwice() throws Exception {
    server = new ScriptedServer((req, i) -> i == 0 ? ok("{}") : null);
    send(get("/a", Duration.ofSeconds(5)));
    OutboundHttp.Request post = new OutboundHttp.Request("POST", server.base(), "/nics", Map.of(),
        "{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
    assertThatThrownBy(() -> send(post)).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
    assertThat(server.seen).extracting(Seen::requestLine).containsExactly("GET /a HTTP/1.1", "POST /nics HTTP/1.1");
  }

  @Test
  void noAnswer_failsWithATimeout() throws Exception {
    server = new ScriptedServer((req, i) -> "");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> send(get("/hang", Duration.ofMillis(300))))
        .hasCauseInstanceOf(HttpTimeoutException.class).hasMessageContaining("timed out after 300 ms");
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void refusedConnection_failsWithAnIOException() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    OutboundHttp.Request r = new OutboundHttp.Request("GET", URI.create("http://127.0.0.1:" + port), "/", Map.of(),
        null, Duration.ofSeconds(5));
    assertThatThrownBy(() -> send(r)).hasCauseInstanceOf(IOException.class);
  }

  @Test
  void afterClose_aRequestFailsInsteadOfThrowing() throws Exception {
    server = new ScriptedServer((req, i) -> ok("{}"));
    OutboundHttp other = OutboundHttp.standalone();
    other.close();
    Await.require(Duration.ofSeconds(5), other::isTerminated, "the worker to stop");
    java.util.concurrent.CompletableFuture<OutboundHttp.Response> f = other.send(get("/x", Duration.ofSeconds(1)));
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
  }

  @Test
  void baseUrlPath_prefixesEveryRequest() throws Exception {
    server = new ScriptedServer((req, i) -> ok("{}"));
    OutboundHttp.Request r = new OutboundHttp.Request("GET", URI.create(server.base() + "/napi/"), "/nics?limit=1",
        Map.of(), null, Duration.ofSeconds(5));
    send(r);
    assertThat(server.seen.get(0).requestLine()).isEqualTo("GET /napi/nics?limit=1 HTTP/1.1");
  }

  @Test
  void notHttp_isRefusedWithAClearError() {
    OutboundHttp.Request r = new OutboundHttp.Request("GET", URI.create("https://127.0.0.1:1"), "/", Map.of(), null,
        Duration.ofSeconds(1));
    assertThatThrownBy(() -> send(r)).hasMessageContaining("only http://host[:port] URLs are supported");
  }

  /** A blocking HTTP/1.1 server, one thread per connection, answering as the script says. */
  static final class ScriptedServer implements AutoCloseable {
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    private final ServerSocket socket;
    private final Script script;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    ScriptedServer(Script script) throws IOException {
      this.script = script;
      this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::acceptLoop, "scripted-server");
      t.setDaemon(true);
      t.start();
    }

    URI base() {
      return URI.create("http://127.0.0.1:" + port());
    }

    int port() {
      return socket.getLocalPort();
    }

    private void acceptLoop() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          open.add(s);
          int n = connections.incrementAndGet();
          Thread t = new Thread(() -> serve(s, n), "scripted-conn-" + n);
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s, int connection) {
      try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
        for (int i = 0; ; i++) {
          String line = readLine(in);
          if (line == null) {
            return;
          }
          Map<String, String> headers = new LinkedHashMap<>();
          for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
            int c = h.indexOf(':');
            headers.put(h.substring(0, c).trim().toLowerCase(Locale.ROOT), h.substring(c + 1).trim());
          }
          int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
          String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
          Seen req = new Seen(connection, line, headers, body);
          seen.add(req);
          String answer = script.answer(req, i);
          if (answer == null) {
            return; // drop the connection unanswered
          }
          out.write(answer.getBytes(StandardCharsets.UTF_8));
          out.flush();
          if (answer.toLowerCase(Locale.ROOT).contains("connection: close")) {
            return;
          }
        }
      } catch (IOException e) {
        // the client went away
      }
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = in.read(); c != -1; c = in.read()) {
        if (c == '\n') {
          String s = b.toString(StandardCharsets.UTF_8);
          return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
        b.write(c);
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket s : new ArrayList<>(open)) {
        s.close();
      }
    }
  }
}
