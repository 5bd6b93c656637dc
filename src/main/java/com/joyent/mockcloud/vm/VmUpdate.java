package com.joyent.mockcloud.vm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code vmadm update} as a pure function (spec vmadm-and-vm-agent.md §2.9 with decisions
 * D1–D6): {@link #apply} changes a loaded VM view in place and says whether anything changed;
 * the store writes once if so. Every payload is validated before the VM is touched, and the
 * store works on a private copy, so a rejected payload changes nothing.
 *
 * <p>Keys, in the order they are applied:
 * <ul>
 *   <li>{@code alias, autoboot, billing_id, image_uuid, resolvers}: replaced verbatim (reference).
 *   <li>{@link #REPLACED} scalars (D6): replaced; {@code null} deletes the key. On a zone brand,
 *       {@code ram} sets {@code max_physical_memory} instead of being stored.
 *   <li>{@code set_routes} then {@code remove_routes} (D2, D3), {@code set_tags}/{@code remove_tags}
 *       (D1), {@code set_/remove_customer_metadata}, {@code set_/remove_internal_metadata} (D6):
 *       merge, then delete the listed keys.
 *   <li>{@code add_nics, remove_nics, update_nics}: {@link Nics#applyUpdate}.
 *   <li>{@code add_disks, update_disks, remove_disks} (kvm/bhyve only): disks are matched by
 *       {@code path}, else by {@code uuid}; an added disk without a path gets
 *       {@code /dev/zvol/rdsk/zones/<uuid>-disk<N>}.
 * </ul>
 * Other keys (e.g. {@code uuid}, CNAPI's {@code jobid}) are ignored, as vmadm ignores them.
 * Pure (the payload is not changed); thread-safe.
 */
public final class VmUpdate {
  static final Set<String> VERBATIM = Set.of("alias", "autoboot", "billing_id", "image_uuid", "resolvers");
  static final Set<String> NUMERIC = Set.of(
      "ram", "max_physical_memory", "max_swap", "max_locked_memory", "quota", "cpu_cap", "cpu_shares",
      "zfs_io_priority", "max_lwps", "vcpus", "max_msg_ids", "max_sem_ids", "max_shm_ids",
      "max_shm_memory", "zfs_snapshot_limit", "zfs_filesystem_limit", "zfs_data_recsize",
      "zfs_root_recsize", "vnc_port", "spice_port");
  static final Set<String> REPLACED = union(NUMERIC, Set.of(
      "owner_uuid", "firewall_enabled", "package_name", "package_version", "do_not_inventory",
      "indestructible_zoneroot", "indestructible_delegated", "hostname", "dns_domain",
      "archive_on_delete", "cpu_type", "disk_driver", "nic_driver", "limit_priv",
      "maintain_resolvers", "fs_allowed", "tmpfs", "zfs_data_compression", "zfs_root_compression",
      "flexible_disk_size", "bhyve_extra_opts", "boot", "vnc_password", "spice_password",
      "spice_opts", "kernel_version", "docker", "init_name", "zlog_max_size", "free_space",
      "virtio_txburst", "virtio_txtimer", "qemu_opts", "qemu_extra_opts", "hvm"));
  private static final String[][] MAPS = {
      {"set_routes", "remove_routes", "routes"},
      {"set_tags", "remove_tags", "tags"},
      {"set_customer_metadata", "remove_customer_metadata", "customer_metadata"},
      {"set_internal_metadata", "remove_internal_metadata", "internal_metadata"},
  };

  private VmUpdate() {}

  /** Applies {@code payload} to {@code vm}; true if the VM must be written. */
  public static boolean apply(Map<String, Object> vm, Map<String, Object> payload) {
    validate(payload);
    boolean modified = false;
    for (String key : new String[] {"alias", "autoboot", "billing_id", "image_uuid", "resolvers"}) {
      if (payload.containsKey(key)) {
        vm.put(key, payload.get(key));
        modified = true;
      }
    }
    boolean hvm = Brands.isHvm(vm.get("brand"));
    for (Map.Entry<String, Object> e : payload.entrySet()) {
      String key = e.getKey();
      if (!REPLACED.contains(key)) {
        continue;
      }
      if (key.equals("ram") && !hvm) {
        if (!payload.containsKey("max_physical_memory")) {
          vm.put("max_physical_memory", e.getValue());
        }
      } else if (e.getValue() == null) {
        vm.remove(key);
      } else {
        vm.put(key, e.getValue());
      }
      modified = true;
    }
    for (String[] m : MAPS) {
      modified |= applyMap(vm, payload, m[0], m[1], m[2]);
    }
    modified |= Nics.applyUpdate(vm, payload);
    modified |= Disks.applyUpdate(vm, payload);
    return modified;
  }

  private static void validate(Map<String, Object> payload) {
    for (String key : NUMERIC) {
      Object v = payload.get(key);
      if (v != null && !(v instanceof Number)) {
        throw VmException.invalid(key + " must be a number, got " + v);
      }
    }
    for (String[] m : MAPS) {
      Object set = payload.get(m[0]);
      if (set != null && !(set instanceof Map)) {
        throw VmException.invalid(m[0] + " must be an object, got " + set);
      }
      Object remove = payload.get(m[1]);
      if (remove != null && !(remove instanceof List)) {
        throw VmException.invalid(m[1] + " must be an array, got " + remove);
      }
    }
    Object image = payload.get("image_uuid");
    if (payload.containsKey("image_uuid") && !Uuids.isUuid(image)) {
      throw VmException.invalid("image_uuid must be a UUID, got " + image);
    }
  }

  @SuppressWarnings("unchecked")
  private static boolean applyMap(Map<String, Object> vm, Map<String, Object> payload,
      String setKey, String removeKey, String target) {
    Map<String, Object> set = (Map<String, Object>) payload.get(setKey);
    List<Object> remove = (List<Object>) payload.get(removeKey);
    boolean modified = false;
    if (set != null) {
      Object cur = vm.get(target);
      Map<String, Object> map;
      if (cur instanceof Map) {
        map = (Map<String, Object>) cur;
      } else {
        map = new LinkedHashMap<>();
        vm.put(target, map);
      }
      map.putAll(set);
      modified = true;
    }
    if (remove != null && vm.get(target) instanceof Map) {
      Map<String, Object> map = (Map<String, Object>) vm.get(target);
      for (Object k : remove) {
        if (map.containsKey(String.valueOf(k))) {
          map.remove(String.valueOf(k));
          modified = true;
        }
      }
    }
    return modified;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }
}
