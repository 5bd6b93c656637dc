package com.joyent.mockcloud.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a handler answers: a status, an optional body (rendered as compact JSON; a
 * {@code null} body sends no entity, as restify's {@code res.send(204)}), extra headers.
 */
public record RestResponse(int status, Object body, Map<String, String> headers) {
  public static RestResponse ok(Object body) {
    return new RestResponse(200, body, Map.of());
  }

  public static RestResponse of(int status, Object body) {
    return new RestResponse(status, body, Map.of());
  }

  public static RestResponse noContent() {
    return new RestResponse(204, null, Map.of());
  }

  /** A non-JSON body (e.g. Prometheus text), sent as is with its content type. */
  public record Text(String contentType, String body) {}

  public static RestResponse text(int status, String contentType, String body) {
    return new RestResponse(status, new Text(contentType, body), Map.of());
  }

  public RestResponse withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new RestResponse(status, body, h);
  }
}
