package com.joyent.mockcloud.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RestRouter#maxBodyBytes(long)} and the body reader behind every router. */
class RestRouterBodyLimitTest {
  private static final int LIMIT = 1024;
  private static final String TOO_LARGE = "{\"code\":\"PayloadTooLargeError\",\"message\":\"Request body size exceeds 1024\"}";
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final AtomicInteger CALLS = new AtomicInteger();
  private static HttpListeners listeners;
  private static HttpListeners.Listener limited;
  private static HttpListeners.Listener unlimited;

  @BeforeAll
  static void start() {
    listeners = new HttpListeners("test-body", 1);
    limited = listeners.open("127.0.0.1", 0, new RestRouter("Test Server").maxBodyBytes(LIMIT)
        .post("/size", RestRouterBodyLimitTest::size));
    unlimited = listeners.open("127.0.0.1", 0, new RestRouter("Test Server")
        .post("/size", RestRouterBodyLimitTest::size));
  }

  private static RestResponse size(RestRequest req) {
    CALLS.incrementAndGet();
    return RestResponse.ok(Map.of("pad", String.valueOf(req.params().get("pad")).length()));
  }

  @AfterAll
  static void stop() {
    limited.close();
    unlimited.close();
    listeners.close();
  }

  @BeforeEach
  void resetCalls() {
    CALLS.set(0);
  }

  /** {@code {"pad":"xxx…"}} of exactly {@code size} bytes. */
  private static String body(int size) {
    return "{\"pad\":\"" + "x".repeat(size - 10) + "\"}";
  }

  private static HttpResponse<String> post(HttpListeners.Listener l, HttpRequest.BodyPublisher body) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(l.baseUrl() + "/size"))
        .header("content-type", "application/json").POST(body).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void contentLengthOverLimit_is413BeforeTheBodyIsSent_andClosesTheConnection() throws Exception {
    try (RawHttp c = new RawHttp(limited.port())) {
      RawHttp.Answer a = c.send(RawHttp.head("POST", "/size", "Content-Type: application/json",
          "Content-Length: 100000000")).read();

      assertThat(a.status()).isEqualTo(413);
      assertThat(a.body()).isEqualTo(TOO_LARGE);
      assertThat(a.headers()).containsEntry("content-type", "application/json")
          .containsEntry("connection", "close").containsEntry("server", "Test Server").containsKey("x-request-id");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(CALLS).hasValue(0);
  }

  @Test
  void chunkedBodyOverLimit_is413AsSoonAsTheLimitIsPassed_andClosesTheConnection() throws Exception {
    String data = body(LIMIT + 1);
    try (RawHttp c = new RawHttp(limited.port())) {
      // Every byte sent is body; the terminating chunk never comes, so only the limit ends it.
      c.send(RawHttp.head("POST", "/size", "Content-Type: application/json", "Transfer-Encoding: chunked")
          + RawHttp.chunk(data.substring(0, 600)) + Integer.toHexString(data.length() - 600) + "\r\n"
          + data.substring(600));
      RawHttp.Answer a = c.read();

      assertThat(a.status()).isEqualTo(413);
      assertThat(a.body()).isEqualTo(TOO_LARGE);
      assertThat(a.headers()).containsEntry("connection", "close");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(CALLS).hasValue(0);
  }

  @Test
  void bodyOfExactlyTheLimit_isHandled() throws Exception {
    HttpResponse<String> r = post(limited, HttpRequest.BodyPublishers.ofString(body(LIMIT)));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"pad\":" + (LIMIT - 10) + "}");
  }

  @Test
  void chunkedBodyUnderLimit_isHandled() throws Exception {
    byte[] bytes = body(LIMIT - 1).getBytes();
    // An input-stream publisher has no length: the JDK client sends it chunked.
    HttpResponse<String> r = post(limited, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"pad\":" + (LIMIT - 11) + "}");
  }

  @Test
  void withoutLimit_largeBodyInPieces_isReadWhole() throws Exception {
    byte[] bytes = body(3 * 1024 * 1024).getBytes();
    HttpResponse<String> r = post(unlimited, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"pad\":" + (3 * 1024 * 1024 - 10) + "}");
  }

  @Test
  void bodiesUnderLimit_keepTheConnectionForTheNextRequest() throws Exception {
    String data = body(100);
    try (RawHttp c = new RawHttp(limited.port())) {
      for (int i = 0; i < 2; i++) {
        RawHttp.Answer a = c.send(RawHttp.head("POST", "/size", "Content-Type: application/json",
            "Content-Length: " + data.length()) + data).read();
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).isEqualTo("{\"pad\":90}");
      }
      RawHttp.Answer chunked = c.send(RawHttp.head("POST", "/size", "Content-Type: application/json",
          "Transfer-Encoding: chunked") + RawHttp.chunk(data.substring(0, 50)) + RawHttp.chunk(data.substring(50))
          + "0\r\n\r\n").read();
      assertThat(chunked.status()).isEqualTo(200);
      assertThat(chunked.body()).isEqualTo("{\"pad\":90}");
    }
    assertThat(CALLS).hasValue(3);
  }
}
