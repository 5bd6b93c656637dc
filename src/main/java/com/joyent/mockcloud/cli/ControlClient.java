package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** POSTs to a running daemon's control port (127.0.0.1 only), one JSON line printed per answer. */
final class ControlClient {
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ControlClient(int port) {
    this.port = port;
  }

  /**
   * POSTs {@code body} to each path in turn and prints the answer's JSON on a line, or, for a
   * refusal, {@code what(path)} with the daemon's {@code "error"} message.
   *
   * @return 0 when every one was answered 200, else {@link Main#EXIT_FAILURE}
   * @throws IOException when the daemon does not answer at all
   */
  int postEach(List<String> paths, String body, PrintWriter out, Function<String, Map<String, Object>> what)
      throws IOException, InterruptedException {
    int failed = 0;
    for (String path : paths) {
      Answer r = send("POST", path, body);
      if (r.status() == 200) {
        out.println(r.body());
      } else {
        failed++;
        Map<String, Object> line = new LinkedHashMap<>(what.apply(path));
        line.put("error", r.message());
        out.println(Json.compact(line));
      }
      out.flush();
    }
    return failed == 0 ? 0 : Main.EXIT_FAILURE;
  }

  /** One answer: its status and body. */
  record Answer(int status, String body) {
    @SuppressWarnings("unchecked")
    Map<String, Object> object() {
      return Json.parseObject(body.getBytes(StandardCharsets.UTF_8));
    }

    /** A refusal's {@code message}, else the raw body. */
    String message() {
      return ControlClient.message(body);
    }
  }

  /** One request; {@code body} null for none. */
  Answer send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new IOException("no run-servers answers on 127.0.0.1:" + port + " (" + e + ")", e);
    }
  }

  private static String message(String body) {
    try {
      return String.valueOf(Json.parseObject(body.getBytes(StandardCharsets.UTF_8)).get("message"));
    } catch (RuntimeException notJson) {
      return body;
    }
  }
}
