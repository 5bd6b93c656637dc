package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One VM as the store keeps it in memory: the file's object in compact form plus the file's
 * mtime and size (to recognise our own writes when the watcher reports them) and the
 * {@code do_not_inventory} flag (so {@code exists} parses nothing). Immutable: a change
 * replaces the entry, so readers need no lock.
 */
final class VmEntry {
  private static final byte DNI = 1;

  private final byte[] blob;
  final long mtimeMillis;
  final long size;
  private final byte flags;

  private VmEntry(byte[] blob, long mtimeMillis, long size, byte flags) {
    this.blob = blob;
    this.mtimeMillis = mtimeMillis;
    this.size = size;
    this.flags = flags;
  }

  static VmEntry of(Map<String, Object> fileObject, long mtimeMillis, long size) {
    byte flags = JsonValues.truthy(fileObject.get("do_not_inventory")) ? DNI : 0;
    return new VmEntry(VmBlob.encode(fileObject), mtimeMillis, size, flags);
  }

  boolean doNotInventory() {
    return (flags & DNI) != 0;
  }

  /** A fresh copy of the object as stored in the file. */
  LinkedHashMap<String, Object> fileObject() {
    return VmBlob.decode(blob);
  }

  /** A fresh loaded view (spec §1.7); the caller owns it. */
  Map<String, Object> view(ServerIdentity server) {
    return VmView.augment(fileObject(), mtimeMillis, server);
  }

  /**
   * A fresh loaded view holding only what {@code decode} names (from {@link VmView#keysToDecode}),
   * so a reader of a few fields skips nics, metadata and the rest. The kept keys have the same
   * values and order as in {@link #view(ServerIdentity)}.
   */
  Map<String, Object> partialView(ServerIdentity server, Set<String> decode) {
    return VmView.augment(Json.parseObjectKeys(VmBlob.json(blob), decode), mtimeMillis, server);
  }

  boolean sameContent(VmEntry other) {
    return other != null && mtimeMillis == other.mtimeMillis && VmBlob.sameJson(blob, other.blob);
  }

  int blobLength() {
    return blob.length;
  }
}
