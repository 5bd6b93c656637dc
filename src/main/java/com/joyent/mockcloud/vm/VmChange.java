package com.joyent.mockcloud.vm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One element of a modify event's {@code changes} array (spec vmadm-and-vm-agent.md §3.3).
 * {@code path} elements are key names, or null for "an array element". {@code oldValue} is
 * meaningful for {@code removed}/{@code changed}, {@code newValue} for {@code added}/
 * {@code changed}. Immutable (values are shared with the event's views: do not mutate them).
 */
public record VmChange(String prettyPath, List<String> path, String action, Object oldValue, Object newValue) {
  public static final String ADDED = "added";
  public static final String REMOVED = "removed";
  public static final String CHANGED = "changed";

  static VmChange of(List<String> path, String action, Object oldValue, Object newValue) {
    List<String> p = Collections.unmodifiableList(new ArrayList<>(path));
    return new VmChange(prettyPath(p), p, action, oldValue, newValue);
  }

  /** The wire form, keys in the reference order. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("prettyPath", prettyPath);
    m.put("path", path);
    m.put("action", action);
    if (!action.equals(ADDED)) {
      m.put("oldValue", oldValue);
    }
    if (!action.equals(REMOVED)) {
      m.put("newValue", newValue);
    }
    return m;
  }

  /** {@code a.b}, {@code *} for null, {@code [x.y]} for an element with {@code . [ ]}. */
  static String prettyPath(List<String> path) {
    StringBuilder sb = new StringBuilder();
    for (String el : path) {
      if (el == null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append('*');
      } else if (el.indexOf('.') >= 0 || el.indexOf('[') >= 0 || el.indexOf(']') >= 0) {
        sb.append('[').append(el.replace("[", "\\[").replace("]", "\\]")).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(el);
      }
    }
    return sb.toString();
  }
}
