package com.joyent.mockcloud.vmagent;

import com.joyent.mockcloud.json.JsValues;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which VMs vm-agent sends in its start-up bulk PUT (spec vmadm-and-vm-agent.md §4.4):
 * compare CN and VMAPI on a fixed list of fields; every VM that differs is sent, the CN's
 * full object if the CN has it, else VMAPI's object marked destroyed. Pure.
 */
final class InitialSync {
  static final List<String> FIELDS = List.of("brand", "datasets", "disks", "indestructible_delegated",
      "indestructible_zoneroot", "last_modified", "quota", "snapshots", "state", "uuid", "zfs_data_compression",
      "zfs_snapshot_limit", "zone_state", "boot_timestamp");

  private InitialSync() {}

  /**
   * @param local the CN's VMs (DNI ones already removed), uuid → full view
   * @param vmapi VMAPI's active VMs of this server, uuid → object
   * @return uuid → the object to PUT, empty when they agree
   */
  static Map<String, Object> differences(Map<String, Map<String, Object>> local,
      Map<String, Map<String, Object>> vmapi) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Object>> e : local.entrySet()) {
      Map<String, Object> theirs = vmapi.get(e.getKey());
      if (theirs == null || !JsValues.deepEqual(comparable(e.getValue(), false), comparable(theirs, true))) {
        out.put(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<String, Map<String, Object>> e : vmapi.entrySet()) {
      if (!local.containsKey(e.getKey())) {
        Map<String, Object> gone = new LinkedHashMap<>(e.getValue());
        gone.put("state", "destroyed");
        gone.put("zone_state", "destroyed");
        out.put(e.getKey(), gone);
      }
    }
    return out;
  }

  /** The compared fields present in a VM; for VMAPI's objects without its always-present defaults. */
  static Map<String, Object> comparable(Map<String, Object> vm, boolean fromVmapi) {
    Map<String, Object> c = new LinkedHashMap<>();
    for (String f : FIELDS) {
      if (!vm.containsKey(f)) {
        continue;
      }
      Object v = vm.get(f);
      if (fromVmapi && isVmapiDefault(f, v)) {
        continue;
      }
      c.put(f, v);
    }
    return c;
  }

  /** VMAPI renders unset fields as null (last_modified, quota, ...) and datasets as []. */
  private static boolean isVmapiDefault(String field, Object v) {
    return v == null || field.equals("datasets") && v instanceof List<?> l && l.isEmpty();
  }
}
