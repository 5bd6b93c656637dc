package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.JsValues;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * NIC rules of vmadm (spec vmadm-and-vm-agent.md §1.5, §2.9.1; cn-agent.md §3.1.6) with the
 * recommended deviations D4 (a removal is always persisted) and D5 (new primary: first private
 * IP, else first NIC with any IP). Invalid input is rejected with {@link VmException#invalid}
 * before anything is changed. Pure; thread-safe.
 */
final class Nics {
  static final Set<String> WHITELIST = Set.of(
      "allow_dhcp_spoofing", "allow_ip_spoofing", "allow_mac_spoofing", "allow_restricted_traffic",
      "allow_unfiltered_promisc", "allowed_dhcp_cids", "allowed_ips", "blocked_outgoing_ports",
      "dhcp_server", "gateway", "gateways", "interface", "ip", "ips", "mac", "model", "mtu",
      "netmask", "network_uuid", "nic_tag", "primary", "vlan_id", "vrrp_primary_ip", "vrrp_vrid");
  static final Set<String> FLAGS = Set.of(
      "allow_dhcp_spoofing", "allow_ip_spoofing", "allow_mac_spoofing", "allow_restricted_traffic",
      "allow_unfiltered_promisc", "primary");
  private static final Pattern MAC = Pattern.compile("^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$");
  private static final Pattern IPV4 =
      Pattern.compile("^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");

  private Nics() {}

  /** Normalises a list of NICs for create; a missing list is {@code []} (D7). */
  static List<Object> forCreate(Object nics) {
    List<Object> out = new ArrayList<>();
    for (Object nic : asList(nics, "nics")) {
      out.add(normalise(nic));
    }
    checkOnePrimary(out, "nics");
    return out;
  }

  /**
   * Applies {@code add_nics}, {@code remove_nics} and {@code update_nics} of an update payload to
   * {@code vm}. Returns true if anything changed.
   */
  @SuppressWarnings("unchecked")
  static boolean applyUpdate(Map<String, Object> vm, Map<String, Object> payload) {
    boolean hasAdd = payload.containsKey("add_nics");
    boolean hasRemove = payload.containsKey("remove_nics");
    boolean hasUpdate = payload.containsKey("update_nics");
    if (!hasAdd && !hasRemove && !hasUpdate) {
      return false;
    }
    // Validate and normalise everything first, so an invalid element changes nothing.
    List<Map<String, Object>> adds = new ArrayList<>();
    for (Object o : asList(payload.get("add_nics"), "add_nics")) {
      Map<String, Object> nic = normalise(o);
      dropFalseFlags(nic);
      adds.add(nic);
    }
    Object current = vm.get("nics");
    List<Object> nics = current instanceof List ? new ArrayList<>((List<Object>) current) : new ArrayList<>();
    List<Map<String, Object>> updates = new ArrayList<>();
    for (Object o : asList(payload.get("update_nics"), "update_nics")) {
      Map<String, Object> nic = normalise(withExistingNetmask(o, nics));
      if (!(nic.get("mac") instanceof String)) {
        throw VmException.invalid("update_nics: every NIC needs a \"mac\"");
      }
      updates.add(nic);
    }
    List<String> removeMacs = new ArrayList<>();
    for (Object o : asList(payload.get("remove_nics"), "remove_nics")) {
      if (!(o instanceof String)) {
        throw VmException.invalid("remove_nics: expected MAC address strings, got " + o);
      }
      removeMacs.add((String) o);
    }
    int newPrimaries = 0;
    for (Map<String, Object> n : adds) {
      newPrimaries += JsValues.truthy(n.get("primary")) ? 1 : 0;
    }
    for (Map<String, Object> n : updates) {
      newPrimaries += JsValues.truthy(n.get("primary")) ? 1 : 0;
    }
    if (newPrimaries > 1) {
      throw VmException.invalid("cannot set more than one primary NIC, got " + newPrimaries);
    }

    boolean modified = false;
    boolean removedPrimary = false;
    for (int i = nics.size() - 1; i >= 0; i--) {
      Object n = nics.get(i);
      if (n instanceof Map && removeMacs.contains(((Map<String, Object>) n).get("mac"))) {
        removedPrimary |= JsValues.truthy(((Map<String, Object>) n).get("primary"));
        nics.remove(i);
        modified = true; // D4: a removal is always persisted
      }
    }
    if (newPrimaries > 0) {
      for (Object n : nics) {
        if (n instanceof Map && ((Map<String, Object>) n).remove("primary") != null) {
          modified = true;
        }
      }
    } else if (removedPrimary) {
      Map<String, Object> chosen = choosePrimary(nics);
      if (chosen != null) {
        chosen.put("primary", true);
        modified = true;
      }
    }
    if (!adds.isEmpty()) {
      nics.addAll(adds);
      modified = true;
    }
    for (Map<String, Object> upd : updates) {
      for (Object n : nics) {
        if (n instanceof Map && upd.get("mac").equals(((Map<String, Object>) n).get("mac"))) {
          Map<String, Object> nic = (Map<String, Object>) n;
          for (Map.Entry<String, Object> e : upd.entrySet()) {
            if (FLAGS.contains(e.getKey()) && Boolean.FALSE.equals(e.getValue())) {
              nic.remove(e.getKey());
            } else {
              nic.put(e.getKey(), e.getValue());
            }
          }
          modified = true;
        }
      }
    }
    if (modified) {
      vm.put("nics", nics);
    }
    return modified;
  }

  /**
   * An update that changes a NIC's {@code ip} without repeating its {@code netmask} uses the
   * netmask the NIC already has (the reference crashes instead).
   */
  @SuppressWarnings("unchecked")
  private static Object withExistingNetmask(Object o, List<Object> nics) {
    if (!(o instanceof Map)) {
      return o;
    }
    Map<String, Object> upd = (Map<String, Object>) o;
    if (!upd.containsKey("ip") || upd.containsKey("ips") || upd.containsKey("netmask")) {
      return o;
    }
    for (Object n : nics) {
      if (n instanceof Map && upd.get("mac") != null && upd.get("mac").equals(((Map<String, Object>) n).get("mac"))) {
        Object netmask = ((Map<String, Object>) n).get("netmask");
        if (netmask != null) {
          Map<String, Object> copy = new LinkedHashMap<>(upd);
          copy.put("netmask", netmask);
          return copy;
        }
      }
    }
    return o;
  }

  /** D5 (real vmadm): the first NIC with a private IPv4, else the first NIC with any IP. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> choosePrimary(List<Object> nics) {
    Map<String, Object> anyIp = null;
    for (Object o : nics) {
      if (!(o instanceof Map)) {
        continue;
      }
      Map<String, Object> nic = (Map<String, Object>) o;
      Object ip = nic.get("ip");
      if (ip instanceof String && !((String) ip).isEmpty()) {
        if (isPrivate((String) ip)) {
          return nic;
        }
        if (anyIp == null) {
          anyIp = nic;
        }
      }
    }
    return anyIp;
  }

  static boolean isPrivate(String ip) {
    if (!IPV4.matcher(ip).matches()) {
      return false;
    }
    String[] p = ip.split("\\.");
    int a = Integer.parseInt(p[0]);
    int b = Integer.parseInt(p[1]);
    return a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168);
  }

  /**
   * Whitelist (keys kept in input order), then the ip/ips and gateway/gateways rules of §1.5.
   * A NIC with {@code ip} but no usable {@code netmask} is rejected (the reference crashes).
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> normalise(Object o) {
    if (!(o instanceof Map)) {
      throw VmException.invalid("a NIC must be an object, got " + o);
    }
    Map<String, Object> in = (Map<String, Object>) o;
    Map<String, Object> nic = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : in.entrySet()) {
      if (WHITELIST.contains(e.getKey())) {
        nic.put(e.getKey(), e.getValue());
      }
    }
    Object mac = nic.get("mac");
    if (mac != null && !(mac instanceof String && MAC.matcher((String) mac).matches())) {
      throw VmException.invalid("invalid NIC mac: " + mac);
    }
    Object ip = nic.get("ip");
    if (ip != null && !(ip instanceof String)) {
      throw VmException.invalid("invalid NIC ip: " + ip);
    }
    if ("dhcp".equals(ip) && !nic.containsKey("ips")) {
      nic.put("ips", new ArrayList<>(List.of("dhcp")));
    } else if (ip != null && !nic.containsKey("ips")) {
      if (!IPV4.matcher((String) ip).matches()) {
        throw VmException.invalid("invalid NIC ip: " + ip);
      }
      Object netmask = nic.get("netmask");
      if (!(netmask instanceof String)) {
        throw VmException.invalid("NIC with ip " + ip + " needs a netmask");
      }
      nic.put("ips", new ArrayList<>(List.of(ip + "/" + prefixLength((String) netmask))));
    }
    Object ips = nic.get("ips");
    if (ips instanceof List && !((List<?>) ips).isEmpty() && !nic.containsKey("ip")) {
      nic.put("ip", String.valueOf(((List<?>) ips).get(0)).split("/", 2)[0]);
    }
    if (nic.containsKey("gateway") && !nic.containsKey("gateways")) {
      nic.put("gateways", new ArrayList<>(List.of(nic.get("gateway"))));
    }
    Object gws = nic.get("gateways");
    if (gws instanceof List && !((List<?>) gws).isEmpty() && !nic.containsKey("gateway")) {
      nic.put("gateway", ((List<?>) gws).get(0));
    }
    return nic;
  }

  static void dropFalseFlags(Map<String, Object> nic) {
    nic.entrySet().removeIf(e -> FLAGS.contains(e.getKey()) && Boolean.FALSE.equals(e.getValue()));
  }

  /** Leading one-bits of a dotted netmask; a non-contiguous or malformed mask is rejected. */
  static int prefixLength(String netmask) {
    if (!IPV4.matcher(netmask).matches()) {
      throw VmException.invalid("invalid NIC netmask: " + netmask);
    }
    long bits = 0;
    for (String part : netmask.split("\\.")) {
      bits = (bits << 8) | Integer.parseInt(part);
    }
    int prefix = Long.numberOfLeadingZeros(~bits & 0xFFFFFFFFL) - 32;
    long expected = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    if (bits != expected) {
      throw VmException.invalid("invalid NIC netmask: " + netmask);
    }
    return prefix;
  }

  private static void checkOnePrimary(List<Object> nics, String what) {
    int primaries = 0;
    for (Object n : nics) {
      primaries += JsValues.truthy(((Map<?, ?>) n).get("primary")) ? 1 : 0;
    }
    if (primaries > 1) {
      throw VmException.invalid(what + ": more than one primary NIC");
    }
  }

  /** Missing → empty; an empty object (cn-agent's reference default) → empty; else must be a list. */
  static List<?> asList(Object v, String what) {
    if (v == null) {
      return List.of();
    }
    if (v instanceof List) {
      return (List<?>) v;
    }
    if (v instanceof Map && ((Map<?, ?>) v).isEmpty()) {
      return List.of();
    }
    throw VmException.invalid(what + " must be an array, got " + v);
  }
}
