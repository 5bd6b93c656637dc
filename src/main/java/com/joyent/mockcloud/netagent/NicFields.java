package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.json.JsValues;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which NIC fields flow which way (spec net-agent-cmon-mockcloud.md §2.8) and the difference
 * rule that decides what to send. Pure functions; thread-safe.
 *
 * <ul>
 *   <li>{@link #LOCAL}: CN → NAPI, sent with {@code PUT /nics/<mac>}.
 *   <li>{@link #REMOTE}: NAPI → CN, written into the VM's NIC with {@code update_nics}.
 *   <li>{@code resolvers}, {@code routes}: NAPI → CN at VM level (see {@link VmTracker}).
 * </ul>
 */
final class NicFields {
  static final List<String> LOCAL = List.of(
      "belongs_to_type", "belongs_to_uuid", "cn_uuid", "owner_uuid", "primary", "state");
  static final List<String> ANTI_SPOOF = List.of(
      "allow_dhcp_spoofing", "allow_ip_spoofing", "allow_mac_spoofing", "allow_restricted_traffic",
      "allow_unfiltered_promisc");
  static final List<String> REMOTE = List.of(
      "allow_dhcp_spoofing", "allow_ip_spoofing", "allow_mac_spoofing", "allow_restricted_traffic",
      "allow_unfiltered_promisc", "gateway", "ip", "model", "mtu", "netmask", "network_uuid", "nic_tag",
      "vlan_id");
  /** Fields of a NAPI NIC record worth keeping in memory; the rest (timestamps…) is dropped. */
  static final Set<String> KEPT = Set.of(
      "belongs_to_type", "belongs_to_uuid", "cn_uuid", "owner_uuid", "primary", "state",
      "allow_dhcp_spoofing", "allow_ip_spoofing", "allow_mac_spoofing", "allow_restricted_traffic",
      "allow_unfiltered_promisc", "gateway", "ip", "model", "mtu", "netmask", "network_uuid", "nic_tag",
      "vlan_id", "resolvers", "routes");

  private NicFields() {}

  /**
   * {@code diff(fields, source, target)}: the fields to apply to {@code target} so it matches
   * {@code source}. Anti-spoof flags are compared as booleans ({@code "true"}/{@code "1"} are
   * true; missing, null, {@code "false"}, {@code "0"} false); any other field is included when
   * the source has a non-null value that is not equal to the target's (no type coercion:
   * {@code "0"} is not {@code 0}). {@code primary} is dropped unless it is exactly true:
   * net-agent never un-sets a primary. Result keeps the order of {@code fields}.
   */
  static Map<String, Object> diff(List<String> fields, Map<String, Object> source, Map<String, Object> target) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (source == null) {
      return out;
    }
    Map<String, Object> t = target == null ? Map.of() : target;
    for (String f : fields) {
      if (ANTI_SPOOF.contains(f)) {
        boolean s = flag(source.get(f));
        if (s != flag(t.get(f))) {
          out.put(f, s);
        }
      } else {
        Object s = source.get(f);
        if (s != null && !JsValues.deepEqual(s, t.get(f))) {
          out.put(f, s);
        }
      }
    }
    if (out.containsKey("primary") && !Boolean.TRUE.equals(out.get("primary"))) {
      out.remove("primary");
    }
    return out;
  }

  /** NAPI and vmadm booleans: true, "true" and "1" are true; everything else false. */
  static boolean flag(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      return s.equals("true") || s.equals("1");
    }
    return false;
  }

  /** The parts of a NAPI NIC record net-agent uses, in NAPI's order. */
  static Map<String, Object> keep(Map<String, Object> napiNic) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : napiNic.entrySet()) {
      if (KEPT.contains(e.getKey())) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return CompactMap.of(out);
  }

  /** {@code aa:bb:cc:dd:ee:ff} → {@code aabbccddeeff}, as NAPI paths carry it. */
  static String pathMac(String mac) {
    return mac.replace(":", "");
  }
}
