package com.joyent.mockcloud.fast;

import java.util.List;
import java.util.Map;

/**
 * One node-fast frame: its status, the id of the RPC it belongs to, and its JSON payload
 * ({@code {"m": {"uts", "name"}, "d": ...}}), decoded. DATA and END carry an array {@code d},
 * ERROR an object with {@code name} and {@code message}.
 */
public record FastFrame(int status, long msgid, Map<String, Object> payload) {
  public static final int DATA = 1;
  public static final int END = 2;
  public static final int ERROR = 3;
  /** The largest message id node-fast allocates (2^31 - 1). */
  public static final long MAX_MSGID = 0x7FFF_FFFFL;

  /** {@code m.name}: the RPC method (null when missing or not a string). */
  public String method() {
    return payload.get("m") instanceof Map<?, ?> m && m.get("name") instanceof String s ? s : null;
  }

  /** {@code d} of a DATA or END frame. */
  @SuppressWarnings("unchecked")
  public List<Object> data() {
    return (List<Object>) payload.get("d");
  }

  /** {@code d} of an ERROR frame. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> error() {
    return (Map<String, Object>) payload.get("d");
  }

  /** A frame whose {@code m} names {@code method} and stamps the time in microseconds, as node-fast does. */
  public static FastFrame of(int status, long msgid, String method, Object d) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("uts", System.currentTimeMillis() * 1000L);
    m.put("name", method);
    Map<String, Object> payload = new java.util.LinkedHashMap<>();
    payload.put("m", m);
    payload.put("d", d);
    return new FastFrame(status, msgid, payload);
  }
}
