package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CNAPI's server records and its in-memory heartbeat map (triton-apis.md §2.5–2.7).
 *
 * <p>Heartbeats are the hot path (10,000 CNs every 5 s): {@link #heartbeat} is one
 * {@code ConcurrentHashMap.put} of the clock's millis, with no lock, lookup or timer.
 * {@code status} and {@code last_heartbeat} are never stored; {@link #statusOf} derives them
 * when a record is rendered or checked, from the last heartbeat and the injected clock (§2.6):
 * a server that has heartbeated is {@code running} while its last heartbeat is at most 11 s
 * old and {@code unknown} after that; one that never heartbeated keeps its stored status
 * ({@code running} at creation).
 *
 * <p>Records are guarded by this object's lock (short map work only, safe on I/O threads).
 * Writes replace nested values rather than changing them in place; public readers get deep
 * copies. A record's {@code vms} is a {@link ReportedVms} (the last status report's, as bytes);
 * readers that render it ask {@link ReportedVms#vmsOf}.
 */
public final class ServerStore {
  static final long HEARTBEAT_LIFETIME_MS = 11_000;
  static final long MIB = 1024L * 1024L;
  static final List<String> DISK_KEYS = List.of("cores_quota_bytes", "cores_quota_used_bytes",
      "installed_images_used_bytes", "kvm_quota_bytes", "kvm_quota_used_bytes", "kvm_zvol_used_bytes",
      "kvm_zvol_volsize_bytes", "pool_alloc_bytes", "pool_size_bytes", "system_used_bytes", "zone_quota_bytes",
      "zone_quota_used_bytes");

  private final Clock clock;
  private final String datacenter;
  private final TreeMap<String, Map<String, Object>> servers = new TreeMap<>();
  private final ConcurrentHashMap<String, Long> heartbeats = new ConcurrentHashMap<>();

  ServerStore(Clock clock, String datacenter) {
    this.clock = clock;
    this.datacenter = datacenter;
  }

  /** Records "now" as the last heartbeat of {@code uuid}; O(1), lock-free. */
  public void heartbeat(String uuid) {
    heartbeats.put(uuid, clock.millis());
  }

  /** The derived status: running/unknown from heartbeats, else the stored value (§2.6). */
  public synchronized String statusOf(String uuid) {
    Map<String, Object> rec = servers.get(uuid);
    return rec == null ? null : statusOf(uuid, rec);
  }

  private String statusOf(String uuid, Map<String, Object> rec) {
    assert Thread.holdsLock(this);
    Long hb = heartbeats.get(uuid);
    String status;
    if (hb != null) {
      status = clock.millis() - hb > HEARTBEAT_LIFETIME_MS ? "unknown" : "running";
    } else {
      status = rec.get("status") instanceof String s ? s : "unknown";
    }
    if ("unknown".equals(status) && rec.get("transitional_status") instanceof String t && !t.isEmpty()) {
      return t;
    }
    return status;
  }

  /** ISO time of the last heartbeat while it is fresh, else null (forgotten once stale). */
  public String lastHeartbeat(String uuid) {
    Long hb = heartbeats.get(uuid);
    return hb == null || clock.millis() - hb > HEARTBEAT_LIFETIME_MS ? null : JsValues.isoString(hb);
  }

  public synchronized boolean exists(String uuid) {
    return servers.containsKey(uuid);
  }

  public synchronized int size() {
    return servers.size();
  }

  /** A deep copy of the stored record (no derived keys), or null. */
  public synchronized Map<String, Object> server(String uuid) {
    Map<String, Object> rec = servers.get(uuid);
    if (rec == null) {
      return null;
    }
    Map<String, Object> copy = new LinkedHashMap<>(rec);
    copy.put("vms", ReportedVms.vmsOf(rec));
    return Json.deepCopy(copy);
  }

  /** The stored sysinfo of a server (deep copy), or null when the server is unknown. */
  @SuppressWarnings("unchecked")
  public synchronized Map<String, Object> sysinfo(String uuid) {
    Map<String, Object> rec = servers.get(uuid);
    return rec == null ? null : Json.deepCopy((Map<String, Object>) rec.get("sysinfo"));
  }

  /** Creates or updates the record from a sysinfo registration (§2.5.1, §2.7). */
  public synchronized void registerSysinfo(String uuid, Map<String, Object> sysinfo) {
    Map<String, Object> rec = servers.get(uuid);
    boolean created = rec == null;
    if (created) {
      rec = newRecord(uuid);
      servers.put(uuid, rec);
    }
    rec.put("sysinfo", Json.deepCopy(sysinfo));
    if (sysinfo.containsKey("Zpool Creation") && created) {
      Integer secs = Values.parseInt(sysinfo.get("Zpool Creation"));
      if (secs != null) {
        rec.put("created", JsValues.isoString(secs * 1000L));
      }
    }
    if (sysinfo.containsKey("Live Image")) {
      rec.put("current_platform", sysinfo.get("Live Image"));
    }
    if (sysinfo.containsKey("Boot Parameters")) {
      Object bp = sysinfo.get("Boot Parameters");
      rec.put("headnode", bp instanceof Map<?, ?> m && "true".equals(m.get("headnode")));
    }
    if (sysinfo.containsKey("Hostname") && (created || !rec.containsKey("hostname"))) {
      rec.put("hostname", sysinfo.get("Hostname"));
    }
    if (sysinfo.containsKey("System Type")) {
      rec.put("system_type", sysinfo.get("System Type"));
    }
    if (sysinfo.containsKey("Boot Time")) {
      Integer secs = Values.parseInt(sysinfo.get("Boot Time"));
      if (secs != null) {
        rec.put("last_boot", JsValues.isoString(secs * 1000L));
      }
    }
    if (sysinfo.containsKey("MiB of Memory")) {
      rec.put("ram", Values.parseInt(sysinfo.get("MiB of Memory")));
    }
    if (sysinfo.containsKey("Setup")) {
      Object s = sysinfo.get("Setup");
      rec.put("setup", "true".equals(s) || Boolean.TRUE.equals(s));
    }
    if (rec.get("agents") instanceof List<?> a && a.isEmpty() && sysinfo.get("SDC Agents") instanceof List<?> sa) {
      rec.put("agents", Json.deepCopy(sa));
    }
    recomputeProvisionable(rec);
  }

  private Map<String, Object> newRecord(String uuid) {
    Map<String, Object> rec = new LinkedHashMap<>();
    rec.put("agents", new ArrayList<>());
    rec.put("comments", "");
    rec.put("datacenter", datacenter);
    rec.put("rack_identifier", "");
    rec.put("reservation_ratio", 0.15);
    rec.put("reserved", false);
    rec.put("reservoir", false);
    rec.put("status", "running");
    rec.put("sysinfo", new LinkedHashMap<>());
    rec.put("traits", new LinkedHashMap<>());
    rec.put("uuid", uuid);
    rec.put("vms", ReportedVms.EMPTY);
    rec.put("boot_params", new LinkedHashMap<>());
    rec.put("default_console", "serial");
    rec.put("kernel_flags", new LinkedHashMap<>());
    rec.put("serial", "ttyb");
    rec.put("created", JsValues.isoString(clock.millis()));
    return rec;
  }

  /** ServerUpdate ({@code POST /servers/:uuid}): stores the given allowed keys (already checked). */
  public synchronized void update(String uuid, Map<String, Object> params) {
    Map<String, Object> rec = require(uuid);
    params.forEach((k, v) -> {
      switch (k) {
        case "server_uuid", "etag_retries", "nics" -> { }
        // CNAPI stores the ratios (as a query string) and GET parses them back into numbers.
        case "overprovision_ratios" -> {
          if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            rec.put(k, Json.deepCopy(v));
          }
        }
        default -> rec.put(k, Json.deepCopy(v));
      }
    });
    if (params.containsKey("reservation_ratio")) {
      recomputeProvisionable(rec);
    }
  }

  /** The status report (§2.5.4): memory_*, disk_*, vms; zpoolStatus/boot_time/timestamp dropped. */
  @SuppressWarnings("unchecked")
  public synchronized void status(String uuid, Map<String, Object> body) {
    Map<String, Object> rec = require(uuid);
    Object vms = body.get("vms");
    rec.put("vms", ReportedVms.from(vms));
    if (body.get("meminfo") instanceof Map<?, ?> mem) {
      copyIfPresent((Map<String, Object>) mem, "availrmem_bytes", rec, "memory_available_bytes");
      copyIfPresent((Map<String, Object>) mem, "arcsize_bytes", rec, "memory_arc_bytes");
      copyIfPresent((Map<String, Object>) mem, "total_bytes", rec, "memory_total_bytes");
    }
    if (body.get("diskinfo") instanceof Map<?, ?> disk) {
      for (String k : DISK_KEYS) {
        copyIfPresent((Map<String, Object>) disk, k, rec, "disk_" + k);
      }
    }
    recomputeProvisionable(rec, vms instanceof Map<?, ?> m ? m : Map.of());
  }

  private static void copyIfPresent(Map<String, Object> from, String key, Map<String, Object> to, String toKey) {
    if (from.containsKey(key)) {
      to.put(toKey, from.get(key));
    }
  }

  /** Removes the record and its heartbeat; false when there was none. */
  public synchronized boolean delete(String uuid) {
    heartbeats.remove(uuid);
    return servers.remove(uuid) != null;
  }

  private Map<String, Object> require(String uuid) {
    Map<String, Object> rec = servers.get(uuid);
    if (rec == null) {
      throw RestError.resourceNotFound("Server " + uuid + " not found");
    }
    return rec;
  }

  /** memory_provisionable_bytes = floor(total − total×ratio − Σ vms.max_physical_memory MiB). */
  private static void recomputeProvisionable(Map<String, Object> rec) {
    recomputeProvisionable(rec, ReportedVms.vmsOf(rec));
  }

  private static void recomputeProvisionable(Map<String, Object> rec, Map<?, ?> vms) {
    Integer ram = rec.get("ram") instanceof Integer r ? r : null;
    double total;
    if (ram != null) {
      total = ram * (double) MIB;
    } else if (rec.get("memory_total_bytes") instanceof Number n) {
      total = n.doubleValue();
    } else {
      return;
    }
    double ratio = rec.get("reservation_ratio") instanceof Number n ? n.doubleValue() : 0.15;
    double vmBytes = 0;
    for (Object vm : vms.values()) {
      if (vm instanceof Map<?, ?> m && m.get("max_physical_memory") instanceof Number mpm) {
        vmBytes += mpm.doubleValue() * MIB;
      }
    }
    rec.put("memory_provisionable_bytes", (long) Math.floor(total - total * ratio - vmBytes));
  }

  /**
   * Stored records with their derived status, in uuid order. Top-level copies only: nested
   * values in a record are never changed in place (every write replaces them), so sharing
   * them with a renderer is safe and keeps {@code GET /servers} of 10,000 CNs cheap.
   */
  synchronized List<Map<String, Object>> snapshot() {
    List<Map<String, Object>> out = new ArrayList<>(servers.size());
    for (Map.Entry<String, Map<String, Object>> e : servers.entrySet()) {
      Map<String, Object> copy = new LinkedHashMap<>(e.getValue());
      copy.put("status", statusOf(e.getKey(), e.getValue()));
      out.add(copy);
    }
    return out;
  }

  /** One record with derived status; 404 when absent. */
  synchronized Map<String, Object> snapshot(String uuid) {
    Map<String, Object> rec = require(uuid);
    Map<String, Object> copy = new LinkedHashMap<>(rec);
    copy.put("status", statusOf(uuid, rec));
    return copy;
  }
}
