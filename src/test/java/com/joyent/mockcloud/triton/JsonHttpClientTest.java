package com.joyent.mockcloud.triton;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.http.ContentMd5;
import com.joyent.mockcloud.http.OutboundHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests to the Triton APIs as they arrive: the headers a restify JSON client on Node sends
 * (the golden traces' cn-agent_to_cnapi, vm-agent_to_vmapi and net-agent_to_napi hops), names
 * as it spells them, {@code date} included.
 */
class JsonHttpClientTest {
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
  private final OutboundHttp http = OutboundHttp.standalone();
  private final HeadRecorder api = new HeadRecorder();

  @AfterEach
  void close() throws IOException {
    http.close();
    api.close();
  }

  /** One request head as received: header names as sent, in order, and values. */
  record Head(String requestLine, List<String> names, Map<String, String> values) {}

  @Test
  void post_carriesRestifysHeaders_dateAndMd5Included_keepAliveByDefault() throws Exception {
    JsonHttpClient vmapi = JsonHttpClient.to(http, api.base(), "VMAPI").userAgent("vm-agent/1.9.0 (java/17) server/x").build();
    ZonedDateTime before = ZonedDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);

    ApiResponse r = vmapi.send("PUT", "/vms/abc", Map.of("state", "running"));

    assertThat(r.status()).isEqualTo(204);
    Head h = api.next();
    assertThat(h.requestLine()).isEqualTo("PUT /vms/abc HTTP/1.1");
    // vm-agent_to_vmapi: accept, content-type, user-agent, date, content-length, content-md5, Host, Connection
    assertThat(h.names()).containsExactlyInAnyOrder("accept", "content-type", "user-agent", "date", "content-length",
        "content-md5", "Host", "Connection");
    byte[] body = "{\"state\":\"running\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(h.values()).containsEntry("accept", "application/json").containsEntry("content-type", "application/json")
        .containsEntry("user-agent", "vm-agent/1.9.0 (java/17) server/x")
        .containsEntry("content-length", Integer.toString(body.length))
        .containsEntry("content-md5", ContentMd5.of(body)).containsEntry("connection", "keep-alive");
    ZonedDateTime sent = ZonedDateTime.parse(h.values().get("date"), HTTP_DATE.withZone(java.time.ZoneOffset.UTC));
    assertThat(sent).isBetween(before, ZonedDateTime.now(java.time.ZoneOffset.UTC));
  }

  @Test
  void get_hasNoBodyHeaders_andTheConnectionPerRequestClientSaysClose() throws Exception {
    JsonHttpClient cnapi = JsonHttpClient.to(http, api.base(), "CNAPI").userAgent("cn-agent/2.14.5 (java/17) server/x")
        .connectionPerRequest(true).build();

    cnapi.send("GET", "/servers/x", null);

    Head h = api.next();
    // net-agent_to_napi GETs: accept, user-agent, date, Host, Connection
    assertThat(h.names()).containsExactlyInAnyOrder("accept", "user-agent", "date", "Host", "Connection");
    assertThat(h.values()).containsEntry("connection", "close");
    assertThat(h.values().get("date")).matches("[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT");
  }

  @Test
  void callersHeaders_comeFirst_asNetAgentsIfMatch() throws Exception {
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("If-Match", "75E55C320C");

    OutboundHttp.Response r = http.send(JsonHttpClient.restifyRequest("DELETE", api.base(), "/nics/90b8d016efba",
        "net-agent/2.3.3 (java/17) server/x", extra, null, Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);

    assertThat(r.status()).isEqualTo(204);
    // net-agent_to_napi DELETE: If-Match, accept, user-agent, date, Host, Connection
    assertThat(api.next().names()).containsExactlyInAnyOrder("If-Match", "accept", "user-agent", "date", "Host",
        "Connection");
  }

  /** An HTTP/1.1 server on 127.0.0.1 that records each request head and answers 204. */
  static final class HeadRecorder implements AutoCloseable {
    private final ServerSocket socket;
    private final BlockingQueue<Head> heads = new LinkedBlockingQueue<>();
    private final List<Socket> connections = new ArrayList<>();

    HeadRecorder() {
      try {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      Thread t = new Thread(this::accept, "head-recorder");
      t.setDaemon(true);
      t.start();
    }

    URI base() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    Head next() throws InterruptedException {
      Head h = heads.poll(10, TimeUnit.SECONDS);
      assertThat(h).as("a request within 10 s").isNotNull();
      return h;
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket c = socket.accept();
          synchronized (connections) {
            connections.add(c);
          }
          Thread t = new Thread(() -> serve(c), "head-recorder-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket c) {
      try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
        while (true) {
          String requestLine = line(in);
          if (requestLine == null) {
            return;
          }
          List<String> names = new ArrayList<>();
          Map<String, String> values = new LinkedHashMap<>();
          for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            names.add(l.substring(0, colon));
            values.put(l.substring(0, colon).toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
          }
          in.readNBytes(Integer.parseInt(values.getOrDefault("content-length", "0")));
          heads.add(new Head(requestLine, names, values));
          out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        }
      } catch (IOException e) {
        // the client went away
      }
    }

    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          b.write(c);
        }
      }
      return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (connections) {
        for (Socket c : connections) {
          c.close();
        }
      }
    }
  }
}
