package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The store-level create (spec vmadm-and-vm-agent.md §1.4 layer B, cn-agent.md §3.1.4): turns a
 * create payload into the object written to {@code <uuid>.json}. Validates first (brand, uuid,
 * NICs), so an invalid payload is rejected with {@link VmException#invalid} and nothing is
 * written. Deviation D7: missing {@code nics} (and kvm/bhyve {@code disks}) become {@code []}.
 * Pure apart from the random uuid; thread-safe.
 */
final class VmCreate {
  /** Option keys callers may pass along; they are never persisted (§2.0). */
  static final Set<String> OPTION_KEYS = Set.of("log", "req_id", "sysinfo", "vmadmLogger", "include_dni");

  private VmCreate() {}

  static LinkedHashMap<String, Object> apply(Map<String, Object> payload, String nowIso) {
    LinkedHashMap<String, Object> vm = new LinkedHashMap<>(Json.deepCopy(payload));
    vm.keySet().removeAll(OPTION_KEYS);

    Object brand = vm.get("brand");
    if (brand == null) {
      throw VmException.invalid("brand is required");
    }
    if (!Brands.ALL.contains(brand)) {
      throw VmException.invalid("unknown brand: " + brand + " (expected one of joyent, joyent-minimal, lx, kvm, bhyve)");
    }
    if (vm.containsKey("uuid") && !Uuids.isUuid(vm.get("uuid"))) {
      throw VmException.invalid("uuid must be a lower-case UUID, got " + vm.get("uuid"));
    }
    for (String key : new String[] {"ram", "max_physical_memory", "max_swap", "max_locked_memory"}) {
      Object v = vm.get(key);
      if (v != null && !(v instanceof Number)) {
        throw VmException.invalid(key + " must be a number, got " + v);
      }
    }
    for (String key : new String[] {"customer_metadata", "internal_metadata", "tags"}) {
      Object v = vm.get(key);
      if (v != null && !(v instanceof Map)) {
        throw VmException.invalid(key + " must be an object, got " + v);
      }
    }
    Object disks = vm.get("disks");
    if (Brands.isHvm(brand)) {
      vm.put("disks", Nics.asList(disks, "disks")); // also validates
    } else if (disks != null) {
      Nics.asList(disks, "disks");
    }
    Object nics = Nics.forCreate(vm.get("nics"));

    if (!vm.containsKey("uuid")) {
      vm.put("uuid", UUID.randomUUID().toString());
    }
    vm.putIfAbsent("autoboot", true);
    vm.put("state", Boolean.TRUE.equals(vm.get("autoboot")) ? "running" : "stopped");
    vm.put("create_timestamp", nowIso);
    vm.putIfAbsent("cpu_shares", 100);
    vm.putIfAbsent("max_lwps", 2000);
    if (!vm.containsKey("max_physical_memory")) {
      vm.put("max_physical_memory", vm.containsKey("ram") ? vm.get("ram") : 256);
    }
    vm.putIfAbsent("max_locked_memory", vm.get("max_physical_memory"));
    vm.putIfAbsent("max_swap", vm.get("max_physical_memory"));
    if (!Brands.isHvm(brand)) {
      vm.remove("ram");
    }
    vm.put("nics", nics);
    return vm;
  }
}
