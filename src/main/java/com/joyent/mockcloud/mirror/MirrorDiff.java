package com.joyent.mockcloud.mirror;

import com.joyent.mockcloud.json.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compares two exports (docs/mirror.md "Comparing two datacenters"): objects are matched by
 * their identity (servers and VMs by uuid, NICs by MAC, packages by uuid, networks, pools and
 * nic tags by name) and compared field by field. A network is named by its name wherever an
 * object refers to it, so a network the target already had under another uuid compares equal.
 * Some differences come from the import by design (the admin addresses, the agents' addresses,
 * the uuids of networks and tags the target already had); they are counted apart. Fields that
 * change with time alone (heartbeats, boot times, timestamps) are not compared.
 */
public final class MirrorDiff {
  /** One field that differs: {@code path} names the object and the field; a missing side is null. */
  public record Difference(String path, Object left, Object right, boolean byDesign) {
    @Override
    public String toString() {
      return path + ": " + Json.compact(left) + " -> " + Json.compact(right) + (byDesign ? " (by design)" : "");
    }
  }

  /** Changed by time alone: not compared. */
  private static final List<String> VOLATILE_SERVER = List.of("last_heartbeat", "last_boot", "created",
      "memory_available_bytes", "memory_arc_bytes", "memory_total_bytes", "memory_provisionable_bytes",
      "disk_pool_alloc_bytes", "disk_pool_size_bytes", "disk_kvm_zvol_used_bytes", "disk_kvm_zvol_volsize_bytes",
      "disk_kvm_quota_bytes", "disk_zone_quota_bytes", "disk_cores_quota_bytes", "disk_installed_images_used_bytes",
      "disk_system_used_bytes", "disk_zone_quota_used_bytes", "disk_cores_quota_used_bytes",
      "disk_kvm_quota_used_bytes", "unreserved_cpu", "unreserved_ram", "unreserved_disk");
  private static final List<String> VOLATILE_SYSINFO = List.of("Boot Time");
  private static final List<String> VOLATILE_VM = List.of("last_modified", "pid", "zoneid", "boot_timestamp",
      "exit_timestamp");
  private static final List<String> VOLATILE_NIC = List.of("created_timestamp", "modified_timestamp");

  private MirrorDiff() {}

  public static List<Difference> compare(MirrorArchive left, MirrorArchive right) {
    Side l = new Side(left);
    Side r = new Side(right);
    List<Difference> out = new ArrayList<>();
    section(out, "nic_tags", l.keyed("nic_tags", "name"), r.keyed("nic_tags", "name"));
    section(out, "networks", l.keyed("networks", "name"), r.keyed("networks", "name"));
    section(out, "network_pools", l.keyed("network_pools", "name"), r.keyed("network_pools", "name"));
    section(out, "servers", l.keyed("servers", "uuid"), r.keyed("servers", "uuid"));
    section(out, "vms", l.keyed("vms", "uuid"), r.keyed("vms", "uuid"));
    section(out, "nics", l.keyed("nics", "mac"), r.keyed("nics", "mac"));
    section(out, "packages", l.keyed("packages", "uuid"), r.keyed("packages", "uuid"));
    return out;
  }

  private static void section(List<Difference> out, String name, Map<String, Normalised> a, Map<String, Normalised> b) {
    TreeSet<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    for (String k : keys) {
      Normalised x = a.get(k);
      Normalised y = b.get(k);
      String at = name + "[" + k + "]";
      if (x == null || y == null) {
        out.add(new Difference(at, x == null ? null : "present", y == null ? null : "present", false));
        continue;
      }
      deep(out, at, x.compared, y.compared, false);
      deep(out, at, x.byDesign, y.byDesign, true);
    }
  }

  private static void deep(List<Difference> out, String path, Object a, Object b, boolean byDesign) {
    if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
      TreeSet<String> keys = new TreeSet<>();
      ma.keySet().forEach(k -> keys.add(String.valueOf(k)));
      mb.keySet().forEach(k -> keys.add(String.valueOf(k)));
      for (String k : keys) {
        deep(out, path + "." + k, ma.get(k), mb.get(k), byDesign);
      }
      return;
    }
    if (a instanceof List<?> la && b instanceof List<?> lb && la.size() == lb.size()) {
      for (int i = 0; i < la.size(); i++) {
        deep(out, path + "[" + i + "]", la.get(i), lb.get(i), byDesign);
      }
      return;
    }
    if (!sameValue(a, b)) {
      out.add(new Difference(path, a, b, byDesign));
    }
  }

  private static boolean sameValue(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    return Objects.equals(a, b);
  }

  /** An object split into what is compared and what differs by design. */
  private record Normalised(Map<String, Object> compared, Map<String, Object> byDesign) {}

  /** One archive, with the names of its networks so references can be compared by name. */
  private static final class Side {
    private final MirrorArchive archive;
    private final Map<String, String> networkNames = new HashMap<>();
    private final Map<String, Boolean> adminNetworks = new HashMap<>();

    Side(MirrorArchive archive) {
      this.archive = archive;
      for (Map<String, Object> n : archive.section("networks")) {
        String uuid = String.valueOf(n.get("uuid"));
        networkNames.put(uuid, String.valueOf(n.get("name")));
        adminNetworks.put(uuid, "admin".equals(n.get("name")) || "admin".equals(n.get("nic_tag")));
      }
    }

    Map<String, Normalised> keyed(String section, String key) {
      Map<String, Normalised> out = new LinkedHashMap<>();
      for (Map<String, Object> o : archive.section(section)) {
        out.put(String.valueOf(o.get(key)), normalise(section, Json.deepCopy(o)));
      }
      return out;
    }

    private Normalised normalise(String section, Map<String, Object> o) {
      Map<String, Object> design = new LinkedHashMap<>();
      switch (section) {
        case "nic_tags", "networks" -> design.put("uuid", o.remove("uuid"));
        case "network_pools" -> {
          design.put("uuid", o.remove("uuid"));
          // NAPI's pool nic_tag is its first network's by uuid: another uuid order, another tag.
          design.put("nic_tag", o.remove("nic_tag"));
          if (o.get("nic_tags_present") instanceof List<?> tags) {
            o.put("nic_tags_present", new TreeSet<>(tags.stream().map(String::valueOf).toList()).stream().toList());
          }
          if (o.get("networks") instanceof List<?> nets) {
            o.put("networks", new TreeSet<>(nets.stream().map(n -> name(String.valueOf(n))).toList()).stream().toList());
          }
        }
        case "servers" -> server(o, design);
        case "vms" -> {
          VOLATILE_VM.forEach(o::remove);
          if (o.get("nics") instanceof List<?> nics) {
            for (int i = 0; i < nics.size(); i++) {
              if (nics.get(i) instanceof Map<?, ?> raw) {
                @SuppressWarnings("unchecked")
                Map<String, Object> nic = (Map<String, Object>) raw;
                nic(nic, design, "nics[" + i + "].");
              }
            }
          }
        }
        case "nics" -> {
          VOLATILE_NIC.forEach(o::remove);
          nic(o, design, "");
        }
        default -> { }
      }
      return new Normalised(o, design);
    }

    private void server(Map<String, Object> o, Map<String, Object> design) {
      VOLATILE_SERVER.forEach(o::remove);
      if (!(o.get("sysinfo") instanceof Map<?, ?> raw)) {
        return;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> s = (Map<String, Object>) raw;
      VOLATILE_SYSINFO.forEach(s::remove);
      for (String k : List.of("CN Agent IP", "CN Agent Port", "Admin IP")) {
        design.put("sysinfo." + k, s.remove(k));
      }
      for (String group : List.of("Network Interfaces", "Virtual Network Interfaces")) {
        if (s.get(group) instanceof Map<?, ?> nics) {
          for (Map.Entry<?, ?> e : nics.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> nicRaw && nicRaw.get("NIC Names") instanceof List<?> names
                && names.contains("admin")) {
              @SuppressWarnings("unchecked")
              Map<String, Object> nic = (Map<String, Object>) nicRaw;
              design.put("sysinfo." + group + "." + e.getKey() + ".ip4addr", nic.remove("ip4addr"));
            }
          }
        }
      }
    }

    /** A NIC's network by name; its address fields apart when it is on the admin network. */
    private void nic(Map<String, Object> nic, Map<String, Object> design, String prefix) {
      if (!(nic.get("network_uuid") instanceof String net)) {
        return;
      }
      nic.put("network_uuid", name(net));
      if (Boolean.TRUE.equals(adminNetworks.get(net))) {
        for (String k : List.of("ip", "owner_uuid")) {
          if (nic.containsKey(k)) {
            design.put(prefix + k, nic.remove(k));
          }
        }
      }
    }

    private String name(String networkUuid) {
      String n = networkNames.get(networkUuid);
      return n != null ? "network " + n : networkUuid;
    }
  }
}
