package com.joyent.mockcloud.util;

import java.util.regex.Pattern;

/** UUID checks done at the edge, before a value becomes part of a path or a request. */
public final class Uuids {
  private static final Pattern UUID_RE =
      Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

  private Uuids() {}

  /** True for the canonical lowercase 8-4-4-4-12 form only (as Triton writes UUIDs). */
  public static boolean isUuid(String s) {
    return s != null && UUID_RE.matcher(s).matches();
  }
}
