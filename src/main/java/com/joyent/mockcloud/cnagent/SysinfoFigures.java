package com.joyent.mockcloud.cnagent;

import java.util.Map;
import java.util.Set;

/**
 * What a status report takes from the CN's sysinfo: {@code Boot Time} (for {@code boot_time})
 * and the hardware totals its figures start from, {@code MiB of Memory} and {@code Zpool Size
 * in GiB} (docs/cn-agent.md, "Status report figures"). A missing or unreadable total is 0, so
 * the report shows CNAPI what sysinfo says rather than an invented machine. Immutable.
 *
 * @param bootTime sysinfo's {@code Boot Time} (epoch seconds as sysinfo writes it), or null
 */
record SysinfoFigures(String bootTime, long memoryBytes, long poolBytes) {
  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;
  /** The only sysinfo keys a sample decodes; the rest of the file is skipped unparsed. */
  static final Set<String> KEYS = Set.of("Boot Time", "MiB of Memory", "Zpool Size in GiB");

  static SysinfoFigures of(Map<String, Object> sysinfo) {
    Object boot = sysinfo.get("Boot Time");
    return new SysinfoFigures(boot == null ? null : String.valueOf(boot),
        wholeNumber(sysinfo.get("MiB of Memory")) * MIB, wholeNumber(sysinfo.get("Zpool Size in GiB")) * GIB);
  }

  /** sysinfo writes "MiB of Memory" as a string and the pool size as a number: take either. */
  private static long wholeNumber(Object v) {
    if (v instanceof Number n) {
      return Math.max(0, n.longValue());
    }
    if (v instanceof String s) {
      try {
        return Math.max(0, Long.parseLong(s.trim()));
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }
}
