package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * VMAPI's checks of an {@code action=update} (validateUpdateVmParams): each mutable VM field
 * checked as VMAPI checks it, in VMAPI's field order, the valid ones kept (numbers and booleans
 * given as strings converted); metadata and tags turned into {@code set_*}/{@code remove_*}
 * against the VM's current values; {@code new_owner_uuid}; and the subtask (resize,
 * change_owner, rename) the job records. Pure: the request and the VM are not changed.
 */
final class VmapiUpdateParams {
  private enum Kind { STRING, BOOLEAN, NUMBER, RAM, UUID, ARRAY, METADATA, ALIAS, SNAPSHOT_LIMIT }

  /** The fields VMAPI lets an update change (VM_FIELDS with mutable set), in its order. */
  private static final Map<String, Kind> MUTABLE = new LinkedHashMap<>();
  private static final Pattern LEADING_INT = Pattern.compile("^\\s*([+-]?\\d+)");
  private static final Pattern PW_SUFFIX = Pattern.compile("^(.*)_pw$");

  static {
    MUTABLE.put("alias", Kind.ALIAS);
    MUTABLE.put("autoboot", Kind.BOOLEAN);
    MUTABLE.put("billing_id", Kind.UUID);
    MUTABLE.put("cpu_cap", Kind.NUMBER);
    MUTABLE.put("cpu_shares", Kind.NUMBER);
    MUTABLE.put("do_not_inventory", Kind.BOOLEAN);
    MUTABLE.put("firewall_enabled", Kind.BOOLEAN);
    MUTABLE.put("fs_allowed", Kind.STRING);
    MUTABLE.put("indestructible_delegated", Kind.BOOLEAN);
    MUTABLE.put("indestructible_zoneroot", Kind.BOOLEAN);
    MUTABLE.put("limit_priv", Kind.STRING);
    MUTABLE.put("maintain_resolvers", Kind.BOOLEAN);
    MUTABLE.put("max_locked_memory", Kind.NUMBER);
    MUTABLE.put("max_lwps", Kind.NUMBER);
    MUTABLE.put("max_physical_memory", Kind.NUMBER);
    MUTABLE.put("max_swap", Kind.NUMBER);
    MUTABLE.put("package_name", Kind.STRING);
    MUTABLE.put("package_version", Kind.STRING);
    MUTABLE.put("quota", Kind.NUMBER);
    MUTABLE.put("ram", Kind.RAM);
    MUTABLE.put("resolvers", Kind.ARRAY);
    MUTABLE.put("tags", Kind.METADATA);
    MUTABLE.put("tmpfs", Kind.NUMBER);
    MUTABLE.put("zfs_data_compression", Kind.STRING);
    MUTABLE.put("zfs_io_priority", Kind.NUMBER);
    MUTABLE.put("zfs_snapshot_limit", Kind.SNAPSHOT_LIMIT);
    MUTABLE.put("zlog_max_size", Kind.NUMBER);
  }

  /** The payload for the CN (what vmadm update takes) and the job's subtask. */
  /**
   * The payload for the CN, the job's subtask, and the errors VMAPI collects after the field
   * checks (new owner, metadata, resize of a kvm VM): the caller adds its own (alias, capacity)
   * and answers them all in one 409, as VMAPI does.
   */
  record Checked(Map<String, Object> payload, String subtask, List<Map<String, Object>> errors) {}

  private VmapiUpdateParams() {}

  /** Checks {@code request} against {@code vm}; 409 ValidationFailed as VMAPI words it. */
  static Checked check(Map<String, Object> vm, Map<String, Object> request) {
    List<Map<String, Object>> errors = new ArrayList<>();
    Map<String, Object> params = new LinkedHashMap<>();
    for (Map.Entry<String, Kind> f : MUTABLE.entrySet()) {
      String name = f.getKey();
      if (!request.containsKey(name)) {
        continue;
      }
      Object value = request.get(name);
      Object[] converted = {value};
      Map<String, Object> error = fieldError(name, f.getValue(), value, converted);
      if (error != null) {
        errors.add(error);
      } else if (value != null || f.getValue() == Kind.SNAPSHOT_LIMIT) { // a null tags is dropped
        params.put(name, converted[0]);
      }
    }
    if (!errors.isEmpty()) {
      throw failed("Invalid VM update parameters", errors);
    }
    Object newOwner = request.get("new_owner_uuid");
    if (newOwner != null && !"".equals(newOwner) && !Boolean.FALSE.equals(newOwner)) {
      if (newOwner instanceof String s && VmapiListQuery.isUuid(s)) {
        params.put("new_owner_uuid", s);
      } else {
        errors.add(VmapiListQuery.invalid("new_owner_uuid", "Invalid UUID"));
      }
    }
    for (String key : List.of("customer_metadata", "internal_metadata", "tags")) {
      Object given = request.get(key);
      if (given != null && !"".equals(given) && !Boolean.FALSE.equals(given)) {
        Map<String, Object> error = metadataDiff(vm, key, given, params);
        if (error != null) {
          errors.add(error);
        }
      }
    }
    if (request.get("update_disks") != null) {
      if (request.get("update_disks") instanceof List<?> l) {
        params.put("update_disks", l);
      } else {
        errors.add(VmapiListQuery.invalid("update_disks", "Not an array"));
      }
    }
    if (params.isEmpty()) {
      throw failed(errors.isEmpty() ? "No VM parameters provided" : "Invalid VM update parameters", errors);
    }
    String subtask = params.containsKey("billing_id") || params.containsKey("ram")
        || params.containsKey("max_physical_memory") ? "resize"
        : params.containsKey("new_owner_uuid") ? "change_owner"
        : params.get("alias") != null ? "rename" : "";
    if ("resize".equals(subtask) && "kvm".equals(vm.get("brand"))) {
      errors.add(VmapiListQuery.invalid("brand", "Cannot resize a kvm VM"));
    }
    if ("bhyve".equals(vm.get("brand")) && params.get("max_physical_memory") != null) {
      params.put("ram", params.remove("max_physical_memory"));
    }
    return new Checked(params, subtask, errors);
  }

  static RestError failed(String message, List<Map<String, Object>> errors) {
    return new RestError(409, "ValidationFailed", message, Map.of("errors", errors));
  }

  /** The field's error element, or null with its converted value in {@code out[0]}. */
  private static Map<String, Object> fieldError(String name, Kind kind, Object value, Object[] out) {
    if (value == null && (kind == Kind.METADATA || kind == Kind.SNAPSHOT_LIMIT)) {
      return null; // VMAPI checks a JSON null like any value; these two take it (and vmadm ignores it)
    }
    switch (kind) {
      case STRING, ALIAS -> {
        if (!(value instanceof String s)) {
          return VmapiListQuery.invalid(name, "Not a valid string");
        }
        if (kind == Kind.ALIAS && s.length() > 189) {
          return VmapiListQuery.invalid(name, "String is longer than maximum of 189 characters");
        }
        if (kind == Kind.ALIAS && !VmapiListQuery.isAlias(s)) {
          return VmapiListQuery.ALIAS_INVALID;
        }
        return null;
      }
      case BOOLEAN -> {
        if (value instanceof Boolean) {
          return null;
        }
        if ("true".equals(value) || "false".equals(value)) {
          out[0] = "true".equals(value);
          return null;
        }
        return VmapiListQuery.invalid(name, "Invalid parameter");
      }
      case NUMBER, RAM, SNAPSHOT_LIMIT -> {
        Long n = jsParseInt(value);
        long min = kind == Kind.RAM ? 1 : 0;
        if (n == null || n < min) {
          String message = "Not a valid number: number must be >= " + min;
          // VMAPI names the value, not the field, for zfs_snapshot_limit.
          return VmapiListQuery.invalid(kind == Kind.SNAPSHOT_LIMIT ? String.valueOf(value) : name, message);
        }
        out[0] = value instanceof Number num ? num : jsNumber((String) value, n);
        return null;
      }
      case UUID -> {
        return value instanceof String s && VmapiListQuery.isUuid(s) ? null
            : VmapiListQuery.invalid(name, "Invalid UUID");
      }
      case ARRAY -> {
        return value instanceof List<?> ? null : VmapiListQuery.invalid(name, "Not an array");
      }
      case METADATA -> {
        Object parsed = parseJson(value);
        if (parsed == null) {
          return VmapiListQuery.invalid(name, "Invalid parameter");
        }
        Map<String, Object> bad = badMetadata(name, parsed);
        if (bad != null) {
          return bad;
        }
        out[0] = parsed;
        return null;
      }
      default -> throw new IllegalStateException(kind.name());
    }
  }

  /** A string parsed as JSON (VMAPI takes metadata as a JSON string too), else the value; null if unparsable. */
  private static Object parseJson(Object value) {
    if (!(value instanceof String s)) {
      return value;
    }
    try {
      return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** JavaScript's parseInt over a number or string: the leading integer, or null for NaN. */
  private static Long jsParseInt(Object value) {
    if (value instanceof Number n) {
      return Double.isNaN(n.doubleValue()) ? null : (long) n.doubleValue();
    }
    if (value instanceof String s) {
      Matcher m = LEADING_INT.matcher(s);
      if (m.find()) {
        try {
          return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }

  /** Number(s) as VMAPI stores it: the whole string's value, else the integer parseInt found. */
  private static Number jsNumber(String s, long parsedInt) {
    try {
      double d = Double.parseDouble(s.trim());
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Number) (long) d : (Number) d;
    } catch (NumberFormatException e) {
      return parsedInt;
    }
  }

  /** validMetadata: only strings, numbers and booleans; no {@code *_pw} customer_metadata key. */
  private static Map<String, Object> badMetadata(String name, Object metadata) {
    if (!(metadata instanceof Map<?, ?> m)) {
      return metadata instanceof List<?> ? null : VmapiListQuery.invalid(name, "Invalid data type");
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      Object v = e.getValue();
      if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        return VmapiListQuery.invalid(name + "." + e.getKey(), "Forbidden Data Type");
      }
      if ("customer_metadata".equals(name) && PW_SUFFIX.matcher(String.valueOf(e.getKey())).matches()) {
        return VmapiListQuery.invalid(name + "." + e.getKey(), "Forbidden Metadata Key");
      }
    }
    return null;
  }

  /**
   * createMetadataObject: the given object replaces the VM's, as {@code set_<key>} (all given
   * keys) and {@code remove_<key>} (the VM's keys not given, or given a falsy value).
   */
  private static Map<String, Object> metadataDiff(Map<String, Object> vm, String key, Object given,
      Map<String, Object> params) {
    Object metadata = parseJson(given);
    if (metadata == null) {
      return VmapiListQuery.invalid(key, "Malformed JSON");
    } else if (!(metadata instanceof Map<?, ?>) && !(metadata instanceof List<?>)) {
      return VmapiListQuery.invalid(key, "Invalid data type");
    }
    Map<String, Object> bad = badMetadata(key, metadata);
    if (bad != null) {
      return bad;
    }
    Map<String, Object> set = new LinkedHashMap<>();
    if (metadata instanceof Map<?, ?> m) {
      m.forEach((k, v) -> set.put(String.valueOf(k), v));
    }
    if (set.isEmpty()) { // real VMAPI trips over its own error here; this is the error it meant
      throw new RestError(409, "InvalidArgument", "At least one " + key + " key must be provided");
    }
    params.put("set_" + key, set);
    List<String> remove = new ArrayList<>();
    if (vm.get(key) instanceof Map<?, ?> current) {
      for (Object k : current.keySet()) {
        if (!truthy(set.get(String.valueOf(k)))) {
          remove.add(String.valueOf(k));
        }
      }
    }
    if (!remove.isEmpty()) {
      params.put("remove_" + key, remove);
    }
    return null;
  }

  private static boolean truthy(Object v) {
    return v != null && !Boolean.FALSE.equals(v) && !"".equals(v)
        && !(v instanceof Number n && n.doubleValue() == 0);
  }
}
