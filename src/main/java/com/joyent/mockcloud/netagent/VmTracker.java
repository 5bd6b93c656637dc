package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.vm.VmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One VM of the CN (spec net-agent-cmon-mockcloud.md §2.7, the reference's InstanceFSM): which
 * MACs it has, and the VM-level fields that come from its NICs' networks — {@code routes}
 * (union of every NIC's NAPI {@code routes}) and {@code resolvers} (concatenation in NIC order,
 * de-duplicated; left alone when {@code internal_metadata.no_nic_resolvers} is truthy).
 *
 * <p>{@link #reconcile()} writes them into the VM file with one {@code vmadm update}
 * ({@code resolvers}, {@code set_routes}, {@code remove_routes}) when they differ, but only
 * once every NIC has been read from NAPI, and never while the VM is not running or stopped
 * (a VM being provisioned is not touched). One write at a time; a request during it runs
 * again afterwards; a failed write is retried after {@code localRetry}. Confined to the CN's
 * {@link CnLoop}.
 */
final class VmTracker {
  final String uuid;
  private final CnSync cn;
  /** The VM's MACs in its NIC order. */
  List<String> macs = List.of();
  private boolean busy;
  private boolean again;

  VmTracker(String uuid, CnSync cn) {
    this.uuid = uuid;
    this.cn = cn;
  }

  /** The VM keys {@link #payload} reads. */
  static final List<String> PAYLOAD_FIELDS = List.of("state", "routes", "resolvers", "internal_metadata");

  void reconcile() {
    if (busy) {
      again = true;
      return;
    }
    Map<String, Object> vm;
    try {
      vm = cn.vms.load(uuid, PAYLOAD_FIELDS, false);
    } catch (VmException e) {
      return; // gone, or do_not_inventory: the VM list will deal with it
    }
    Map<String, Object> payload = payload(vm, nicRecords());
    if (payload == null || payload.isEmpty()) {
      return;
    }
    busy = true;
    cn.vmFileChange(uuid, "routes/resolvers", vms -> vms.update(uuid, payload), err -> {
      busy = false;
      if (err != null && !(err instanceof VmException e && e.kind() == VmException.Kind.NOT_FOUND)) {
        cn.localFailed("update routes/resolvers of VM " + uuid, err);
        cn.loop.later(cn.options.localRetry().toMillis(), this::reconcile);
      } else if (again) {
        again = false;
        reconcile();
      }
    });
  }

  /** The NAPI records of the VM's NICs in NIC order; null while one has not been read yet. */
  private List<Map<String, Object>> nicRecords() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String mac : macs) {
      NicFsm nic = cn.nics.get(mac);
      if (nic == null || !nic.fetched()) {
        return null;
      }
      if (uuid.equals(nic.remoteValue("belongs_to_uuid"))) {
        out.add(nic.remote);
      }
    }
    return out;
  }

  /**
   * The vmadm update payload that brings the VM's routes and resolvers in line with its NICs'
   * NAPI records, empty if nothing differs, null if the VM must not be touched now. Pure.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> payload(Map<String, Object> vm, List<Map<String, Object>> records) {
    Object state = vm.get("state");
    if (records == null || !("running".equals(state) || "stopped".equals(state))) {
      return null;
    }
    Map<String, Object> targetRoutes = new LinkedHashMap<>();
    Set<Object> targetResolvers = new LinkedHashSet<>();
    for (Map<String, Object> r : records) {
      if (r.get("routes") instanceof Map<?, ?> m) {
        targetRoutes.putAll((Map<String, Object>) m);
      }
      if (r.get("resolvers") instanceof List<?> l) {
        targetResolvers.addAll(l);
      }
    }
    Map<String, Object> current = vm.get("routes") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    Map<String, Object> set = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : targetRoutes.entrySet()) {
      if (!JsValues.deepEqual(current.get(e.getKey()), e.getValue())) {
        set.put(e.getKey(), e.getValue());
      }
    }
    List<Object> remove = new ArrayList<>();
    for (String k : current.keySet()) {
      if (!targetRoutes.containsKey(k)) {
        remove.add(k);
      }
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    Object im = vm.get("internal_metadata");
    boolean ignoreResolvers = im instanceof Map<?, ?> m && JsValues.truthy(m.get("no_nic_resolvers"));
    List<Object> resolvers = new ArrayList<>(targetResolvers);
    Object cur = vm.get("resolvers");
    if (!ignoreResolvers && !JsValues.deepEqual(resolvers, cur == null ? List.of() : cur)) {
      payload.put("resolvers", resolvers);
    }
    if (!set.isEmpty()) {
      payload.put("set_routes", set);
    }
    if (!remove.isEmpty()) {
      payload.put("remove_routes", remove);
    }
    return payload;
  }
}
