package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One VM as the store keeps it in memory: the file's object in compact form plus the file's
 * mtime and size (to recognise our own writes when the watcher reports them), the
 * {@code do_not_inventory} flag (so {@code exists} parses nothing) and the file's values of
 * the {@link VmView#SUMMARY_KEYS} (so a status report, sent for every VM of every CN each
 * minute, inflates and parses no blob). Immutable: a change replaces the entry, so readers
 * need no lock.
 */
final class VmEntry {
  private static final byte DNI = 1;
  private static final Set<String> INTERNED = Set.of("brand", "state", "zone_state", "owner_uuid");

  private final byte[] blob;
  final long mtimeMillis;
  final long size;
  private final byte flags;
  /** Key, value, key, value... of the summary keys the file has, in file order; null if one is not a scalar. */
  private final Object[] summary;

  private VmEntry(byte[] blob, long mtimeMillis, long size, byte flags, Object[] summary) {
    this.blob = blob;
    this.mtimeMillis = mtimeMillis;
    this.size = size;
    this.flags = flags;
    this.summary = summary;
  }

  static VmEntry of(Map<String, Object> fileObject, long mtimeMillis, long size) {
    byte flags = JsonValues.truthy(fileObject.get("do_not_inventory")) ? DNI : 0;
    return new VmEntry(VmBlob.encode(fileObject), mtimeMillis, size, flags, summaryOf(fileObject));
  }

  private static Object[] summaryOf(Map<String, Object> fileObject) {
    List<Object> pairs = new ArrayList<>(2 * VmView.SUMMARY_KEYS.size());
    for (Map.Entry<String, Object> e : fileObject.entrySet()) {
      String key = VmView.summaryKey(e.getKey());
      if (key == null) {
        continue;
      }
      Object v = e.getValue();
      if (v != null && !(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        return null; // an odd file (an object where a scalar belongs): such views decode the blob
      }
      if (v instanceof String str && INTERNED.contains(key)) {
        v = str.intern(); // brands, states and owners repeat over thousands of VMs; uuids do not
      }
      pairs.add(key); // the shared instance, not the parser's copy
      pairs.add(v);
    }
    return pairs.toArray();
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
  Map<String, Object> partialView(ServerIdentity server, VmView.Decode decode) {
    Map<String, Object> vm;
    if (decode.summaryOnly() && summary != null) {
      vm = new LinkedHashMap<>();
      for (int i = 0; i < summary.length; i += 2) {
        if (decode.keys().contains(summary[i])) {
          vm.put((String) summary[i], summary[i + 1]);
        }
      }
    } else {
      vm = Json.parseObjectKeys(VmBlob.json(blob), decode.keys());
    }
    return VmView.augment(vm, mtimeMillis, server);
  }

  boolean sameContent(VmEntry other) {
    return other != null && mtimeMillis == other.mtimeMillis && VmBlob.sameJson(blob, other.blob);
  }

  int blobLength() {
    return blob.length;
  }
}
