package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.JsValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reference vminfod differ (spec vmadm-and-vm-agent.md §3.3): walk the old object's keys in
 * order (removed / changed / recurse), then the keys only in the new one (added). Arrays are
 * unordered bags: each old element without a structurally equal new element is {@code removed}
 * at {@code [..., null]}, then each unmatched new element is {@code added}. A null turning into
 * an object is a plain {@code changed} (the reference crashes there). Pure; thread-safe.
 */
final class VmDiff {
  private VmDiff() {}

  static List<VmChange> diff(Map<String, Object> oldVm, Map<String, Object> newVm) {
    List<VmChange> out = new ArrayList<>();
    diffObjects(new ArrayList<>(), oldVm, newVm, out);
    return out;
  }

  private static void diffObjects(List<String> path, Map<?, ?> a, Map<?, ?> b, List<VmChange> out) {
    for (Map.Entry<?, ?> e : a.entrySet()) {
      String key = String.valueOf(e.getKey());
      path.add(key);
      if (!b.containsKey(e.getKey())) {
        out.add(VmChange.of(path, VmChange.REMOVED, e.getValue(), null));
      } else {
        diffValues(path, e.getValue(), b.get(e.getKey()), out);
      }
      path.remove(path.size() - 1);
    }
    for (Map.Entry<?, ?> e : b.entrySet()) {
      if (!a.containsKey(e.getKey())) {
        path.add(String.valueOf(e.getKey()));
        out.add(VmChange.of(path, VmChange.ADDED, null, e.getValue()));
        path.remove(path.size() - 1);
      }
    }
  }

  private static void diffValues(List<String> path, Object a, Object b, List<VmChange> out) {
    if (JsValues.deepEqual(a, b)) {
      return;
    }
    if (a instanceof Map && b instanceof Map) {
      diffObjects(path, (Map<?, ?>) a, (Map<?, ?>) b, out);
    } else if (a instanceof List && b instanceof List) {
      diffArrays(path, (List<?>) a, (List<?>) b, out);
    } else {
      out.add(VmChange.of(path, VmChange.CHANGED, a, b));
    }
  }

  private static void diffArrays(List<String> path, List<?> a, List<?> b, List<VmChange> out) {
    path.add(null);
    for (Object x : a) {
      if (!containsEqual(b, x)) {
        out.add(VmChange.of(path, VmChange.REMOVED, x, null));
      }
    }
    for (Object y : b) {
      if (!containsEqual(a, y)) {
        out.add(VmChange.of(path, VmChange.ADDED, null, y));
      }
    }
    path.remove(path.size() - 1);
  }

  private static boolean containsEqual(List<?> list, Object x) {
    for (Object o : list) {
      if (JsValues.deepEqual(o, x)) {
        return true;
      }
    }
    return false;
  }
}
