package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A VM file's values of the {@link VmView#SUMMARY_KEYS}, kept decoded beside the entry's blob
 * so a view of only those keys (a CN's status report: every VM of every CN, each minute) needs
 * no inflate and no parse. Small, as there is one per VM: the keys, in file order, are an array
 * shared by every VM with the same ones (most of a fleet); strings that repeat across VMs are
 * interned; values the view replaces anyway are not kept. Immutable.
 */
final class VmSummary {
  /** Values repeating over many VMs (of the fleet, or of one CN). */
  private static final Set<String> INTERNED = Set.of("brand", "state", "zone_state", "owner_uuid", "image_uuid");
  /** Keys whose value {@link VmView#augment} always replaces: only their place in the file counts. */
  private static final Set<String> REPLACED = Set.of("last_modified", "server_uuid", "datacenter_name",
      "platform_buildstamp", "zonename");
  /** Distinct key orders seen; bounded, so hand-made files cannot grow it without end. */
  private static final ConcurrentHashMap<List<String>, String[]> SHAPES = new ConcurrentHashMap<>();
  private static final int MAX_SHAPES = 1024;

  private final String[] keys;
  private final Object[] values;

  private VmSummary(String[] keys, Object[] values) {
    this.keys = keys;
    this.values = values;
  }

  /**
   * @param uuid the VM's uuid as the store keys it (the summary shares that string)
   * @param compactJson the VM's compact JSON, as its blob holds it
   * @return null for an odd file (an object or array where a scalar belongs): its views decode the blob
   */
  static VmSummary of(String uuid, byte[] compactJson) {
    Map<String, Object> decoded = Json.parseObjectKeys(compactJson, VmView.SUMMARY_KEY_SET);
    List<String> keys = new ArrayList<>(VmView.SUMMARY_KEYS.size());
    List<Object> values = new ArrayList<>(VmView.SUMMARY_KEYS.size());
    for (Map.Entry<String, Object> e : decoded.entrySet()) {
      String key = VmView.summaryKey(e.getKey());
      if (key == null) {
        continue;
      }
      Object v = e.getValue();
      if (v != null && !(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        return null;
      }
      if (REPLACED.contains(key)) {
        v = null;
      } else if (uuid.equals(v)) {
        v = uuid;
      } else if (v instanceof String s && INTERNED.contains(key)) {
        v = s.intern();
      }
      keys.add(key); // the shared instance, not the parser's copy
      values.add(v);
    }
    return new VmSummary(shape(keys), values.toArray());
  }

  private static String[] shape(List<String> keys) {
    String[] shared = SHAPES.get(keys);
    if (shared != null) {
      return shared;
    }
    String[] own = keys.toArray(String[]::new);
    return SHAPES.size() < MAX_SHAPES ? SHAPES.computeIfAbsent(List.copyOf(keys), k -> own) : own;
  }

  /** Puts the summary keys that {@code wanted} names into {@code vm}, in file order. */
  void putInto(Map<String, Object> vm, Set<String> wanted) {
    for (int i = 0; i < keys.length; i++) {
      if (wanted.contains(keys[i])) {
        vm.put(keys[i], values[i]);
      }
    }
  }
}
