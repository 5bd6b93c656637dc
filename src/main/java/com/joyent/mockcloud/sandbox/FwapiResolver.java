package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.fwrule.FwRule;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.util.Uuids;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * FWAPI's {@code POST /resolve} (sdc-fwapi lib/endpoints/resolve.js): given an owner's VMs and
 * tags, the rules that name them (the owner's and global ones, disabled ones too) and what the
 * other side of each rule names — tags, VMs, {@code all vms} — so a firewaller knows which remote
 * VMs to fetch from VMAPI. A side where the default policy already holds (priority 0 and
 * {@code FROM} it allow, or {@code TO} it block) asks for nothing.
 */
final class FwapiResolver {
  private FwapiResolver() {}

  static Map<String, Object> resolve(Map<String, Object> params, List<FwapiRules.Stored> all) {
    Set<String> vms = new TreeSet<>();
    Map<String, Object> tags = null;
    List<Map<String, Object>> errors = new ArrayList<>();
    Object owner = params.get("owner_uuid");
    if (owner == null) {
      errors.add(RestError.fieldError("owner_uuid", "MissingParameter", "Missing parameter"));
    } else if (!(owner instanceof String o) || !Uuids.isUuid(o)) {
      errors.add(RestError.fieldError("owner_uuid", "InvalidParameter", "Invalid UUID"));
    }
    if (params.containsKey("vms")) {
      if (!(params.get("vms") instanceof List<?> list) || !list.stream().allMatch(v -> v instanceof String s
          && Uuids.isUuid(s))) {
        errors.add(RestError.fieldError("vms", "InvalidParameter", "must be an array of UUIDs"));
      } else {
        list.forEach(v -> vms.add((String) v));
      }
    }
    if (params.containsKey("tags")) {
      if (!(params.get("tags") instanceof Map<?, ?> t)) {
        errors.add(RestError.fieldError("tags", "InvalidParameter", "must be an object"));
      } else {
        @SuppressWarnings("unchecked")
        Map<String, Object> cast = (Map<String, Object>) t;
        tags = cast;
      }
    }
    if (!errors.isEmpty()) {
      throw RestError.invalidParameters(errors);
    }
    List<Map<String, Object>> matched = new ArrayList<>();
    Map<String, Object> otherTags = new LinkedHashMap<>();
    Set<String> otherVms = new TreeSet<>();
    boolean allVms = false;
    for (FwapiRules.Stored s : all) {
      if (s.owner() != null && !s.owner().equals(owner)) {
        continue;
      }
      FwRule r = s.parsed();
      boolean hit = false;
      for (boolean from : new boolean[] {true, false}) {
        FwRule.Side side = from ? r.from() : r.to();
        if (names(side, vms, tags)) {
          hit = true;
          if (!isNoOp(r, from)) {
            allVms |= otherSide(from ? r.to() : r.from(), otherTags, otherVms);
          }
        }
      }
      if (hit) {
        matched.add(new LinkedHashMap<>(s.serialized()));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rules", matched);
    out.put("tags", otherTags);
    out.put("vms", new ArrayList<>(otherVms));
    out.put("allVMs", allVms);
    out.put("owner_uuid", owner);
    return out;
  }

  private static boolean names(FwRule.Side side, Set<String> vms, Map<String, Object> tags) {
    if (side.allVms()) {
      return true;
    }
    if (side.vms().stream().anyMatch(vms::contains)) {
      return true;
    }
    return tags != null && side.tags().stream().anyMatch(t -> tagMatches(t, tags));
  }

  /** fwapi's tagMatches: a wanted key matches any value; a key-only rule tag matches any wanted value. */
  private static boolean tagMatches(FwRule.Tag t, Map<String, Object> wanted) {
    if (!wanted.containsKey(t.key())) {
      return false;
    }
    Object w = wanted.get(t.key());
    if (Boolean.TRUE.equals(w) || t.value() == null) {
      return true;
    }
    List<?> values = w instanceof List<?> l ? l : List.of(w);
    return values.stream().anyMatch(v -> t.value().equals(String.valueOf(v)));
  }

  private static boolean isNoOp(FwRule r, boolean from) {
    int priority = r.priority() == null ? 0 : r.priority();
    return priority == 0 && (from ? r.action().equals("ALLOW") : r.action().equals("BLOCK"));
  }

  /** Adds what {@code side} names to the tags and VMs; true when it is {@code all vms}. */
  @SuppressWarnings("unchecked")
  private static boolean otherSide(FwRule.Side side, Map<String, Object> tags, Set<String> vms) {
    for (FwRule.Tag t : side.tags()) {
      if (t.value() == null) {
        tags.put(t.key(), true);
      } else if (!Boolean.TRUE.equals(tags.get(t.key()))) {
        ((List<Object>) tags.computeIfAbsent(t.key(), k -> new ArrayList<>())).add(t.value());
      }
    }
    vms.addAll(side.vms());
    return side.allVms();
  }
}
