package com.joyent.mockcloud.util;

/** UUID checks done at the edge, before a value becomes part of a path or a request. */
public final class Uuids {
  private Uuids() {}

  /**
   * True for the canonical lowercase 8-4-4-4-12 form only (as Triton writes UUIDs). A loop
   * rather than a regex: the fleet checks every server and VM file name it lists with it.
   */
  public static boolean isUuid(String s) {
    if (s == null || s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
