package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * NAPI's parameter checks: each adds a {@code {field, code, message}} element to the
 * request's error list instead of throwing, so one 422 reports every bad field (§4.5). Pure.
 */
final class NapiParams {
  private NapiParams() {}

  static String requiredUuid(Map<String, Object> p, String f, List<Map<String, Object>> errors) {
    if (p.get(f) == null) {
      errors.add(RestError.fieldError(f, "MissingParameter", "Missing parameter"));
      return null;
    }
    return optionalUuid(p, f, errors);
  }

  static String optionalUuid(Map<String, Object> p, String f, List<Map<String, Object>> errors) {
    Object v = p.get(f);
    if (v == null) {
      return null;
    }
    if (!Values.isUuidAnyCase(v)) {
      errors.add(RestError.fieldError(f, "InvalidParameter", "invalid UUID"));
      return null;
    }
    return ((String) v).toLowerCase(Locale.ROOT);
  }

  static String requiredEnum(Map<String, Object> p, String f, Set<String> allowed,
      List<Map<String, Object>> errors) {
    if (p.get(f) == null) {
      errors.add(RestError.fieldError(f, "MissingParameter", "Missing parameter"));
      return null;
    }
    return optionalEnum(p, f, allowed, errors);
  }

  static String optionalEnum(Map<String, Object> p, String f, Set<String> allowed,
      List<Map<String, Object>> errors) {
    Object v = p.get(f);
    if (!(v instanceof String s) || !allowed.contains(s)) {
      errors.add(RestError.fieldError(f, "InvalidParameter", "must be one of: "
          + String.join(", ", allowed.stream().sorted().map(x -> "\"" + x + "\"").toList())));
      return null;
    }
    return s;
  }
}
