package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.vm.VmChange;
import com.joyent.mockcloud.vm.VmEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which VM events make net-agent look at the VM list again (spec §2.3). */
class VmEventFilterTest {
  private static VmEvent modify(Map<String, Object> vm, String... topKeys) {
    List<VmChange> changes = java.util.Arrays.stream(topKeys)
        .map(k -> new VmChange(k, List.of(k), VmChange.CHANGED, 1, 2)).toList();
    return new VmEvent(VmEvent.Type.MODIFY, "s", "v", vm, changes, "1.1.modify.1");
  }

  @Test
  void modify_ofWatchedFields_triggers_otherFields_doNot() {
    for (String k : List.of("resolvers", "nics", "owner_uuid", "routes", "state")) {
      assertThat(CnSync.triggers(modify(Map.of(), k))).as(k).isTrue();
    }
    assertThat(CnSync.triggers(modify(Map.of(), "alias", "tags", "last_modified"))).isFalse();
  }

  @Test
  void dniVm_ignoredUnlessTheFlagItselfChanged() {
    Map<String, Object> dni = Map.of("do_not_inventory", true);
    assertThat(CnSync.triggers(modify(dni, "state"))).isFalse();
    assertThat(CnSync.triggers(modify(dni, "do_not_inventory"))).isTrue();
    assertThat(CnSync.triggers(new VmEvent(VmEvent.Type.CREATE, "s", "v", dni, List.of(), "1.1.create.1"))).isFalse();
  }

  @Test
  void createAndDelete_trigger() {
    assertThat(CnSync.triggers(new VmEvent(VmEvent.Type.CREATE, "s", "v", Map.of(), List.of(), "x"))).isTrue();
    assertThat(CnSync.triggers(new VmEvent(VmEvent.Type.DELETE, "s", "v", Map.of(), List.of(), "x"))).isTrue();
  }
}
