package com.joyent.mockcloud.e2e;

import com.joyent.mockcloud.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** One JSON request to any stand-in or agent, for the end-to-end tests; {@code server} adds {@code x-server-uuid}. */
final class JsonCalls {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private JsonCalls() {}

  static HttpResponse<String> send(String method, String url, UUID server, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(Json.compact(body)));
    if (server != null) {
      b.header("x-server-uuid", server.toString());
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> send(String method, String url, Object body) throws Exception {
    return send(method, url, null, body);
  }

  static Map<String, Object> json(HttpResponse<String> r) {
    return Json.parseObject(r.body().getBytes(StandardCharsets.UTF_8));
  }
}
