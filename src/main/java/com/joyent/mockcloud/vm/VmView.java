package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.JsValues;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns a parsed VM file into the "loaded view" every reader sees (spec vmadm-and-vm-agent.md
 * §1.7, cn-agent.md §3.1.2), in place and in the reference order, so a key that already exists
 * keeps its position and new keys are appended. Pure; thread-safe.
 */
final class VmView {
  private VmView() {}

  /** Every key {@link #augment} reads or writes: a partial view must decode these to match a full one. */
  private static final List<String> DERIVED_KEYS = List.of("last_modified", "state", "pid", "boot_timestamp", "exit_status",
      "exit_timestamp", "server_uuid", "datacenter_name", "platform_buildstamp", "zonename", "uuid", "zone_state",
      "zoneid");

  /**
   * The keys every VM entry keeps decoded beside its blob: the derived ones, and what a CN's
   * status report sends of each VM (cn-agent's smartos backend), whether it is left out, and
   * the image its figures count as installed.
   * A view of only these is built without touching the blob.
   */
  static final List<String> SUMMARY_KEYS = Stream.concat(DERIVED_KEYS.stream(),
      Stream.of("brand", "cpu_cap", "max_physical_memory", "owner_uuid", "quota", "do_not_inventory",
          "image_uuid"))
      .toList();
  static final Set<String> SUMMARY_KEY_SET = Set.copyOf(SUMMARY_KEYS);
  private static final Map<String, String> SUMMARY_KEY_INSTANCES = SUMMARY_KEYS.stream()
      .collect(Collectors.toUnmodifiableMap(k -> k, k -> k));

  /** The shared instance of {@code key} if it is a summary key, else null. */
  static String summaryKey(String key) {
    return SUMMARY_KEY_INSTANCES.get(key);
  }

  /** What a partial view decodes of the file, and whether the entry's summary holds all of it. */
  record Decode(Set<String> keys, boolean summaryOnly) {}

  /** What a view restricted to {@code wanted} must decode of the file: those keys and the derived ones. */
  static Decode keysToDecode(Collection<String> wanted) {
    Set<String> keys = new HashSet<>(wanted);
    keys.addAll(DERIVED_KEYS);
    return new Decode(keys, SUMMARY_KEY_SET.containsAll(keys));
  }

  static Map<String, Object> augment(Map<String, Object> vm, long mtimeMillis, ServerIdentity server) {
    String lastModified = JsValues.isoString(mtimeMillis);
    // 1. last_modified is always the file's mtime.
    vm.put("last_modified", lastModified);
    // 2. execution info.
    if (!vm.containsKey("state")) {
      vm.put("state", "running");
    }
    Object state = vm.get("state");
    if ("running".equals(state)) {
      vm.put("pid", (int) ((Math.floorDiv(mtimeMillis, 1000L)) % 100000L));
      vm.putIfAbsent("boot_timestamp", lastModified);
    } else if ("stopped".equals(state)) {
      // 0, as the reference forces it; a crash (ServerVms.crash) keeps its own until the next state change.
      vm.putIfAbsent("exit_status", 0);
      vm.putIfAbsent("exit_timestamp", lastModified);
    }
    // 3. system properties from sysinfo.
    vm.put("server_uuid", server.serverUuid());
    vm.put("datacenter_name", server.datacenterName());
    vm.put("platform_buildstamp", server.platformBuildstamp());
    // 4. hard-coded ones.
    vm.put("zonename", vm.get("uuid"));
    if (!vm.containsKey("zone_state")) {
      vm.put("zone_state", state);
    }
    if (vm.containsKey("pid")) {
      vm.put("zoneid", vm.get("pid"));
    }
    return vm;
  }

  /** Keeps only the named top-level keys (in view order); null keeps everything. */
  static Map<String, Object> select(Map<String, Object> view, List<String> fields) {
    if (fields == null) {
      return view;
    }
    view.keySet().retainAll(fields);
    return view;
  }
}
