package com.joyent.mockcloud.triton;

import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * An API's answer: status, parsed JSON body (Map, List, scalar or null) and headers.
 * A 4xx/5xx is an ordinary value here; only transport failures throw.
 */
public record ApiResponse(int status, Object body, Map<String, List<String>> headers) {
  /** An HTTP answer with its JSON body parsed (a body that is not JSON is kept as text). */
  public static ApiResponse of(OutboundHttp.Response r) {
    Object body = null;
    byte[] bytes = r.body();
    if (bytes != null && bytes.length > 0) {
      try {
        body = Json.parse(bytes);
      } catch (Json.JsonFormatException e) {
        body = new String(bytes, StandardCharsets.UTF_8);
      }
    }
    return new ApiResponse(r.status(), body, r.headers());
  }

  public boolean isSuccessful() {
    return status >= 200 && status < 300;
  }

  /** The restify error code ({@code ResourceNotFound}, ...) or null. */
  public String restCode() {
    return body instanceof Map<?, ?> m && m.get("code") instanceof String c ? c : null;
  }

  public String errorMessage() {
    return body instanceof Map<?, ?> m && m.get("message") instanceof String s ? s : null;
  }

  public String header(String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  public Map<String, Object> bodyObject() {
    return body instanceof Map<?, ?> ? (Map<String, Object>) body : Map.of();
  }

  @SuppressWarnings("unchecked")
  public List<Object> bodyList() {
    return body instanceof List<?> ? (List<Object>) body : List.of();
  }
}
