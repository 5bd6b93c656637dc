package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A small JSON client for tests: one call, one {@link Reply}. Loopback only. */
final class TestHttp {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private TestHttp() {}

  /** Status, headers and body of one reply; {@link #json()} parses the body. */
  record Reply(int status, HttpResponse<String> raw) {
    String body() {
      return raw.body();
    }

    Object json() {
      return body().isEmpty() ? null : Json.parse(body().getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> object() {
      return (Map<String, Object>) json();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> array() {
      return (List<Map<String, Object>>) json();
    }

    /** The error body's {@code errors} array. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> errors() {
      return (List<Map<String, Object>>) object().get("errors");
    }

    /** The {@code field} of each element of the error body's {@code errors}. */
    @SuppressWarnings("unchecked")
    List<Object> errorFields() {
      return ((List<Map<String, Object>>) object().get("errors")).stream().map(e -> e.get("field")).toList();
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  static Reply get(String url) {
    return send("GET", url, null, Map.of());
  }

  static Reply post(String url, Object body) {
    return send("POST", url, body, Map.of());
  }

  static Reply put(String url, Object body) {
    return send("PUT", url, body, Map.of());
  }

  static Reply delete(String url) {
    return send("DELETE", url, null, Map.of());
  }

  static Reply send(String method, String url, Object body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .header("accept", "application/json");
    headers.forEach(b::header);
    if (body instanceof String raw) {
      b.header("content-type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(raw));
    } else if (body != null) {
      b.header("content-type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofByteArray(Json.compactBytes(body)));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r);
    } catch (IOException e) {
      throw new AssertionError(method + " " + url + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
