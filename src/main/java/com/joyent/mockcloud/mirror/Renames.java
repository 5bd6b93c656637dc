package com.joyent.mockcloud.mirror;

import java.security.SecureRandom;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The uuids and MACs an import gives the archive's objects: the archive's own by default (so
 * logs and tickets from the source still match), or with {@code --new-uuids} a fresh one for
 * each, the same one wherever the old one appears. MACs keep their first three bytes.
 * Thread-safe.
 */
final class Renames {
  private final boolean fresh;
  private final Map<String, String> uuids = new ConcurrentHashMap<>();
  private final Map<String, String> macs = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  Renames(boolean fresh) {
    this.fresh = fresh;
  }

  String uuid(String old) {
    if (!fresh || old == null) {
      return old;
    }
    return uuids.computeIfAbsent(old, k -> UUID.randomUUID().toString());
  }

  String mac(String old) {
    if (!fresh || old == null) {
      return old;
    }
    return macs.computeIfAbsent(old, k -> {
      String prefix = k.length() >= 8 ? k.substring(0, 8) : "90:b8:d0";
      return String.format("%s:%02x:%02x:%02x", prefix, random.nextInt(256), random.nextInt(256), random.nextInt(256));
    });
  }
}
