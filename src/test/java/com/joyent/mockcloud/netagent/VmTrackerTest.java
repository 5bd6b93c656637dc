package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Routes and resolvers of a VM from its NICs' NAPI records (spec §2.7 update.vm). */
class VmTrackerTest {
  private static Map<String, Object> vm(String state, Object resolvers, Object routes, boolean noNicResolvers) {
    Map<String, Object> vm = new LinkedHashMap<>();
    vm.put("state", state);
    if (resolvers != null) {
      vm.put("resolvers", resolvers);
    }
    if (routes != null) {
      vm.put("routes", routes);
    }
    if (noNicResolvers) {
      vm.put("internal_metadata", Map.of("no_nic_resolvers", true));
    }
    return vm;
  }

  private static Map<String, Object> nic(List<String> resolvers, Map<String, Object> routes) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("resolvers", resolvers);
    if (routes != null) {
      n.put("routes", routes);
    }
    return n;
  }

  @Test
  void payload_resolversConcatenatedInNicOrder_deduplicated() {
    Map<String, Object> p = VmTracker.payload(vm("running", null, null, false),
        List.of(nic(List.of("8.8.8.8", "1.1.1.1"), null), nic(List.of("1.1.1.1", "9.9.9.9"), null)));
    assertThat(p).isEqualTo(Map.of("resolvers", List.of("8.8.8.8", "1.1.1.1", "9.9.9.9")));
  }

  @Test
  void payload_routes_setDifferingAndRemoveUnknown_only() {
    Map<String, Object> cur = new LinkedHashMap<>(Map.of("10.0.0.0/8", "10.1.1.1", "192.168.0.0/16", "10.1.1.1",
        "172.16.0.0/12", "old"));
    Map<String, Object> p = VmTracker.payload(vm("stopped", List.of("8.8.8.8"), cur, false),
        List.of(nic(List.of("8.8.8.8"), Map.of("10.0.0.0/8", "10.1.1.1", "172.16.0.0/12", "new"))));
    assertThat(p).isEqualTo(Map.of("set_routes", Map.of("172.16.0.0/12", "new"),
        "remove_routes", List.of("192.168.0.0/16")));
  }

  @Test
  void payload_inStep_isEmpty() {
    assertThat(VmTracker.payload(vm("running", List.of("8.8.8.8"), Map.of(), false),
        List.of(nic(List.of("8.8.8.8"), null)))).isEmpty();
  }

  @Test
  void payload_noNicResolvers_ignoresResolvers() {
    assertThat(VmTracker.payload(vm("running", List.of("4.4.4.4"), null, true),
        List.of(nic(List.of("8.8.8.8"), null)))).isEmpty();
  }

  @Test
  void payload_vmNotRunningOrStopped_orNicNotReadYet_isNull() {
    assertThat(VmTracker.payload(vm("provisioning", null, null, false), List.of(nic(List.of("8.8.8.8"), null))))
        .isNull();
    assertThat(VmTracker.payload(vm("running", null, null, false), null)).isNull();
  }
}
