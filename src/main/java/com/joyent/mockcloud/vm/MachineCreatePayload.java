package com.joyent.mockcloud.vm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * cn-agent's {@code machine_create} payload mapping (spec vmadm-and-vm-agent.md §1.4 layer A,
 * cn-agent.md §3.2.3 step 4): which request params survive, which are dropped, and the
 * defaults cn-agent adds before calling {@link ServerVms#create}. Lives here because it decides
 * what ends up in the VM file; cn-agent calls it and logs {@link Mapped#ignored()}.
 * Deviation D7: absent {@code nics} (and kvm/bhyve {@code disks}) default to {@code []}, not
 * {@code {}}. Deviation from the Node dummy: {@code firewall_enabled: true} is kept, as real vmadm
 * keeps it (false, the default a VM shows, is not written), since the firewaller acts on it (DESIGN "which behaviour wins", rule 3).
 * Pure; thread-safe.
 */
public final class MachineCreatePayload {
  static final Set<String> KEPT = Set.of(
      "autoboot", "alias", "archive_on_delete", "billing_id", "brand", "cpu_cap", "cpu_shares",
      "cpu_type", "customer_metadata", "disk_driver", "disks", "image_uuid", "internal_metadata",
      "gpus", "max_lwps", "max_physical_memory", "max_swap", "nic_driver", "nics", "owner_uuid",
      "server_uuid", "quota", "ram", "resolvers", "tags", "uuid", "vcpus");
  static final Set<String> DROPPED_SILENTLY = Set.of(
      "dataset_url", "dataset_url_compression", "firewall_enabled", "image", "zfs_io_priority");
  static final Set<String> NIC_KEPT = Set.of(
      "ip", "mac", "mtu", "netmask", "network_uuid", "nic_tag", "primary", "vlan_id");
  static final Set<String> NIC_DROPPED_SILENTLY = Set.of(
      "belongs_to_type", "belongs_to_uuid", "cn_uuid", "created_timestamp", "modified_timestamp",
      "resolvers", "state", "owner_uuid");
  static final Set<String> DISK_KEPT = Set.of(
      "image_name", "image_size", "image_uuid", "refreservation", "size");

  /** The payload for {@code create}, and the request keys dropped with a warning. */
  public record Mapped(Map<String, Object> payload, List<String> ignored) {}

  private MachineCreatePayload() {}

  public static Mapped fromTaskParams(Map<String, Object> params) {
    Map<String, Object> out = new LinkedHashMap<>();
    List<String> ignored = new ArrayList<>();
    for (Map.Entry<String, Object> e : params.entrySet()) {
      String k = e.getKey();
      if (k.equals("nics") && e.getValue() instanceof List) {
        out.put(k, filterList((List<?>) e.getValue(), NIC_KEPT, NIC_DROPPED_SILENTLY, "nics", ignored));
      } else if (k.equals("disks") && e.getValue() instanceof List) {
        out.put(k, filterList((List<?>) e.getValue(), DISK_KEPT, null, null, null));
      } else if (KEPT.contains(k)) {
        out.put(k, e.getValue());
      } else if (k.equals("firewall_enabled") && Boolean.TRUE.equals(e.getValue())) {
        out.put(k, true); // false is what the VM shows without it: the reference file stays byte-exact
      } else if (!DROPPED_SILENTLY.contains(k)) {
        ignored.add(k);
      }
    }
    Object uuid = out.get("uuid");
    if (!Uuids.isUuid(uuid)) {
      throw VmException.invalid("uuid must be a lower-case UUID, got " + uuid);
    }
    out.putIfAbsent("nics", new ArrayList<>());
    if (Brands.isHvm(out.get("brand"))) {
      out.putIfAbsent("disks", new ArrayList<>());
    }
    out.putIfAbsent("autoboot", true);
    out.put("datasets", new ArrayList<>());
    out.put("limit_priv", "default");
    if (out.containsKey("max_swap")) {
      out.putIfAbsent("max_locked_memory", out.get("max_swap"));
    }
    out.put("zpool", "zones");
    out.put("zfs_filesystem", "zones/" + uuid);
    out.put("zonepath", "/zones/" + uuid);
    out.put("zfs_io_priority", 100);
    return new Mapped(out, ignored);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> filterList(List<?> in, Set<String> kept, Set<String> silent,
      String what, List<String> ignored) {
    List<Object> out = new ArrayList<>();
    for (Object o : in) {
      if (!(o instanceof Map)) {
        out.add(o); // left for create to reject
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : ((Map<String, Object>) o).entrySet()) {
        if (kept.contains(e.getKey())) {
          m.put(e.getKey(), e.getValue());
        } else if (ignored != null && !silent.contains(e.getKey())) {
          ignored.add(what + "." + e.getKey());
        }
      }
      out.add(m);
    }
    return out;
  }
}
