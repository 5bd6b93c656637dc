package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The compact in-memory form of a VM file: compact UTF-8 JSON. Parsed again on every read
 * (load/lookup/events); see docs/vm-store.md for the measurements behind this choice.
 * Stateless and thread-safe.
 */
final class VmBlob {
  private VmBlob() {}

  static byte[] encode(Map<String, Object> vm) {
    return Json.compactBytes(vm);
  }

  static LinkedHashMap<String, Object> decode(byte[] blob) {
    return Json.parseObject(blob);
  }
}
