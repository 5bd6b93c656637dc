package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parses changefeed frames once for the whole process. NAPI sends every change item to every
 * listener, so the same frame text reaches each CN's socket within moments: at thousands of
 * CNs, parsing it per CN was most of the net-agents' CPU under a provisioning load. Parsed
 * frames are shared read-only (readers never modify them). Thread-safe.
 */
final class ChangefeedFrames {
  static final ChangefeedFrames SHARED = new ChangefeedFrames(512);

  private final int max;
  private final ConcurrentHashMap<String, Object> parsed = new ConcurrentHashMap<>();

  ChangefeedFrames(int max) {
    this.max = max;
  }

  /** The frame's JSON value; throws {@link Json.JsonFormatException} if it is not JSON. */
  Object parse(String text) {
    Object cached = parsed.get(text);
    if (cached != null) {
      return cached;
    }
    Object value = Json.parse(text.getBytes(StandardCharsets.UTF_8));
    if (value instanceof Map<?, ?> m) {
      value = Collections.unmodifiableMap(m);
    }
    if (value != null) {
      if (parsed.size() >= max) {
        parsed.clear(); // recent frames matter; the rest are long delivered
      }
      parsed.put(text, value);
    }
    return value;
  }

  int size() {
    return parsed.size();
  }
}
