package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox publisher's bound: a changefeed socket whose reader stops reading is closed once
 * it is {@code maxUnsent} frames behind, instead of the publisher buffering for it without end,
 * while a socket that reads keeps getting every item.
 */
class NapiChangefeedBackPressureTest {
  private static final String REGISTRATION = Json.compact(Map.of("instance", "3f4f1a3e-4c1e-4c1a-9a53-0a8d8e2b7c11",
      "service", "net-agent", "resources", List.of(Map.of("resource", "nic", "subResources", List.of("create")))));

  private final HttpListeners listeners = new HttpListeners("changefeed-test", 2);
  private final NapiChangefeed feed = new NapiChangefeed(Clock.systemUTC(), 50);
  private final HttpListeners.Listener listener = listeners.open("127.0.0.1", 0,
      feed.wrap(exchange -> exchange.setStatusCode(404)));

  @AfterEach
  void close() {
    listener.close();
    listeners.close();
  }

  /** A client that does the upgrade and registration by hand and then never reads again. */
  private Socket stalledClient() throws Exception {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress("127.0.0.1", listener.port()), 5000);
    OutputStream out = s.getOutputStream();
    out.write(("GET /changefeeds HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAccept-Version: ~2\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      assertThat(c).as("upgrade answer").isNotNegative();
      head.append((char) c);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 101");
    byte[] payload = REGISTRATION.getBytes(StandardCharsets.UTF_8);
    byte[] mask = {1, 2, 3, 4};
    out.write(new byte[] {(byte) 0x81, (byte) (0x80 | 126), (byte) (payload.length >> 8), (byte) payload.length});
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      payload[i] ^= mask[i % 4];
    }
    out.write(payload);
    out.flush();
    return s;
  }

  @Test
  void stalledListener_isClosedOnceTooFarBehind_whileAReadingOneGetsEveryItem() throws Exception {
    AtomicInteger items = new AtomicInteger();
    WebSocket reader = HttpClient.newHttpClient().newWebSocketBuilder().header("Accept-Version", "~2")
        .buildAsync(URI.create("ws://127.0.0.1:" + listener.port() + "/changefeeds"), new WebSocket.Listener() {
          private boolean bootstrapped;

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (last && bootstrapped) {
              items.incrementAndGet(); // a frame may come in parts: count its last
            }
            bootstrapped |= last;
            ws.request(1);
            return null;
          }
        }).get(5, TimeUnit.SECONDS);
    reader.sendText(REGISTRATION, true).get(5, TimeUnit.SECONDS);
    try (Socket stalled = stalledClient()) {
      Await.until(Duration.ofSeconds(5), () -> ((Number) feed.stats().get("registrations")).intValue() >= 2);
      assertThat(feed.stats()).containsEntry("registrations", 2);

      String padding = "x".repeat(4000);
      int sent = 3000; // 12 MB: far more than the stalled socket's buffers hold
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      for (int i = 0; i < sent; i++) {
        feed.publish("nic", Set.of("create"), "90:b8:d0:00:00:01", Map.of("pad", padding));
        if (i % 20 == 19) { // paced to what the reading socket takes: only the stalled one falls behind
          int behind = i - 20;
          Await.until(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), Duration.ofMillis(1),
              () -> items.get() > behind);
        }
      }
      Await.until(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
          () -> items.get() >= sent && feed.droppedListeners() > 0);
      assertThat(feed.droppedListeners()).isEqualTo(1);
      assertThat(items.get()).isEqualTo(sent);
      assertThat(feed.stats()).containsEntry("listeners", 1);
    }
    reader.abort();
  }
}
