package com.joyent.mockcloud.vm;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Helpers for values made of maps, lists and scalars as {@code Json.parseObject} returns them.
 * Numbers compare by value ({@code 5} equals {@code 5L} equals {@code 5.0}), as JavaScript does.
 * Stateless and thread-safe.
 */
final class JsonValues {
  private JsonValues() {}

  /** Deep structural equality; map key order is ignored, list order is not. */
  static boolean deepEquals(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null) {
      return false;
    }
    if (a instanceof Number && b instanceof Number) {
      return numberEquals((Number) a, (Number) b);
    }
    if (a instanceof Map && b instanceof Map) {
      Map<?, ?> ma = (Map<?, ?>) a;
      Map<?, ?> mb = (Map<?, ?>) b;
      if (ma.size() != mb.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : ma.entrySet()) {
        if (!mb.containsKey(e.getKey()) || !deepEquals(e.getValue(), mb.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof List && b instanceof List) {
      List<?> la = (List<?>) a;
      List<?> lb = (List<?>) b;
      if (la.size() != lb.size()) {
        return false;
      }
      Iterator<?> ia = la.iterator();
      Iterator<?> ib = lb.iterator();
      while (ia.hasNext()) {
        if (!deepEquals(ia.next(), ib.next())) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  private static boolean numberEquals(Number a, Number b) {
    if (a.getClass() == b.getClass()) {
      return a.equals(b);
    }
    try {
      return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
    } catch (NumberFormatException e) {
      return a.doubleValue() == b.doubleValue();
    }
  }

  static boolean isContainer(Object v) {
    return v instanceof Map || v instanceof List;
  }
}
