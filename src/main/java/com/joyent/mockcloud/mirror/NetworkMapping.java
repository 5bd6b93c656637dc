package com.joyent.mockcloud.mirror;

import com.joyent.mockcloud.util.Ipv4;
import java.util.Map;

/**
 * Where one exported network lands in the target and what becomes of its addresses: kept (the
 * target network has the same subnet), moved by their offset in the subnet (a same-named
 * target network on another subnet, where the offset falls inside its provision range), or
 * handed out afresh by the target NAPI (the admin network, whose addresses mean nothing in
 * another datacenter, and offsets that do not fit).
 */
record NetworkMapping(String sourceUuid, Map<String, Object> target, Kind kind) {
  enum Kind {
    /** Created in the target from the archive, addresses kept. */
    CREATE,
    /** The target already has it (by uuid, same subnet): addresses kept. */
    SAME,
    /** Mapped to a target network of the same name on another subnet: offsets kept where they fit. */
    MOVED,
    /** The target's admin network: every address from its NAPI. */
    ADMIN
  }

  String targetUuid() {
    return (String) target.get("uuid");
  }

  boolean keepsAddresses() {
    return kind == Kind.CREATE || kind == Kind.SAME;
  }

  /**
   * The target address for {@code ip} when it can be worked out without NAPI: kept, or moved
   * by offset into the target's provision range; null when NAPI must hand one out.
   */
  String translate(String ip, String sourceSubnet) {
    if (ip == null || kind == Kind.ADMIN) {
      return null;
    }
    if (keepsAddresses()) {
      return ip;
    }
    Long v = Ipv4.parse(ip);
    if (v == null || sourceSubnet == null) {
      return null;
    }
    try {
      Ipv4.Cidr from = Ipv4.Cidr.parse(sourceSubnet);
      Ipv4.Cidr to = Ipv4.Cidr.parse((String) target.get("subnet"));
      Long start = Ipv4.parse((String) target.get("provision_start_ip"));
      Long end = Ipv4.parse((String) target.get("provision_end_ip"));
      long moved = to.base() + (v - from.base());
      if (!from.contains(v) || start == null || end == null || moved < start || moved > end) {
        return null;
      }
      return Ipv4.format(moved);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
