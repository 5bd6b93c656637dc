package com.joyent.mockcloud.json;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How JavaScript reads a parsed JSON value where the reference's code tests, compares or prints
 * one. Values are as {@link Json#parse} gives them: maps, lists, strings, booleans, null and
 * Integer/Long/BigInteger/Double, all of which JavaScript holds as one number type. Checked
 * against node's own answers ({@code src/test/resources/json/js-values.jsonl}). Stateless.
 */
public final class JsValues {
  /** The largest {@code |ms|} a JavaScript Date holds; past it toISOString throws RangeError. */
  private static final long MAX_DATE_MS = 8_640_000_000_000_000L;

  private JsValues() {}

  /**
   * JavaScript truthiness ({@code if (v)}): null, false, 0, NaN and "" are false; every other
   * value, empty objects and arrays included, is true.
   */
  public static boolean truthy(Object v) {
    if (v == null || Boolean.FALSE.equals(v)) {
      return false;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return d != 0 && !Double.isNaN(d);
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    return true;
  }

  /** {@code typeof v}: null, maps and lists are "object". */
  public static String typeOf(Object v) {
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Number) {
      return "number";
    }
    return v instanceof Boolean ? "boolean" : "object";
  }

  /** {@code typeof obj[key]}: "undefined" where the key is absent (Java's get says null). */
  public static String typeOf(Map<?, ?> obj, Object key) {
    return obj.containsKey(key) ? typeOf(obj.get(key)) : "undefined";
  }

  /** {@code Object.prototype.toString.call(v)}, as validators name a wrong type. */
  public static String className(Object v) {
    if (v == null) {
      return "[object Null]";
    }
    if (v instanceof List<?>) {
      return "[object Array]";
    }
    return switch (typeOf(v)) {
      case "string" -> "[object String]";
      case "number" -> "[object Number]";
      case "boolean" -> "[object Boolean]";
      default -> "[object Object]";
    };
  }

  /** {@code Object.prototype.toString.call(obj[key])}: "[object Undefined]" where absent. */
  public static String className(Map<?, ?> obj, Object key) {
    return obj.containsKey(key) ? className(obj.get(key)) : "[object Undefined]";
  }

  /**
   * Deep equality as the agents compare parsed JSON ({@code jsprim.deepEqual}, deep-diff, vminfod):
   * leaves by {@code ===}, objects by the same keys in any order, arrays element by element.
   * Numbers compare as the doubles JavaScript parses them to, so 1 equals 1.0, 0 equals -0.0,
   * 2^53 equals 2^53 + 1, and NaN equals nothing.
   */
  public static boolean deepEqual(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : x.entrySet()) {
        if (!y.containsKey(e.getKey()) || !deepEqual(e.getValue(), y.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      Iterator<?> i = x.iterator();
      Iterator<?> j = y.iterator();
      while (i.hasNext()) {
        if (!deepEqual(i.next(), j.next())) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }

  /**
   * {@code new Date(ms).toISOString()}: UTC, always three fraction digits and {@code Z}; years
   * outside 0..9999 as a sign and six digits. ({@link Instant#toString()} drops {@code .000}.)
   *
   * @throws IllegalArgumentException past ±8.64e15 ms, where JavaScript throws RangeError
   */
  public static String isoString(long ms) {
    if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) {
      throw new IllegalArgumentException("Invalid time value: " + ms + " ms is outside a JavaScript Date");
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(ms, 1000), 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(27);
    int year = t.getYear();
    if (year >= 0 && year <= 9999) {
      pad(b, year, 4);
    } else {
      pad(b.append(year < 0 ? '-' : '+'), Math.abs(year), 6);
    }
    pad(b.append('-'), t.getMonthValue(), 2);
    pad(b.append('-'), t.getDayOfMonth(), 2);
    pad(b.append('T'), t.getHour(), 2);
    pad(b.append(':'), t.getMinute(), 2);
    pad(b.append(':'), t.getSecond(), 2);
    pad(b.append('.'), (int) Math.floorMod(ms, 1000L), 3);
    return b.append('Z').toString();
  }

  /** {@link #isoString(long)} of the instant's millisecond (finer digits are dropped, as a Date has none). */
  public static String isoString(Instant t) {
    return isoString(t.toEpochMilli());
  }

  private static void pad(StringBuilder b, int n, int width) {
    String s = Integer.toString(n);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    b.append(s);
  }
}
