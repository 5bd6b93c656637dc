package com.joyent.mockcloud.vm;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * JavaScript {@code Date.prototype.toISOString()} format: UTC, exactly three fraction digits,
 * trailing {@code Z} (spec vmadm-and-vm-agent.md conventions). {@link Instant#toString()} is not
 * the same (it drops {@code .000}). Stateless and thread-safe.
 */
final class IsoTime {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private IsoTime() {}

  static String ofMillis(long epochMillis) {
    return FORMAT.format(Instant.ofEpochMilli(epochMillis));
  }
}
