package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.util.Ipv4;

import com.joyent.mockcloud.http.RestError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * NAPI's checks of CreateNetwork and UpdateNetwork for plain IPv4 networks (sdc-napi
 * lib/models/network.js with restify-warden): every field's validator, all field errors in one
 * 422 sorted by field, then the checks that need the whole request, one after the other. Pure:
 * the request is not changed; the checked values come back in {@link Checked}.
 */
final class NapiNetworkParams {
  private static final Pattern UUID = Pattern.compile("^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$",
      Pattern.CASE_INSENSITIVE);
  private static final String VLAN_MESSAGE = "VLAN ID must be a number between 0 and 4094, and not 1";
  private static final String UNSUPPORTED = "Network updates for this field are not supported";

  /** The checked values; absent keys were not given. Addresses are longs. */
  record Checked(Map<String, Object> values) {
    Object get(String key) {
      return values.get(key);
    }

    boolean has(String key) {
      return values.containsKey(key);
    }
  }

  private NapiNetworkParams() {}

  /** CreateNetwork's checks; {@code tagMtu} is the MTU of a nic tag, or null when there is none. */
  static Checked create(Map<String, Object> p, java.util.function.Function<String, Integer> tagMtu,
      List<NapiNetwork> others) {
    List<Map<String, Object>> errors = new ArrayList<>();
    Map<String, Object> v = new LinkedHashMap<>();
    for (String required : List.of("name", "nic_tag", "vlan_id")) {
      if (!p.containsKey(required)) { // warden: a JSON null is given, and checked as a value
        errors.add(missing(required));
      }
    }
    string(p, "name", v, errors);
    string(p, "description", v, errors);
    if (p.containsKey("nic_tag")) {
      Object t = p.get("nic_tag");
      List<?> tags = t instanceof String s ? List.of((Object[]) s.split(",", -1)) : t instanceof List<?> l ? l : null;
      if (tags == null) {
        errors.add(invalid("nic_tag", "must be an array"));
      } else if (tags.isEmpty() || (tags.size() == 1 && "".equals(tags.get(0)))) {
        errors.add(invalid("nic_tag", "must not be empty"));
      } else if (tags.size() > 1) {
        errors.add(invalid("nic_tag", "must only specify one nic tag"));
      } else if (!(tags.get(0) instanceof String tag)) {
        errors.add(invalid("nic_tag", "must be a string"));
      } else if (tagMtu.apply(tag) == null) {
        errors.add(invalid("nic_tag", "nic tag does not exist"));
      } else {
        v.put("nic_tag", tag);
      }
    }
    if (p.containsKey("vlan_id")) {
      vlan(p.get("vlan_id"), v, errors);
    }
    if (p.containsKey("family") && !"ipv4".equals(p.get("family"))) {
      errors.add(invalid("family", "must be one of: \"ipv4\""));
    }
    if (Values.isTrueParam(p.get("fabric"))) {
      throw SandboxCnapi.notImplementedError("NAPI fabric networks");
    }
    common(p, v, errors, true);
    if (p.containsKey("uuid")) {
      if (p.get("uuid") instanceof String u && UUID.matcher(u).matches()) {
        v.put("uuid", u.toLowerCase());
      } else {
        errors.add(invalid("uuid", "invalid UUID"));
      }
    }
    fail(errors);

    if (!v.containsKey("subnet") && p.get("family") == null) {
      throw new RestError(500, "InternalError", "Internal error"); // NAPI: "unable to determine subnet"
    }
    for (String f : List.of("subnet_alloc", "subnet_prefix")) {
      if (p.containsKey(f)) {
        errors.add(invalid(f, "Auto allocation parameter not allowed"));
      }
    }
    for (String f : List.of("provision_start_ip", "provision_end_ip", "subnet")) {
      if (!v.containsKey(f)) {
        errors.add(missing(f));
      }
    }
    fail(errors);
    range(v, null, errors);
    fail(errors);
    overlap((Ipv4.Cidr) v.get("subnet"), null, others, errors);
    fail(errors);
    if (v.containsKey("mtu") && tagMtu.apply((String) v.get("nic_tag")) < (Integer) v.get("mtu")) {
      errors.add(invalid("mtu", "network mtu must be under nic_tag mtu"));
    }
    fail(errors);
    return new Checked(v);
  }

  /** UpdateNetwork's checks against the network {@code n} as it is. */
  static Checked update(Map<String, Object> p, NapiNetwork n, Integer tagMtu, List<NapiNetwork> others) {
    List<Map<String, Object>> errors = new ArrayList<>();
    Map<String, Object> v = new LinkedHashMap<>();
    string(p, "name", v, errors);
    string(p, "description", v, errors);
    common(p, v, errors, false);
    if (p.containsKey("gateway") && (p.get("gateway") == null || "".equals(p.get("gateway")))) {
      errors.add(invalid("gateway", "invalid IP address")); // a gateway cannot be removed
    }
    fail(errors);
    for (String f : List.of("fabric", "family", "gateway_provisioned", "internet_nat", "nic_tag", "vlan_id",
        "vnet_id", "subnet")) {
      if (!p.containsKey(f)) {
        continue;
      }
      Object given = p.get(f);
      boolean same = switch (f) {
        case "fabric" -> Boolean.FALSE.equals(given) || "false".equals(given);
        case "family" -> "ipv4".equals(given);
        case "nic_tag" -> n.nicTag.equals(given);
        case "vlan_id" -> String.valueOf(n.vlanId).equals(String.valueOf(given));
        case "subnet" -> n.subnet.toString().equals(given);
        default -> false;
      };
      if (!same) {
        errors.add(invalid(f, UNSUPPORTED));
      }
    }
    fail(errors);
    if (v.containsKey("provision_start_ip") || v.containsKey("provision_end_ip") || v.containsKey("gateway")) {
      range(v, n, errors);
      fail(errors);
    }
    if (v.containsKey("mtu") && tagMtu != null && tagMtu < (Integer) v.get("mtu")) {
      errors.add(invalid("mtu", "network mtu must be under nic_tag mtu"));
    }
    fail(errors);
    return new Checked(v);
  }

  /** The fields create and update share: subnet, range, gateway, mtu, owners, routes, resolvers. */
  private static void common(Map<String, Object> p, Map<String, Object> v, List<Map<String, Object>> errors,
      boolean create) {
    if (create && p.containsKey("subnet")) {
      subnet(p.get("subnet"), v, errors);
    }
    for (String f : List.of("provision_start_ip", "provision_end_ip")) {
      if (p.containsKey(f)) {
        Long ip = ip(p.get(f));
        if (ip == null) {
          errors.add(invalid(f, "invalid IP address"));
        } else {
          v.put(f, ip);
        }
      }
    }
    Object gw = p.get("gateway");
    if (gw != null && !"".equals(gw)) {
      Long ip = ip(gw);
      if (ip == null) {
        errors.add(invalid("gateway", "invalid IP address"));
      } else {
        v.put("gateway", ip);
      }
    }
    if (p.containsKey("mtu")) {
      if (p.get("mtu") instanceof Number m && m.doubleValue() == Math.rint(m.doubleValue())
          && m.intValue() >= 576 && m.intValue() <= 9000) {
        v.put("mtu", m.intValue());
      } else {
        errors.add(invalid("mtu", "mtu must be a number between 576 and 9000"));
      }
    }
    if (p.containsKey("owner_uuids")) {
      owners(p.get("owner_uuids"), v, errors);
    }
    if (p.containsKey("routes")) {
      routes(p.get("routes"), v, errors);
    }
    if (p.containsKey("resolvers")) {
      resolvers(p.get("resolvers"), v, errors);
    }
  }

  private static void string(Map<String, Object> p, String f, Map<String, Object> v, List<Map<String, Object>> errors) {
    if (!p.containsKey(f)) {
      return;
    }
    Object s = p.get(f);
    if (!(s instanceof String str)) {
      errors.add(invalid(f, "must be a string"));
    } else if (str.length() > 64) {
      errors.add(invalid(f, "must not be longer than 64 characters"));
    } else if (str.isBlank()) {
      errors.add(invalid(f, "must not be empty"));
    } else {
      v.put(f, str);
    }
  }

  private static void vlan(Object raw, Map<String, Object> v, List<Map<String, Object>> errors) {
    Double d = raw == null ? Double.valueOf(0) : raw instanceof Number n ? Double.valueOf(n.doubleValue())
        : raw instanceof Boolean b ? Double.valueOf(b ? 1 : 0)
        : raw instanceof String s ? parseNumber(s) : raw instanceof List<?> l && l.isEmpty() ? Double.valueOf(0) : null;
    if (d == null || d != Math.rint(d) || d < 0 || d > 4094) {
      errors.add(invalid("vlan_id", VLAN_MESSAGE));
    } else {
      v.put("vlan_id", d.intValue());
    }
  }

  private static Double parseNumber(String s) {
    String t = s.strip();
    if (t.isEmpty()) {
      return 0.0;
    }
    try {
      return Double.valueOf(t);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void subnet(Object raw, Map<String, Object> v, List<Map<String, Object>> errors) {
    if (!(raw instanceof String s)) {
      errors.add(invalid("subnet", "must be a string"));
      return;
    }
    String[] parts = s.split("/", -1);
    if (parts.length != 2) {
      errors.add(invalid("subnet", "Subnet must be in CIDR form"));
      return;
    }
    Long base = Ipv4.parse(parts[0]);
    if (base == null) {
      errors.add(invalid("subnet", "Subnet IP invalid"));
      return;
    }
    int bits;
    try {
      bits = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      bits = -1;
    }
    if (bits < 8 || bits > 32) {
      errors.add(invalid("subnet", "Subnet bits invalid"));
      return;
    }
    long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
    if ((base & ~mask & 0xffffffffL) != 0) {
      errors.add(invalid("subnet", "invalid CIDR format"));
      return;
    }
    v.put("subnet", Ipv4.Cidr.parse(s));
  }

  /** warden's UUID check (any case). */
  static boolean isUuid(String s) {
    return UUID.matcher(s).matches();
  }

  /** An IPv4 address as NAPI takes one: a dotted quad, or a 32-bit number written in digits. */
  static Long ip(Object raw) {
    if (!(raw instanceof String s)) {
      return null;
    }
    if (s.matches("^\\d{1,10}$")) {
      long l = Long.parseLong(s);
      return l <= 0xffffffffL ? l : null;
    }
    return Ipv4.parse(s);
  }

  private static void owners(Object raw, Map<String, Object> v, List<Map<String, Object>> errors) {
    List<?> items = raw instanceof String s ? (s.isEmpty() ? List.of() : List.of((Object[]) s.split(",")))
        : raw instanceof List<?> l ? l : null;
    if (items == null) {
      errors.add(invalid("owner_uuids", "must be an array of strings"));
      return;
    }
    TreeSet<String> good = new TreeSet<>();
    TreeSet<String> bad = new TreeSet<>();
    for (Object o : items) {
      if (o instanceof String u && UUID.matcher(u).matches()) {
        good.add(u.toLowerCase());
      } else {
        bad.add(String.valueOf(o));
      }
    }
    if (!bad.isEmpty()) {
      Map<String, Object> e = invalid("owner_uuids", "invalid UUID");
      e.put("invalid", new ArrayList<>(bad));
      errors.add(e);
    } else {
      v.put("owner_uuids", new ArrayList<>(good));
    }
  }

  private static void routes(Object raw, Map<String, Object> v, List<Map<String, Object>> errors) {
    if (raw == null) {
      v.put("routes", new LinkedHashMap<>());
      return;
    }
    if (!(raw instanceof Map<?, ?> m)) {
      errors.add(invalid("routes", "must be an object"));
      return;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    List<Object> bad = new ArrayList<>();
    int badPairs = 0;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String dst = String.valueOf(e.getKey());
      boolean dstOk = ip(dst) != null || validCidr(dst);
      boolean gwOk = ip(e.getValue()) != null;
      if (!dstOk) {
        bad.add(dst);
      }
      if (!gwOk) {
        bad.add(e.getValue());
      }
      if (dstOk && gwOk) {
        out.put(dst, e.getValue());
      } else {
        badPairs++;
      }
    }
    if (badPairs > 0) {
      Map<String, Object> err = invalid("routes", badPairs == 1 ? "invalid route" : "invalid routes");
      err.put("invalid", bad);
      errors.add(err);
    } else {
      v.put("routes", out);
    }
  }

  private static boolean validCidr(String s) {
    String[] parts = s.split("/", -1);
    if (parts.length != 2 || Ipv4.parse(parts[0]) == null) {
      return false;
    }
    try {
      int bits = Integer.parseInt(parts[1]);
      return bits >= 8 && bits <= 32;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static void resolvers(Object raw, Map<String, Object> v, List<Map<String, Object>> errors) {
    List<?> items = raw instanceof String s ? List.of((Object[]) s.split(",")) : raw instanceof List<?> l ? l : null;
    if (items == null) {
      errors.add(invalid("resolvers", "must be an array of strings"));
      return;
    }
    List<String> good = new ArrayList<>();
    List<Object> bad = new ArrayList<>();
    for (Object o : items) {
      String str = o instanceof String s ? s.replaceFirst("\\s+", "") : null;
      if (str != null && str.isEmpty()) {
        continue;
      }
      if (str != null && Ipv4.parse(str) != null) {
        good.add(str);
      } else {
        bad.add(o);
      }
    }
    if (!bad.isEmpty()) {
      Map<String, Object> err = invalid("resolvers", bad.size() == 1 ? "invalid IP" : "invalid IPs");
      err.put("invalid", bad);
      errors.add(err);
    } else {
      v.put("resolvers", good);
    }
  }

  /** validateProvisionRange: start, end and gateway inside the subnet, not broadcast, start before end. */
  private static void range(Map<String, Object> v, NapiNetwork n, List<Map<String, Object>> errors) {
    Ipv4.Cidr subnet = n != null ? n.subnet : (Ipv4.Cidr) v.get("subnet");
    Long start = v.containsKey("provision_start_ip") ? (Long) v.get("provision_start_ip")
        : n != null ? Long.valueOf(n.provisionStart) : null;
    Long end = v.containsKey("provision_end_ip") ? (Long) v.get("provision_end_ip")
        : n != null ? Long.valueOf(n.provisionEnd) : null;
    Long gw = (Long) v.get("gateway");
    if (start != null && !subnet.contains(start)) {
      errors.add(invalid("provision_start_ip", "provision_start_ip cannot be outside subnet"));
      start = null;
    }
    if (end != null && !subnet.contains(end)) {
      errors.add(invalid("provision_end_ip", "provision_end_ip cannot be outside subnet"));
      end = null;
    }
    if (gw != null && !subnet.contains(gw)) {
      errors.add(invalid("gateway", "gateway cannot be outside subnet"));
    }
    if (start != null && start == subnet.last()) {
      errors.add(invalid("provision_start_ip", "provision_start_ip cannot be the broadcast address"));
      start = null;
    }
    if (end != null && end == subnet.last()) {
      errors.add(invalid("provision_end_ip", "provision_end_ip cannot be the broadcast address"));
      end = null;
    }
    if (start != null && end != null && start >= end) {
      errors.add(invalid("provision_end_ip", "provision_start_ip must be before provision_end_ip"));
      errors.add(invalid("provision_start_ip", "provision_start_ip must be before provision_end_ip"));
    }
  }

  /** Public subnets may not overlap another network; private (RFC 1918) ones may, as in NAPI. */
  private static void overlap(Ipv4.Cidr subnet, NapiNetwork self, List<NapiNetwork> others,
      List<Map<String, Object>> errors) {
    if (isPrivate(subnet.base())) {
      return;
    }
    others.stream().filter(o -> o != self && (o.subnet.contains(subnet.base()) || subnet.contains(o.subnet.base())))
        .map(o -> o.uuid).sorted().forEach(id -> {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("type", "network");
          e.put("id", id);
          e.put("code", "UsedBy");
          e.put("message", "subnet overlaps with another network");
          e.put("field", "subnet");
          errors.add(e);
        });
  }

  private static boolean isPrivate(long ip) {
    return (ip >>> 24) == 10 || (ip >>> 20) == ((172L << 4) | 1) || (ip >>> 16) == ((192L << 8) | 168);
  }

  static Map<String, Object> missing(String field) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("field", field);
    e.put("code", "MissingParameter");
    e.put("message", "Missing parameter");
    return e;
  }

  static Map<String, Object> invalid(String field, String message) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("field", field);
    e.put("code", "InvalidParameter");
    e.put("message", message);
    return e;
  }

  /** Throws NAPI's 422 for {@code errors}, sorted by field, when there are any. */
  static void fail(List<Map<String, Object>> errors) {
    if (errors.isEmpty()) {
      return;
    }
    List<Map<String, Object>> sorted = new ArrayList<>(errors);
    sorted.sort(Comparator.comparing(e -> String.valueOf(e.get("field"))));
    boolean allMissing = sorted.stream().allMatch(e -> "MissingParameter".equals(e.get("code")));
    throw new RestError(422, "InvalidParameters", allMissing ? "Missing parameters" : "Invalid parameters",
        Map.of("errors", sorted));
  }
}
