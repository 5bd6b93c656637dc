package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * VMAPI's VM records as vm-agent writes them (triton-apis.md §3.2–3.3): each write is
 * normalised to the keys VMAPI keeps, and reads fill in VMAPI's defaults.
 *
 * <p>Thread contract: this object's lock guards the map; methods do map work only and return
 * copies, so they are safe on I/O threads.
 */
public final class VmapiVms {
  static final List<String> BASE_KEYS = List.of("uuid", "alias", "autoboot", "brand", "billing_id", "cpu_cap",
      "cpu_shares", "create_timestamp", "customer_metadata", "datasets", "destroyed", "firewall_enabled",
      "internal_metadata", "last_modified", "limit_priv", "max_locked_memory", "max_lwps", "max_physical_memory",
      "max_swap", "nics", "owner_uuid", "platform_buildstamp", "quota", "ram", "resolvers", "server_uuid",
      "snapshots", "state", "tags", "zfs_filesystem", "zfs_io_priority", "zone_state", "zonepath", "zpool");
  static final List<String> OPTIONAL_KEYS = List.of("boot_timestamp", "docker", "dns_domain", "delegate_dataset",
      "exit_status", "exit_timestamp", "filesystems", "flexible_disk_size", "free_space", "fs_allowed", "hostname",
      "indestructible_delegated", "indestructible_zoneroot", "init_name", "internal_metadata_namespaces",
      "kernel_version", "maintain_resolvers", "mdata_exec_timeout", "package_name", "package_version", "pid",
      "tmpfs", "zfs_data_compression", "zfs_snapshot_limit");
  private static final Set<String> TIMESTAMPS = Set.of("create_timestamp", "last_modified", "destroyed",
      "boot_timestamp", "exit_timestamp");
  private static final Set<String> HVM = Set.of("kvm", "bhyve");

  private final Clock clock;
  private final Map<String, Map<String, Object>> vms = new LinkedHashMap<>();
  /** server uuid → its VMs' uuids: vm-agents of 10,000 CNs each list only their own. */
  private final Map<String, Set<String>> byServer = new HashMap<>();

  VmapiVms(Clock clock) {
    this.clock = clock;
  }

  /** The keys VMAPI keeps of a vm-agent object, null/empty values dropped, timestamps as ISO. */
  static Map<String, Object> normalize(Map<String, Object> vm) {
    Map<String, Object> out = new LinkedHashMap<>();
    boolean hvm = HVM.contains(vm.get("brand"));
    List<String> keys = new ArrayList<>(BASE_KEYS);
    if (hvm) {
      keys.addAll(List.of("vcpus", "cpu_type", "disks"));
      if ("bhyve".equals(vm.get("brand"))) {
        keys.add("free_space");
      }
    } else {
      keys.add("image_uuid");
    }
    keys.addAll(OPTIONAL_KEYS);
    for (String k : keys) {
      Object v = vm.get(k);
      if (v == null || "".equals(v) || out.containsKey(k)) {
        continue;
      }
      if (TIMESTAMPS.contains(k) && v instanceof Number n) {
        v = JsValues.isoString(n.longValue());
      }
      out.put(k, Json.deepCopy(v));
    }
    return out;
  }

  /** A stored VM with VMAPI's read defaults filled in. */
  static Map<String, Object> render(Map<String, Object> stored) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : BASE_KEYS) {
      Object v = stored.get(k);
      if (v == null) {
        v = switch (k) {
          case "nics", "snapshots", "datasets" -> new ArrayList<>();
          case "customer_metadata", "internal_metadata", "tags" -> new LinkedHashMap<>();
          case "firewall_enabled" -> false;
          case "ram" -> stored.get("max_physical_memory");
          default -> null;
        };
      }
      out.put(k, Json.deepCopy(v));
    }
    stored.forEach((k, v) -> out.putIfAbsent(k, Json.deepCopy(v)));
    if (!HVM.contains(stored.get("brand"))) {
      out.putIfAbsent("image_uuid", null);
    }
    return out;
  }

  /** {@code PUT /vms/:uuid}: a destroyed VM is marked so (failed if it was provisioning). */
  public synchronized Map<String, Object> put(String uuid, Map<String, Object> vm) {
    Map<String, Object> n = normalize(vm);
    n.put("uuid", uuid);
    if ("destroyed".equals(vm.get("state"))) {
      Map<String, Object> prev = vms.get(uuid);
      String state = prev != null && "provisioning".equals(prev.get("state")) ? "failed" : "destroyed";
      n.put("state", state);
      n.put("zone_state", state);
      n.put("destroyed", JsValues.isoString(clock.millis()));
    }
    index(uuid, vms.put(uuid, n), n);
    return Json.deepCopy(n);
  }

  /** {@code PUT /vms?server_uuid=}: each value normalised and written as is. */
  public synchronized void putAll(Map<String, Object> byUuid) {
    byUuid.forEach((uuid, v) -> {
      if (v instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, Object> n = normalize((Map<String, Object>) m);
        n.put("uuid", uuid);
        index(uuid, vms.put(uuid, n), n);
      }
    });
  }

  private void index(String uuid, Map<String, Object> before, Map<String, Object> after) {
    assert Thread.holdsLock(this);
    if (before != null && before.get("server_uuid") instanceof String old) {
      Set<String> set = byServer.get(old);
      if (set != null) {
        set.remove(uuid);
      }
    }
    if (after.get("server_uuid") instanceof String server) {
      byServer.computeIfAbsent(server, k -> new LinkedHashSet<>()).add(uuid);
    }
  }

  /** One page of a listing: the total count and only the page's VMs rendered. */
  public record Page(int total, List<Map<String, Object>> vms) {}

  /**
   * VMs passing {@code filter}, uuid descending (VMAPI's default order); only
   * {@code [offset, offset+limit)} are rendered. With {@code serverUuid} only that server's VMs
   * are looked at.
   */
  public synchronized Page page(String serverUuid, Predicate<Map<String, Object>> filter, int offset, int limit) {
    VmapiListQuery all = VmapiListQuery.all(serverUuid);
    return page(serverUuid, filter, null, null, all.order, offset, limit);
  }

  /**
   * One page of a ListVms query as VMAPI's moray answers it: the total counts what passes
   * {@code filter} alone; the marker's filters then apply, {@code limit + 1} are taken after
   * {@code offset} and the marker's own VM is dropped (so a page whose marker VM is gone holds
   * one more, as in VMAPI).
   */
  synchronized Page page(String serverUuid, Predicate<Map<String, Object>> filter,
      Predicate<Map<String, Object>> markerFilter, String markerUuid, java.util.Comparator<Map<String, Object>> order,
      int offset, int limit) {
    Iterable<String> candidates = serverUuid == null ? vms.keySet()
        : byServer.getOrDefault(serverUuid, Set.of());
    List<Map<String, Object>> hits = new ArrayList<>();
    int total = 0;
    for (String uuid : candidates) {
      Map<String, Object> vm = vms.get(uuid);
      if (vm != null && filter.test(vm)) {
        total++;
        if (markerFilter == null || markerFilter.test(vm)) {
          hits.add(vm);
        }
      }
    }
    hits.sort(order);
    int take = markerFilter == null ? limit : limit + 1;
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = offset; i < hits.size() && out.size() < take; i++) {
      Map<String, Object> vm = hits.get(i);
      out.add(vm);
    }
    if (markerUuid != null) {
      out.removeIf(vm -> markerUuid.equals(vm.get("uuid")));
    }
    out.replaceAll(VmapiVms::render);
    return new Page(total, out);
  }

  private static void sortNewestFirst(List<Map<String, Object>> hits) {
    // Parse each timestamp once, not once per comparison.
    Map<Map<String, Object>, Long> created = new IdentityHashMap<>();
    hits.forEach(vm -> created.put(vm, createdMillis(vm)));
    hits.sort(Comparator.comparing((Map<String, Object> vm) -> created.get(vm)).reversed());
  }

  /** Marks a VM destroyed (used when {@code sync=true} finds it gone from its CN). */
  public synchronized Map<String, Object> markDestroyed(String uuid) {
    Map<String, Object> vm = vms.get(uuid);
    if (vm == null) {
      return null;
    }
    vm.put("state", "destroyed");
    vm.put("zone_state", "destroyed");
    vm.put("destroyed", JsValues.isoString(clock.millis()));
    return render(vm);
  }

  /** Marks a VM failed (a provision that did not happen). */
  public synchronized void markFailed(String uuid) {
    Map<String, Object> vm = vms.get(uuid);
    if (vm != null) {
      vm.put("state", "failed");
      vm.put("zone_state", "failed");
    }
  }

  /** Rendered VM, or null. */
  public synchronized Map<String, Object> get(String uuid) {
    Map<String, Object> vm = vms.get(uuid);
    return vm == null ? null : render(vm);
  }

  public synchronized int size() {
    return vms.size();
  }

  /** Rendered VMs passing {@code filter} (applied to the stored form), newest create_timestamp first. */
  public synchronized List<Map<String, Object>> list(Predicate<Map<String, Object>> filter) {
    List<Map<String, Object>> hits = new ArrayList<>();
    for (Map<String, Object> vm : vms.values()) {
      if (filter.test(vm)) {
        hits.add(vm);
      }
    }
    sortNewestFirst(hits);
    List<Map<String, Object>> out = new ArrayList<>(hits.size());
    hits.forEach(vm -> out.add(render(vm)));
    return out;
  }

  private static long createdMillis(Map<String, Object> vm) {
    try {
      return vm.get("create_timestamp") instanceof String s ? Instant.parse(s).toEpochMilli() : 0;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** Non-destroyed VMs of a server in the shape CNAPI keeps under a server's {@code vms}. */
  public synchronized Map<String, Object> serverVms(String serverUuid) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String uuid : byServer.getOrDefault(serverUuid, Set.of())) {
      Map<String, Object> vm = vms.get(uuid);
      if (vm != null && isActive(vm)) {
        Map<String, Object> v = new LinkedHashMap<>();
        for (String k : List.of("brand", "cpu_cap", "last_modified", "max_physical_memory", "owner_uuid", "quota",
            "state", "uuid", "zone_state")) {
          if (vm.containsKey(k)) {
            v.put(k, Json.deepCopy(vm.get(k)));
          }
        }
        out.put((String) vm.get("uuid"), v);
      }
    }
    return out;
  }

  /** The fields CNAPI's VmList asks VMAPI for, in VMAPI's listing order. */
  static final List<String> CNAPI_VM_LIST_FIELDS = List.of("uuid", "owner_uuid", "quota", "max_physical_memory",
      "zone_state", "state", "brand", "cpu_cap", "last_modified");

  /** A server's VMs in every state, uuid descending, with only {@link #CNAPI_VM_LIST_FIELDS}. */
  public synchronized List<Map<String, Object>> serverVmList(String serverUuid) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> vm : page(serverUuid, v -> true, 0, Integer.MAX_VALUE).vms()) {
      Map<String, Object> v = new LinkedHashMap<>();
      vm.forEach((k, value) -> {
        if (CNAPI_VM_LIST_FIELDS.contains(k)) {
          v.put(k, value);
        }
      });
      out.add(v);
    }
    return out;
  }

  static boolean isActive(Map<String, Object> vm) {
    return !"destroyed".equals(vm.get("state")) && !"failed".equals(vm.get("state"));
  }
}
