package com.joyent.mockcloud.cnagent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A status report's {@code meminfo}, as a SmartOS cn-agent reads it from kstat
 * ({@code availrmem_bytes}, {@code arcsize_bytes}, {@code total_bytes}, in that order), made
 * up from what a mock CN has: sysinfo's memory and the memory caps of its running VMs.
 *
 * <pre>
 *   total   = MiB of Memory × 1 MiB
 *   kernel  = 1 GiB + total / 100                      (the platform's own use)
 *   free    = max(0, total − kernel − Σ running VMs' max_physical_memory)
 *   arc     = max(64 MiB, free / 8)                    (ZFS caches in what is free)
 *   avail   = max(0, free − arc)
 * </pre>
 *
 * Every figure is a whole number of 4 KiB pages, as kstat counts them. Deterministic: the same
 * CN with the same VMs reports the same figures. Pure; thread-safe.
 */
final class MemoryFigures {
  static final long PAGE = 4096;
  static final long KERNEL_BASE = SysinfoFigures.GIB;
  /** The ARC never shrinks below this (illumos keeps a floor under it as well). */
  static final long ARC_MIN = 64 * SysinfoFigures.MIB;
  static final int ARC_SHARE_OF_FREE = 8;

  private MemoryFigures() {}

  /** The kernel's share of a CN's memory: 1 GiB plus 1 %, in whole pages. */
  static long kernelBytes(long totalBytes) {
    return roundUpToPage(KERNEL_BASE + totalBytes / 100);
  }

  /**
   * @param totalBytes sysinfo's memory
   * @param runningVmBytes the sum of the running VMs' {@code max_physical_memory}, in bytes
   */
  static Map<String, Object> meminfo(long totalBytes, long runningVmBytes) {
    long total = roundDownToPage(totalBytes);
    long free = Math.max(0, total - kernelBytes(total) - runningVmBytes);
    long arc = roundDownToPage(Math.max(ARC_MIN, free / ARC_SHARE_OF_FREE));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("availrmem_bytes", roundDownToPage(Math.max(0, free - arc)));
    m.put("arcsize_bytes", arc);
    m.put("total_bytes", total);
    return m;
  }

  private static long roundDownToPage(long bytes) {
    return bytes - Math.floorMod(bytes, PAGE);
  }

  private static long roundUpToPage(long bytes) {
    return roundDownToPage(bytes + PAGE - 1);
  }
}
