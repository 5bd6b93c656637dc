package com.joyent.mockcloud.json;

/** How JavaScript reads a parsed JSON value, where the reference's code tests one. */
public final class JsValues {
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
}
