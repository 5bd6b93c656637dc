package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One VM as the store keeps it in memory: the file's object in compact form plus the file's
 * mtime and size (to recognise our own writes when the watcher reports them), the
 * {@code do_not_inventory} flag (so {@code exists} parses nothing) and its {@link VmSummary}
 * (so a status report, sent for every VM of every CN each minute, inflates and parses no
 * blob). Immutable: a change replaces the entry, so readers need no lock.
 */
final class VmEntry {
  private static final byte DNI = 1;

  private final byte[] blob;
  final long mtimeMillis;
  final long size;
  private final byte flags;
  /** Null for an odd file: its partial views decode the blob. */
  private final VmSummary summary;

  private VmEntry(byte[] blob, long mtimeMillis, long size, byte flags, VmSummary summary) {
    this.blob = blob;
    this.mtimeMillis = mtimeMillis;
    this.size = size;
    this.flags = flags;
    this.summary = summary;
  }

  /** @param uuid the VM's uuid as the store keys it (its summary shares that string) */
  static VmEntry of(String uuid, Map<String, Object> fileObject, long mtimeMillis, long size) {
    byte flags = JsValues.truthy(fileObject.get("do_not_inventory")) ? DNI : 0;
    byte[] json = Json.compactBytes(fileObject);
    // The summary is decoded from the same text as the blob, so its values are what a view
    // decoded from the blob holds (10.0 written as 10 is read back as an Integer, in both).
    return new VmEntry(VmBlob.encodeJson(json), mtimeMillis, size, flags, VmSummary.of(uuid, json));
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
      summary.putInto(vm, decode.keys());
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
