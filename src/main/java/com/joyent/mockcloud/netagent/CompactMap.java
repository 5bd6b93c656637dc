package com.joyent.mockcloud.netagent;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable, insertion-ordered JSON object in one flat array, for the local and NAPI NIC
 * objects every tracked NIC keeps (about a dozen keys each, thousands of CNs). A
 * {@code LinkedHashMap} of 15 entries costs ~900 bytes; this costs ~150. String values (and
 * strings inside lists) are interned: states, tags, netmasks, gateways and uuids repeat across
 * NICs and CNs. Lookups scan the array (a NIC has fewer than 25 keys). Null values are dropped.
 * Thread-safe (immutable).
 */
final class CompactMap extends AbstractMap<String, Object> {
  private final Object[] kv;

  private CompactMap(Object[] kv) {
    this.kv = kv;
  }

  static Map<String, Object> of(Map<String, Object> m) {
    if (m instanceof CompactMap c) {
      return c;
    }
    int n = 0;
    for (Object v : m.values()) {
      n += v == null ? 0 : 1;
    }
    Object[] kv = new Object[2 * n];
    int i = 0;
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (e.getValue() != null) {
        kv[i++] = e.getKey().intern();
        kv[i++] = compact(e.getValue());
      }
    }
    return new CompactMap(kv);
  }

  private static Object compact(Object v) {
    if (v instanceof String s) {
      return s.intern();
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(compact(o));
      }
      return List.copyOf(out.contains(null) ? List.of() : out);
    }
    return v;
  }

  @Override
  public Object get(Object key) {
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i].equals(key)) {
        return kv[i + 1];
      }
    }
    return null;
  }

  @Override
  public boolean containsKey(Object key) {
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i].equals(key)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int size() {
    return kv.length / 2;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < kv.length;
          }

          @Override
          public Entry<String, Object> next() {
            if (i >= kv.length) {
              throw new NoSuchElementException();
            }
            Entry<String, Object> e = new SimpleImmutableEntry<>((String) kv[i], kv[i + 1]);
            i += 2;
            return e;
          }
        };
      }

      @Override
      public int size() {
        return kv.length / 2;
      }
    };
  }
}
