package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.fwrule.FwRule;
import com.joyent.mockcloud.http.RestError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ListRules' filters, ANDed as FWAPI's UFDS filter does: {@code owner_uuid} (that owner's rules
 * only, not global ones), {@code global}, {@code enabled}, {@code log}, {@code action},
 * {@code protocol}, {@code tag} (a rule naming the tag key), {@code vm}, {@code ip},
 * {@code subnet} and {@code wildcard} ({@code any} or {@code vmall}). Any other parameter is a
 * 422, as FWAPI's strict schema answers.
 */
final class FwapiRuleQuery {
  private static final Set<String> KNOWN = Set.of("owner_uuid", "global", "enabled", "log", "action", "protocol",
      "tag", "vm", "ip", "subnet", "wildcard", "offset", "limit");

  private FwapiRuleQuery() {}

  static List<Map<String, Object>> filter(Map<String, String> query, List<FwapiRules.Stored> rules) {
    List<Map<String, Object>> errors = new ArrayList<>();
    for (String k : query.keySet()) {
      if (!KNOWN.contains(k)) {
        errors.add(RestError.fieldError(k, "UnknownParameter", "unknown parameter"));
      }
    }
    if (!errors.isEmpty()) {
      throw RestError.invalidParameters(errors);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (FwapiRules.Stored s : rules) {
      if (matches(query, s)) {
        out.add(new LinkedHashMap<>(s.serialized()));
      }
    }
    return out;
  }

  private static boolean matches(Map<String, String> q, FwapiRules.Stored s) {
    Map<String, Object> ser = s.serialized();
    FwRule r = s.parsed();
    return is(q.get("owner_uuid"), ser.get("owner_uuid"))
        && bool(q.get("global"), Boolean.TRUE.equals(ser.get("global")))
        && bool(q.get("enabled"), Boolean.TRUE.equals(ser.get("enabled")))
        && bool(q.get("log"), Boolean.TRUE.equals(ser.get("log")))
        && (q.get("action") == null || q.get("action").equalsIgnoreCase(r.action()))
        && (q.get("protocol") == null || q.get("protocol").equalsIgnoreCase(r.protocol()))
        && (q.get("tag") == null || names(r, side -> side.tags().stream().anyMatch(t -> t.key().equals(q.get("tag")))))
        && (q.get("vm") == null || names(r, side -> side.vms().contains(q.get("vm"))))
        && (q.get("ip") == null || names(r, side -> side.ips().contains(q.get("ip"))))
        && (q.get("subnet") == null || names(r, side -> side.subnets().contains(q.get("subnet"))))
        && (q.get("wildcard") == null || names(r, side -> "any".equals(q.get("wildcard")) ? side.any()
            : "vmall".equals(q.get("wildcard")) && side.allVms()));
  }

  private static boolean names(FwRule r, java.util.function.Predicate<FwRule.Side> p) {
    return p.test(r.from()) || p.test(r.to());
  }

  private static boolean is(String wanted, Object actual) {
    return wanted == null || wanted.equals(actual);
  }

  private static boolean bool(String wanted, boolean actual) {
    return wanted == null || Boolean.parseBoolean(wanted) == actual;
  }
}
