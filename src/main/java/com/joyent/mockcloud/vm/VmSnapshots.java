package com.joyent.mockcloud.vm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Snapshot rules (spec vmadm-and-vm-agent.md §1.6, §2.10) as pure functions on a loaded view.
 * Deviation D15: a duplicate name is rejected, as real vmadm does. Thread-safe.
 */
final class VmSnapshots {
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_.:\\-]{1,64}$");

  private VmSnapshots() {}

  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw VmException.invalid("invalid snapshot name: " + name
          + " (1-64 characters of A-Z a-z 0-9 _ . : -)");
    }
  }

  /** Appends {@code {created_at, name}}; the array is created if absent. */
  static void add(Map<String, Object> vm, String name, String nowIso) {
    checkName(name);
    List<Object> snaps = list(vm);
    for (Object s : snaps) {
      if (s instanceof Map && name.equals(((Map<?, ?>) s).get("name"))) {
        throw VmException.invalid("snapshot \"" + name + "\" already exists for " + vm.get("uuid"));
      }
    }
    Map<String, Object> snap = new LinkedHashMap<>();
    snap.put("created_at", nowIso);
    snap.put("name", name);
    snaps.add(snap);
    vm.put("snapshots", snaps);
  }

  /** Removes every snapshot with that name; none → {@link VmException#noSnapshot}. */
  static void delete(Map<String, Object> vm, String name) {
    if (!(vm.get("snapshots") instanceof List)) {
      throw VmException.noSnapshot(String.valueOf(vm.get("uuid")), name);
    }
    List<Object> snaps = list(vm);
    if (!snaps.removeIf(s -> s instanceof Map && name.equals(((Map<?, ?>) s).get("name")))) {
      throw VmException.noSnapshot(String.valueOf(vm.get("uuid")), name);
    }
    vm.put("snapshots", snaps);
  }

  static void requireExists(Map<String, Object> vm, String name) {
    if (find(vm, name) == null) {
      throw VmException.noSnapshot(String.valueOf(vm.get("uuid")), name);
    }
  }

  /** Drops every snapshot newer ({@code created_at} string greater) than the named one. */
  static boolean rollback(Map<String, Object> vm, String name) {
    Map<?, ?> target = find(vm, name);
    if (target == null) {
      throw VmException.noSnapshot(String.valueOf(vm.get("uuid")), name);
    }
    String at = String.valueOf(target.get("created_at"));
    List<Object> snaps = list(vm);
    boolean removed = snaps.removeIf(
        s -> s instanceof Map && String.valueOf(((Map<?, ?>) s).get("created_at")).compareTo(at) > 0);
    if (removed) {
      vm.put("snapshots", snaps);
    }
    return removed;
  }

  private static Map<?, ?> find(Map<String, Object> vm, String name) {
    Object snaps = vm.get("snapshots");
    if (snaps instanceof List) {
      for (Object s : (List<?>) snaps) {
        if (s instanceof Map && name.equals(((Map<?, ?>) s).get("name"))) {
          return (Map<?, ?>) s;
        }
      }
    }
    return null;
  }

  private static List<Object> list(Map<String, Object> vm) {
    Object snaps = vm.get("snapshots");
    return snaps instanceof List ? new ArrayList<>((List<?>) snaps) : new ArrayList<>();
  }
}
