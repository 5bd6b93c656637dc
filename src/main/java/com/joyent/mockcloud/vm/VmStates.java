package com.joyent.mockcloud.vm;

import java.util.Map;

/**
 * The reference state-change primitive (cn-agent.md §3.1.3 {@code setState}): set
 * {@code autoboot} if given, set {@code zone_state} if given else delete it (so it re-derives
 * from {@code state} on load), set {@code state}. It also drops {@code exit_status}, which the
 * reference always derives as 0 for a stopped VM: only a crash stores another. Pure; thread-safe.
 */
final class VmStates {
  static final String RUNNING = "running";
  static final String STOPPED = "stopped";
  static final String SHUTTING_DOWN = "shutting_down";
  static final String PROVISIONING = "provisioning";

  private VmStates() {}

  static void set(Map<String, Object> vm, String state, Boolean autoboot, String zoneState) {
    vm.remove("exit_status"); // a crash's status lasts until the next change; stopped then derives 0
    if (autoboot != null) {
      vm.put("autoboot", autoboot);
    }
    if (zoneState != null) {
      vm.put("zone_state", zoneState);
    } else {
      vm.remove("zone_state");
    }
    vm.put("state", state);
  }
}
