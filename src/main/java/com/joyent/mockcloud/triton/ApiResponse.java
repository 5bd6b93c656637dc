package com.joyent.mockcloud.triton;

import java.util.List;
import java.util.Map;

/**
 * An API's answer: status, parsed JSON body (Map, List, scalar or null) and headers.
 * A 4xx/5xx is an ordinary value here; only transport failures throw.
 */
public record ApiResponse(int status, Object body, Map<String, List<String>> headers) {
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
