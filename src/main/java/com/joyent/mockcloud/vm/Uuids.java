package com.joyent.mockcloud.vm;

/** UUID checks as the store applies them: lower-case, canonical 8-4-4-4-12 form. Thread-safe. */
final class Uuids {
  private static final String SUFFIX = ".json";

  private Uuids() {}

  static boolean isUuid(Object s) {
    return s instanceof String str && com.joyent.mockcloud.util.Uuids.isUuid(str);
  }

  /** The VM uuid of a {@code <uuid>.json} file name, or null for any other name (temp files etc.). */
  static String fromFileName(String name) {
    if (name.length() != 36 + SUFFIX.length() || !name.endsWith(SUFFIX)) {
      return null;
    }
    String uuid = name.substring(0, 36);
    return isUuid(uuid) ? uuid : null;
  }

  static String fileName(String vmUuid) {
    return vmUuid + SUFFIX;
  }
}
