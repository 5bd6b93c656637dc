package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A server's {@code vms} as its last status report gave them, kept as compact JSON bytes and
 * parsed again only when a reader wants the VMs (a listing with {@code extras=vms}, the
 * capacity keys).
 *
 * <p>Why bytes: every CN reports once a minute, so each report lives about a minute, long enough
 * to outlive many young collections. Kept as trees of maps, those reports were what G1 copied
 * in each young pause of the bench's receiver at 10,000 CNs (tens of MB a pause, docs/benchmark.md);
 * one byte array is copied in one move and takes a tenth of the room.
 */
final class ReportedVms {
  static final ReportedVms EMPTY = new ReportedVms(Json.compactBytes(Map.of()));

  private final byte[] json;

  private ReportedVms(byte[] json) {
    this.json = json;
  }

  /** The report's {@code vms} object; anything else is stored as no VMs, as before. */
  static ReportedVms from(Object vms) {
    return vms instanceof Map<?, ?> m && !m.isEmpty() ? new ReportedVms(Json.compactBytes(m)) : EMPTY;
  }

  /** A fresh copy of the VMs: the caller may change it. */
  LinkedHashMap<String, Object> parse() {
    return Json.parseObject(json);
  }

  /** The VMs of a stored or rendered record, whichever form its {@code vms} has. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> vmsOf(Map<String, Object> rec) {
    Object v = rec.get("vms");
    if (v instanceof ReportedVms r) {
      return r.parse();
    }
    return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }
}
