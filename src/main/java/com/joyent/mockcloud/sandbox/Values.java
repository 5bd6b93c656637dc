package com.joyent.mockcloud.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Small pure helpers shared by the three stand-ins: UUID checks, param coercion. */
final class Values {
  private static final Pattern UUID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  private static final Pattern UUID_ANY_CASE = Pattern.compile(UUID.pattern(), Pattern.CASE_INSENSITIVE);

  private Values() {}

  /** Lowercase canonical UUID, as the APIs generate and vm-agent sends. */
  static boolean isUuid(Object s) {
    return s instanceof String str && UUID.matcher(str).matches();
  }

  /** Any-case UUID (restify validators of NAPI and CNAPI accept both cases). */
  static boolean isUuidAnyCase(Object s) {
    return s instanceof String str && UUID_ANY_CASE.matcher(str).matches();
  }

  /** A boolean param as the Triton APIs read it: true, or "true" in any case; not JavaScript truthiness. */
  static boolean isTrueParam(Object v) {
    return Boolean.TRUE.equals(v) || (v instanceof String s && s.equalsIgnoreCase("true"));
  }

  /** A comma list or a JSON array of strings as a list; null stays empty. */
  static List<String> list(Object v) {
    List<String> out = new ArrayList<>();
    if (v instanceof List<?> l) {
      l.forEach(x -> out.add(String.valueOf(x)));
    } else if (v != null) {
      for (String part : String.valueOf(v).split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  /** JS {@code parseInt} of a number or leading-digits string; null when it does not parse. */
  static Integer parseInt(Object v) {
    if (v instanceof Number n) {
      return n.intValue();
    }
    if (!(v instanceof String s)) {
      return null;
    }
    s = s.trim();
    int i = 0;
    if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
      i++;
    }
    int start = i;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      i++;
    }
    if (i == start) {
      return null;
    }
    try {
      return Integer.parseInt(s.substring(0, i));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static Object get(Map<String, Object> m, String key) {
    return m == null ? null : m.get(key);
  }
}
