package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** VMs made through machine_create on a test CN, for the tests of the smartos backend's tasks. */
final class CreatedVms {
  private CreatedVms() {}

  /** machine_create with {@code payload}; returns its uuid. */
  static String create(CnAgentHarness cn, Map<String, Object> payload) throws Exception {
    CnAgentHarness.Answer a = cn.call("machine_create", payload);
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return (String) payload.get("uuid");
  }

  /** A running joyent-minimal VM. */
  static String zone(CnAgentHarness cn) throws Exception {
    return create(cn, MachineCreateTaskTest.minimal(UUID.randomUUID().toString()));
  }

  /** A running kvm or bhyve VM made from {@code image} (its disk's image, for bhyve). */
  static String hvm(CnAgentHarness cn, String brand, String image) throws Exception {
    Map<String, Object> p = MachineCreateTaskTest.minimal(UUID.randomUUID().toString());
    p.put("brand", brand);
    p.put("ram", 1024);
    Map<String, Object> disk = new LinkedHashMap<>();
    disk.put("image_uuid", image);
    disk.put("boot", true);
    disk.put("model", "virtio");
    p.put("disks", List.of(disk));
    return create(cn, p);
  }

  static Map<String, Object> params(Object... kv) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      p.put((String) kv[i], kv[i + 1]);
    }
    return p;
  }
}
