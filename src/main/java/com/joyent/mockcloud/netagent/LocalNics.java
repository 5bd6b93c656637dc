package com.joyent.mockcloud.netagent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What net-agent believes the CN has (spec net-agent-cmon-mockcloud.md §2.6): the local NIC
 * objects of a VM, and of the CN itself from its sysinfo (physical NICs, VNICs, aggregations).
 * Key order follows the reference, since it is the order of a {@code POST /nics} body. Pure
 * functions; thread-safe. MACs are lower-cased.
 */
final class LocalNics {
  private static final List<String> VM_COPIED = List.of(
      "allow_dhcp_spoofing", "allow_ip_spoofing", "allow_mac_spoofing", "allow_restricted_traffic",
      "allow_unfiltered_promisc", "gateway", "model", "mtu", "netmask", "network_uuid", "nic_tag", "primary",
      "ip", "vlan_id");
  private static final Pattern VNIC_TAG = Pattern.compile("^([a-zA-Z0-9_]{0,31})[0-9]+$");

  /** A CN's own NICs and aggregations: mac → local NIC, aggregation name → local aggregation. */
  record ServerNics(Map<String, Map<String, Object>> nics, Map<String, Map<String, Object>> aggregations) {}

  private LocalNics() {}

  /** mac → local NIC object for each NIC of a VM (loaded view), in the VM's NIC order. */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> ofVm(Map<String, Object> vm, String cnUuid) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    if (!(vm.get("nics") instanceof List<?> nics)) {
      return out;
    }
    for (Object o : nics) {
      if (!(o instanceof Map<?, ?> m) || !(m.get("mac") instanceof String mac)) {
        continue;
      }
      Map<String, Object> nic = (Map<String, Object>) m;
      Map<String, Object> local = new LinkedHashMap<>();
      local.put("cn_uuid", cnUuid);
      local.put("belongs_to_uuid", vm.get("uuid"));
      local.put("belongs_to_type", "zone");
      local.put("owner_uuid", vm.get("owner_uuid"));
      local.put("state", "running".equals(vm.get("state")) ? "running" : "stopped");
      for (String f : VM_COPIED) {
        if (nic.get(f) != null) {
          local.put(f, nic.get(f));
        }
      }
      out.put(mac, local); // as the VM has it: update_nics/remove_nics match it verbatim
    }
    return out;
  }

  /** The CN's NICs, VNICs and aggregations from sysinfo (§2.6). Malformed entries are skipped. */
  static ServerNics ofSysinfo(Map<String, Object> sysinfo, String cnUuid, String adminUuid) {
    Map<String, Object> aggrs = object(sysinfo.get("Link Aggregations"));
    Map<String, Object> phys = object(sysinfo.get("Network Interfaces"));
    String adminTag = sysinfo.get("Admin NIC Tag") instanceof String s && !s.isEmpty() ? s : "admin";
    Map<String, Map<String, Object>> nics = new LinkedHashMap<>();
    Map<String, String> tagToIface = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : phys.entrySet()) {
      Map<String, Object> iface = object(e.getValue());
      List<String> tags = strings(iface.get("NIC Names"));
      for (String t : tags) {
        tagToIface.put(t, e.getKey());
      }
      if (aggrs.containsKey(e.getKey()) || !(iface.get("MAC Address") instanceof String mac)) {
        continue;
      }
      Map<String, Object> local = serverBase(cnUuid, adminUuid, "up".equals(iface.get("Link Status")));
      local.put("nic_tags_provided", tags);
      if (iface.get("ip4addr") instanceof String ip && !ip.isEmpty()) {
        local.put("ip", ip);
      }
      if (tags.contains(adminTag)) {
        local.put("nic_tag", adminTag);
        local.put("vlan_id", 0);
      }
      nics.put(mac.toLowerCase(Locale.ROOT), local);
    }
    for (Map.Entry<String, Object> e : object(sysinfo.get("Virtual Network Interfaces")).entrySet()) {
      Map<String, Object> vnic = object(e.getValue());
      if (!(vnic.get("MAC Address") instanceof String mac)) {
        continue;
      }
      Map<String, Object> local = serverBase(cnUuid, adminUuid, "up".equals(vnic.get("Link Status")));
      if (vnic.get("ip4addr") instanceof String ip && !ip.isEmpty()) {
        local.put("ip", ip);
      }
      local.put("vlan_id", vlan(vnic.get("VLAN")));
      Matcher m = VNIC_TAG.matcher(e.getKey());
      if (m.matches() && vnic.get("Host Interface") != null
          && vnic.get("Host Interface").equals(tagToIface.get(m.group(1)))) {
        local.put("nic_tag", m.group(1));
      }
      nics.put(mac.toLowerCase(Locale.ROOT), local);
    }
    Map<String, Map<String, Object>> aggregations = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : aggrs.entrySet()) {
      Map<String, Object> a = object(e.getValue());
      List<String> macs = new ArrayList<>();
      for (String member : strings(a.get("Interfaces"))) {
        if (object(phys.get(member)).get("MAC Address") instanceof String mac) {
          macs.add(mac.toLowerCase(Locale.ROOT));
        }
      }
      Map<String, Object> local = new LinkedHashMap<>();
      local.put("id", cnUuid + "-" + e.getKey());
      local.put("name", e.getKey());
      local.put("belongs_to_uuid", cnUuid);
      local.put("lacp_mode", a.get("LACP mode"));
      local.put("nic_tags_provided", strings(object(phys.get(e.getKey())).get("NIC Names")));
      local.put("macs", macs);
      aggregations.put(e.getKey(), local);
    }
    return new ServerNics(nics, aggregations);
  }

  private static Map<String, Object> serverBase(String cnUuid, String adminUuid, boolean up) {
    Map<String, Object> local = new LinkedHashMap<>();
    local.put("belongs_to_uuid", cnUuid);
    local.put("belongs_to_type", "server");
    local.put("owner_uuid", adminUuid);
    local.put("state", up ? "running" : "stopped");
    return local;
  }

  private static int vlan(Object v) {
    if (v instanceof Number n) {
      return n.intValue();
    }
    try {
      return v == null ? 0 : Integer.parseInt(v.toString().trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object v) {
    return v instanceof Map<?, ?> ? (Map<String, Object>) v : Map.of();
  }

  private static List<String> strings(Object v) {
    List<String> out = new ArrayList<>();
    if (v instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof String s) {
          out.add(s);
        }
      }
    } else if (v instanceof String s && !s.isEmpty()) {
      // Some sysinfo writers give "NIC Names" as a comma-separated string.
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }
}
