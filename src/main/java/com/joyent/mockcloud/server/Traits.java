package com.joyent.mockcloud.server;

import com.joyent.mockcloud.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A CN's CNAPI {@code traits}: a JSON object whose values are what DAPI's traits filter
 * compares, a boolean, a string or a list of strings. A mock CN with traits gets only the VMs
 * that ask for them (docs/deploy.md).
 */
public final class Traits {
  private Traits() {}

  /** Parses and checks {@code json}; the message names {@code what} (a flag or a file). */
  public static Map<String, Object> parse(String what, String json) {
    Object v;
    try {
      v = Json.parse(json.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(what + " must be a JSON object of traits, e.g. '{\"mockcloud\": true}': "
          + e.getMessage());
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(what + " must be a JSON object of traits, e.g. '{\"mockcloud\": true}'");
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      Object t = e.getValue();
      boolean ok = t instanceof Boolean || t instanceof String
          || t instanceof List<?> l && l.stream().allMatch(x -> x instanceof String);
      if (!ok) {
        throw new IllegalArgumentException(what + ": trait \"" + e.getKey()
            + "\" must be true/false, a string or a list of strings, got " + Json.compact(t));
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> traits = (Map<String, Object>) m;
    return traits;
  }
}
