package com.joyent.mockcloud.fwrule;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A rule as sdc-fwrule serializes it — what FWAPI answers and what fwadm writes to
 * {@code /var/fw/rules/<uuid>.json}: {@code created_by?, description?, enabled, global (only when
 * true), log, owner_uuid?, rule, uuid, version}, in that order.
 */
public final class FwRules {
  private FwRules() {}

  public static Map<String, Object> serialize(FwRule rule, String uuid, String owner, boolean enabled, boolean log,
      String description, String createdBy, String version) {
    Map<String, Object> s = new LinkedHashMap<>();
    if (createdBy != null) {
      s.put("created_by", createdBy);
    }
    if (description != null) {
      s.put("description", description);
    }
    s.put("enabled", enabled);
    if (owner == null) {
      s.put("global", true);
    }
    s.put("log", log);
    if (owner != null) {
      s.put("owner_uuid", owner);
    }
    s.put("rule", rule.text());
    s.put("uuid", uuid);
    s.put("version", version);
    return s;
  }

  /** fwrule's version stamp: {@code <epoch ms>.<pid as six digits>}. */
  public static String newVersion() {
    return System.currentTimeMillis() + "." + String.format("%06d", ProcessHandle.current().pid() % 1_000_000);
  }

  /**
   * Whether {@code rule} (owned by {@code owner}, null for a global one) applies to a VM of
   * {@code vmOwner} with {@code uuid} and {@code tags}: fwadm scopes an owned rule to its owner's VMs.
   */
  public static boolean appliesTo(FwRule rule, String owner, String vmOwner, String uuid, Map<String, Object> tags) {
    return (owner == null || owner.equals(vmOwner)) && rule.affects(uuid, tags);
  }
}
