package com.joyent.mockcloud.cnagent;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** ISO-8601 UTC with milliseconds, as JavaScript's Date#toISOString writes it. */
public final class Iso {
  private static final DateTimeFormatter F =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Iso() {}

  public static String format(Instant t) {
    return F.format(t);
  }
}
