package com.joyent.mockcloud.cnagent;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A status report's {@code diskinfo} and {@code zpoolStatus}, summed the way a SmartOS
 * cn-agent sums {@code zfs get} over the pool's datasets (lib/backends/smartos getDiskUsage),
 * with the datasets a mock CN would have: the pool of sysinfo's size, the platform's own
 * datasets, and for each VM its zone dataset, its kvm zvols, its cores dataset and its image.
 * The formulas are in docs/cn-agent.md, "Status report figures".
 *
 * <p>As on a real CN, quotas are promises and not space: a zone's quota counts in full in
 * {@code zone_quota_bytes} (what DAPI reserves), while the space it has written, a tenth of its
 * quota here, is what fills the pool. kvm zvols are reserved in full (refreservation), and a
 * bhyve VM's disks sit inside its zone dataset, so they count as that zone's used space.
 *
 * <p>One instance per sample: {@link #add} each VM (its {@code brand}, {@code quota},
 * {@code image_uuid} and, for kvm and bhyve, {@code disks}), then read the figures. Not
 * thread-safe; no I/O.
 */
final class DiskFigures {
  static final long MIB = SysinfoFigures.MIB;
  static final long GIB = SysinfoFigures.GIB;
  /** Every VM gets a cores dataset with this quota (vmadm's default); no core was dumped, so it is unused. */
  static final long CORES_QUOTA = 100 * GIB;
  /** How much of a zone's quota it has written: a tenth. */
  static final int WRITTEN_SHARE_OF_QUOTA = 10;
  /** An installed zone image (VM files say nothing of a zone image's size). */
  static final long ZONE_IMAGE_BYTES = GIB;
  /** The platform's datasets besides swap and dump (zones/opt, var, config, usbkey, ...). */
  static final long SYSTEM_DATASETS = GIB;
  /** SmartOS sizes the dump zvol at 5 % of the pool, at most 4 GiB. */
  static final long DUMP_MAX = 4 * GIB;

  private final long poolBytes;
  private final long systemBytes;
  private long kvmZvolUsed;
  private long kvmZvolVolsize;
  private long kvmQuota;
  private long kvmQuotaUsed;
  private long zoneQuota;
  private long zoneQuotaUsed;
  private long coresQuota;
  private final Map<String, Long> images = new HashMap<>();

  /**
   * @param poolBytes sysinfo's pool size
   * @param memoryBytes sysinfo's memory: the swap zvol is as large, reserved in full
   */
  DiskFigures(long poolBytes, long memoryBytes) {
    this.poolBytes = poolBytes;
    this.systemBytes = systemBytes(poolBytes, memoryBytes);
  }

  /** swap (as large as memory) + dump (5 % of the pool, at most 4 GiB) + the platform's datasets. */
  static long systemBytes(long poolBytes, long memoryBytes) {
    return memoryBytes + Math.min(poolBytes / 20, DUMP_MAX) + SYSTEM_DATASETS;
  }

  /** Counts one VM (do_not_inventory ones too: their datasets are on the pool all the same). */
  void add(Map<String, Object> vm) {
    Object brand = vm.get("brand");
    long quota = sizeBytes(vm.get("quota"), GIB);
    coresQuota += CORES_QUOTA;
    if ("kvm".equals(brand)) {
      for (Map<?, ?> disk : disks(vm)) {
        long volsize = volsize(disk);
        kvmZvolVolsize += volsize;
        // A zvol reserves its whole size unless its refreservation says otherwise.
        Object refreservation = disk.get("refreservation");
        kvmZvolUsed += refreservation == null ? volsize : Math.max(sizeBytes(refreservation, MIB), volsize / 10);
        diskImage(disk);
      }
      kvmQuota += quota;
      kvmQuotaUsed += quota / WRITTEN_SHARE_OF_QUOTA;
    } else if ("bhyve".equals(brand)) {
      long disksBytes = 0;
      for (Map<?, ?> disk : disks(vm)) {
        disksBytes += volsize(disk);
        diskImage(disk);
      }
      zoneQuota += quota;
      zoneQuotaUsed += disksBytes + Math.max(0, quota - disksBytes) / WRITTEN_SHARE_OF_QUOTA;
    } else {
      zoneQuota += quota;
      zoneQuotaUsed += quota / WRITTEN_SHARE_OF_QUOTA;
      if (vm.get("image_uuid") instanceof String image) {
        images.putIfAbsent(image, ZONE_IMAGE_BYTES);
      }
    }
  }

  /** The pool's used space: everything the datasets above hold. */
  long allocatedBytes() {
    return systemBytes + kvmZvolUsed + kvmQuotaUsed + zoneQuotaUsed + imagesBytes();
  }

  /** {@code diskinfo}, in the smartos backend's key order. */
  Map<String, Object> diskinfo() {
    long images = imagesBytes();
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("kvm_zvol_used_bytes", kvmZvolUsed);
    d.put("kvm_zvol_volsize_bytes", kvmZvolVolsize);
    d.put("kvm_quota_bytes", kvmQuota);
    d.put("kvm_quota_used_bytes", kvmQuotaUsed);
    d.put("zone_quota_bytes", zoneQuota);
    d.put("zone_quota_used_bytes", zoneQuotaUsed);
    d.put("cores_quota_bytes", coresQuota);
    d.put("cores_quota_used_bytes", 0L);
    d.put("installed_images_used_bytes", images);
    d.put("pool_size_bytes", poolBytes);
    d.put("pool_alloc_bytes", allocatedBytes());
    d.put("system_used_bytes", systemBytes);
    return d;
  }

  /**
   * {@code zpoolStatus}: the pool's used and available space ({@code zfs get used,available
   * zones}), which add up to the pool size until the pool is full.
   */
  Map<String, Object> zpoolStatus() {
    long used = allocatedBytes();
    Map<String, Object> zones = new LinkedHashMap<>();
    zones.put("bytes_available", Math.max(0, poolBytes - used));
    zones.put("bytes_used", used);
    return Map.of("zones", zones);
  }

  private long imagesBytes() {
    long sum = 0;
    for (long b : images.values()) {
      sum += b;
    }
    return sum;
  }

  /** A kvm or bhyve disk made from an image installs that image, as large as the image's volume. */
  private void diskImage(Map<?, ?> disk) {
    if (disk.get("image_uuid") instanceof String image) {
      long size = sizeBytes(disk.get("image_size"), MIB);
      images.merge(image, size > 0 ? size : ZONE_IMAGE_BYTES, Math::max);
    }
  }

  /** vmadm's disk {@code size} (MiB); a boot disk may only carry its image's size. */
  private static long volsize(Map<?, ?> disk) {
    long size = sizeBytes(disk.get("size"), MIB);
    return size > 0 ? size : sizeBytes(disk.get("image_size"), MIB);
  }

  private static List<Map<?, ?>> disks(Map<String, Object> vm) {
    if (!(vm.get("disks") instanceof List<?> list)) {
      return List.of();
    }
    return list.stream().filter(d -> d instanceof Map<?, ?>).<Map<?, ?>>map(d -> (Map<?, ?>) d).toList();
  }

  /** A size in {@code unit}s as bytes; anything but a non-negative number (or numeric string) is 0, as zfs's "none". */
  private static long sizeBytes(Object v, long unit) {
    double n;
    if (v instanceof Number num) {
      n = num.doubleValue();
    } else if (v instanceof String s) {
      try {
        n = Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return 0;
      }
    } else {
      return 0;
    }
    return n > 0 && Double.isFinite(n) ? (long) (n * unit) : 0;
  }
}
