package com.joyent.mockcloud.vm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code add_disks}, {@code update_disks} and {@code remove_disks} of an update, for kvm and
 * bhyve VMs only (see {@link VmUpdate}). Validates everything before changing the VM. Pure;
 * thread-safe.
 */
final class Disks {
  private Disks() {}

  @SuppressWarnings("unchecked")
  static boolean applyUpdate(Map<String, Object> vm, Map<String, Object> payload) {
    List<?> add = Nics.asList(payload.get("add_disks"), "add_disks");
    List<?> update = Nics.asList(payload.get("update_disks"), "update_disks");
    List<?> remove = Nics.asList(payload.get("remove_disks"), "remove_disks");
    if (add.isEmpty() && update.isEmpty() && remove.isEmpty()) {
      return false;
    }
    if (!Brands.isHvm(vm.get("brand"))) {
      throw VmException.invalid("disks can only be changed on kvm and bhyve VMs, not " + vm.get("brand"));
    }
    Object cur = vm.get("disks");
    List<Object> disks = new ArrayList<>();
    if (cur instanceof List) {
      for (Object d : (List<Object>) cur) {
        disks.add(d instanceof Map ? new LinkedHashMap<>((Map<String, Object>) d) : d);
      }
    }
    for (Object u : update) {
      if (!(u instanceof Map)) {
        throw VmException.invalid("update_disks: a disk must be an object, got " + u);
      }
      Map<String, Object> upd = (Map<String, Object>) u;
      Map<String, Object> target = find(disks, upd);
      if (target == null) {
        throw VmException.invalid("update_disks: no disk with path " + upd.get("path")
            + (upd.containsKey("uuid") ? " or uuid " + upd.get("uuid") : ""));
      }
      target.putAll(upd);
    }
    for (Object r : remove) {
      String path = String.valueOf(r);
      disks.removeIf(d -> d instanceof Map && path.equals(((Map<?, ?>) d).get("path")));
    }
    for (Object a : add) {
      if (!(a instanceof Map)) {
        throw VmException.invalid("add_disks: a disk must be an object, got " + a);
      }
      Map<String, Object> disk = new LinkedHashMap<>((Map<String, Object>) a);
      if (!disk.containsKey("path")) {
        disk.put("path", "/dev/zvol/rdsk/zones/" + vm.get("uuid") + "-disk" + disks.size());
      }
      disks.add(disk);
    }
    vm.put("disks", disks);
    return true;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> find(List<Object> disks, Map<String, Object> upd) {
    for (String key : new String[] {"path", "uuid"}) {
      Object want = upd.get(key);
      if (want == null) {
        continue;
      }
      for (Object d : disks) {
        if (d instanceof Map && want.equals(((Map<String, Object>) d).get(key))) {
          return (Map<String, Object>) d;
        }
      }
    }
    return null;
  }
}
