package com.joyent.mockcloud.sandbox;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How VMAPI's moray compares a stored VM's field with a value from a query: numbers by value
 * ({@code "128"} equals 128), booleans by name, strings exactly with {@code *} as the LDAP
 * wildcard; {@code ram} is {@code max_physical_memory}, {@code create_timestamp} is epoch ms,
 * a kvm/bhyve VM's {@code image_uuid} is its first disk's; tags match by type as VMAPI's
 * {@code -key=value-} tag string does.
 */
final class VmapiFieldValues {
  private static final Set<String> HVM = Set.of("kvm", "bhyve");
  private static final Pattern LEADING_NUMBER = Pattern.compile("^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private VmapiFieldValues() {}

  /** The value moray would compare for {@code field} of a stored VM, or null. */
  static Object value(Map<String, Object> vm, String field) {
    switch (field) {
      case "ram":
        return vm.get("max_physical_memory");
      case "create_timestamp":
        return millis(vm.get("create_timestamp"));
      case "image_uuid":
        if (HVM.contains(vm.get("brand")) && vm.get("disks") instanceof List<?> disks && !disks.isEmpty()
            && disks.get(0) instanceof Map<?, ?> d) {
          return d.get("image_uuid");
        }
        return vm.get("image_uuid");
      default:
        return vm.get(field);
    }
  }

  static Long millis(Object v) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    if (v instanceof String s) {
      try {
        return Instant.parse(s).toEpochMilli();
      } catch (RuntimeException e) {
        return null;
      }
    }
    return null;
  }

  /** A constant as JavaScript's string concatenation writes it: 128, 1.5, true, text. */
  static String jsString(Object c) {
    if (c instanceof Double || c instanceof Float || c instanceof BigDecimal) {
      double d = ((Number) c).doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 1e21) {
        return Long.toString((long) d);
      }
      return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
    return String.valueOf(c);
  }

  /** Equality as moray's {@code (field=value)}: null never matches. */
  static boolean equalsValue(Object stored, String wanted) {
    if (stored == null) {
      return false;
    }
    if (stored instanceof Number n) {
      Double w = parseNumber(wanted);
      return w != null && n.doubleValue() == w;
    }
    if (stored instanceof Boolean b) {
      return wanted.equalsIgnoreCase(b.toString());
    }
    if (stored instanceof String s) {
      return glob(wanted, s);
    }
    return false;
  }

  /** Ordering as moray's {@code <=} / {@code >=}: numbers by value, strings as text; null when not comparable. */
  static Integer compare(Object stored, String wanted) {
    if (stored == null) {
      return null;
    }
    if (stored instanceof Number n) {
      Double w = parseNumber(wanted);
      return w == null ? null : Double.compare(n.doubleValue(), w);
    }
    if (stored instanceof Boolean b) {
      if (!wanted.equalsIgnoreCase("true") && !wanted.equalsIgnoreCase("false")) {
        return null;
      }
      return Boolean.compare(b, Boolean.parseBoolean(wanted.toLowerCase()));
    }
    if (stored instanceof String s) {
      return Integer.signum(s.compareTo(wanted));
    }
    return null;
  }

  /** JavaScript's {@code parseFloat} on the leading number, or null for NaN. */
  static Double parseNumber(String s) {
    java.util.regex.Matcher m = LEADING_NUMBER.matcher(s);
    return m.find() ? Double.valueOf(m.group().trim()) : null;
  }

  /**
   * {@code tag.KEY=VALUE}: "true"/"false" match that boolean or that string; a number matches a
   * number written the same way or that string; anything else the string exactly; {@code *}
   * is a wildcard.
   */
  static boolean tagMatches(Map<String, Object> vm, String key, String wanted) {
    if (!(vm.get("tags") instanceof Map<?, ?> tags) || !tags.containsKey(key)) {
      return false;
    }
    Object v = tags.get(key);
    if (wanted.contains("*")) {
      return v != null && glob(wanted, jsString(v));
    }
    if (v instanceof Boolean b) {
      return wanted.equals(b.toString());
    }
    if (v instanceof Number n) {
      return isJsNumber(wanted) && jsString(n).equals(wanted);
    }
    return wanted.equals(v);
  }

  /** {@code internal_metadata.KEY=VALUE}: the value written as a string equals VALUE ({@code *} a wildcard). */
  static boolean internalMetadataMatches(Map<String, Object> vm, String key, String wanted) {
    if (!(vm.get("internal_metadata") instanceof Map<?, ?> im) || im.get(key) == null) {
      return false;
    }
    return glob(wanted, jsString(im.get(key)));
  }

  private static boolean isJsNumber(String s) {
    try {
      Double.parseDouble(s.trim());
      return !s.isBlank();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** LDAP equality with {@code *} as "any run of characters". */
  static boolean glob(String pattern, String s) {
    if (pattern.indexOf('*') < 0) {
      return pattern.equals(s);
    }
    StringBuilder re = new StringBuilder();
    for (String part : pattern.split("\\*", -1)) {
      if (re.length() > 0 || pattern.startsWith("*")) {
        re.append(".*");
      }
      re.append(Pattern.quote(part));
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL).matcher(s).matches();
  }
}
