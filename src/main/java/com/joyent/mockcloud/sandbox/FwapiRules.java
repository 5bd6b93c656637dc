package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.fwrule.FwRule;
import com.joyent.mockcloud.fwrule.FwRuleParser;
import com.joyent.mockcloud.fwrule.FwRules;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.util.Uuids;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * FWAPI's rules, in memory (its moray bucket {@code fwapi_rules}): created, updated and deleted
 * with sdc-fwrule's validation and FWAPI's {@code enforceGlobal} rule (an owner or
 * {@code global}, not both), stored as fwrule serializes them. Thread-safe: one lock over the map.
 */
final class FwapiRules {
  /** A stored rule: as FWAPI answers it, and parsed for matching. */
  record Stored(Map<String, Object> serialized, FwRule parsed) {
    String owner() {
      return (String) serialized.get("owner_uuid");
    }
  }

  private final Map<String, Stored> rules = new TreeMap<>();

  /** CreateRule: a new rule, or a 422 with fwrule's messages; an existing uuid is a 422 too. */
  synchronized Map<String, Object> create(Map<String, Object> params) {
    if (params.get("rule") == null) {
      throw RestError.missingParameter("\"rule\" parameter required");
    }
    Stored s = validate(params, true);
    String uuid = (String) s.serialized().get("uuid");
    if (rules.containsKey(uuid)) {
      throw new RestError(422, "RuleExists", "rule already exists");
    }
    rules.put(uuid, s);
    return copy(s);
  }

  /** UpdateRule: the stored rule with {@code params} over it, under a new version; the uuid stays. */
  synchronized Map<String, Object> update(String uuid, Map<String, Object> params) {
    Stored old = require(uuid);
    Map<String, Object> merged = new LinkedHashMap<>(old.serialized());
    merged.putAll(params);
    merged.put("uuid", uuid);
    merged.remove("version");
    if (Boolean.TRUE.equals(merged.get("global")) && params.containsKey("owner_uuid")) {
      merged.remove("global");
    } else if (merged.containsKey("owner_uuid") && params.containsKey("global")) {
      merged.remove("owner_uuid");
    }
    Stored s = validate(merged, true);
    rules.put(uuid, s);
    return copy(s);
  }

  /** DeleteRule: the rule as it was. */
  synchronized Map<String, Object> delete(String uuid) {
    Stored old = require(uuid);
    rules.remove(uuid);
    return copy(old);
  }

  synchronized Map<String, Object> get(String uuid) {
    return copy(require(uuid));
  }

  /** The stored rule, or 404 (422 for a uuid that is not one), as FWAPI's persist layer answers. */
  synchronized Stored require(String uuid) {
    if (!Uuids.isUuid(uuid)) {
      throw RestError.invalidParameters(List.of(RestError.fieldError("uuid", "InvalidParameter", "Invalid UUID")));
    }
    Stored s = rules.get(uuid);
    if (s == null) {
      throw RestError.resourceNotFound("Rule not found");
    }
    return s;
  }

  synchronized List<Stored> all() {
    return new ArrayList<>(rules.values());
  }

  synchronized int size() {
    return rules.size();
  }

  private static Map<String, Object> copy(Stored s) {
    return new LinkedHashMap<>(s.serialized());
  }

  /**
   * fwrule's constructor checks, all of them, as one 422 listing each: the rule text, uuid,
   * owner_uuid, enabled, log, description and created_by, then FWAPI's owner-or-global rule.
   */
  static Stored validate(Map<String, Object> data, boolean enforceGlobal) {
    List<Map<String, Object>> errors = new ArrayList<>();
    FwRule parsed = null;
    Object text = data.get("rule");
    if (text == null || "".equals(text)) {
      errors.add(invalid("rule", "No rule specified"));
    } else if (!(text instanceof String s)) {
      errors.add(invalid("rule", "rule must be a string"));
    } else {
      try {
        parsed = FwRuleParser.parse(s);
      } catch (FwRuleParser.RuleException e) {
        errors.add(invalid("rule", e.getMessage()));
      }
    }
    String uuid = UUID.randomUUID().toString();
    if (data.containsKey("uuid")) {
      if (!(data.get("uuid") instanceof String u) || !Uuids.isUuid(u)) {
        errors.add(invalid("uuid", "Invalid rule UUID"));
      } else {
        uuid = u;
      }
    }
    boolean hasOwner = data.containsKey("owner_uuid");
    if (hasOwner && !(data.get("owner_uuid") instanceof String o && Uuids.isUuid(o))) {
      errors.add(invalid("owner_uuid", "Invalid owner UUID"));
    }
    checkBoolean(data, "enabled", errors);
    checkBoolean(data, "log", errors);
    for (String field : List.of("created_by", "description")) {
      if (data.containsKey(field) && !(data.get(field) instanceof String)) {
        errors.add(invalid(field, field + " must be a string"));
      } else if ("description".equals(field) && data.get(field) instanceof String d && d.length() > 255) {
        errors.add(invalid(field, "description must be shorter than 256 characters"));
      }
    }
    if (enforceGlobal) {
      if (data.containsKey("global") && !(data.get("global") instanceof Boolean)) {
        errors.add(invalid("global", "global must be true or false"));
      }
      if (data.containsKey("global") && hasOwner && Boolean.TRUE.equals(data.get("global"))) {
        errors.add(invalid("global", "cannot specify both global and owner_uuid"));
      }
      if (!data.containsKey("global") && !hasOwner) {
        errors.add(invalid("owner_uuid", "owner_uuid required"));
      }
    }
    if (!errors.isEmpty()) {
      throw RestError.invalidParameters(errors);
    }
    Map<String, Object> ser = FwRules.serialize(parsed, uuid, hasOwner ? (String) data.get("owner_uuid") : null,
        Boolean.TRUE.equals(data.get("enabled")), Boolean.TRUE.equals(data.get("log")),
        (String) data.get("description"), (String) data.get("created_by"), FwRules.newVersion());
    return new Stored(ser, parsed);
  }

  private static void checkBoolean(Map<String, Object> data, String field, List<Map<String, Object>> errors) {
    if (data.containsKey(field) && !(data.get(field) instanceof Boolean)) {
      errors.add(invalid(field, field + " must be true or false"));
    }
  }

  private static Map<String, Object> invalid(String field, String message) {
    return RestError.fieldError(field, "InvalidParameter", message);
  }
}
