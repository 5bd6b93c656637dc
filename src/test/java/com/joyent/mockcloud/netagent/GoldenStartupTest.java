package com.joyent.mockcloud.netagent;

import static com.joyent.mockcloud.netagent.NetAgentHarness.await;
import static com.joyent.mockcloud.netagent.NetAgentHarness.awaitSettled;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.vm.ServerVms;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden {@code startup-existing} scenario (shared/golden/traces/README.md), CN A: the
 * same disk and NAPI state, and net-agent's write requests must be the recorded ones, body for
 * body (ids are the recording's; key order included).
 */
class GoldenStartupTest {
  static final String A = "64fb6ac5-c53c-47dc-bb1d-2388ee87aa94";
  static final String RUNNING = "e115ce39-38cb-4b43-9584-1aebd0b8e326";
  static final String STOPPED = "172d8215-7d09-4802-9af4-8fbd4d71fe91";
  static final String DNET0 = "00:10:fe:a9:c5:68";
  static final String DNET1 = "00:10:fe:e3:73:6f";

  @TempDir Path tmp;
  private NetAgentHarness h;

  @BeforeEach
  void setUp() {
    h = new NetAgentHarness(tmp);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static Map<String, Object> vm(String uuid, String state, String mac, String ip) {
    return Json.parseObject("{\"uuid\":\"" + uuid + "\",\"brand\":\"joyent-minimal\",\"state\":\"" + state + "\","
        + "\"owner_uuid\":\"a0e1b5e4-5b6f-4c7a-8b9c-0d1e2f3a4b5c\",\"resolvers\":[\"8.8.8.8\"],\"nics\":[{"
        + "\"interface\":\"net0\",\"mac\":\"" + mac + "\",\"vlan_id\":0,\"nic_tag\":\"external\","
        + "\"gateway\":\"10.88.88.1\",\"netmask\":\"255.255.255.0\",\"ip\":\"" + ip + "\","
        + "\"network_uuid\":\"dddddddd-0000-4000-8000-0000000e0001\",\"mtu\":1500,\"primary\":true}]}");
  }

  @Test
  void startupExisting_cnA_writesAreTheGoldenOnes() throws Exception {
    ServerDirectory d = h.newServer(UUID.fromString(A), DNET0, "10.199.0.13", DNET1);
    ServerVms vms = h.vmsOf(d);
    vms.create(vm(RUNNING, "running", "90:b8:d0:00:0e:01", "10.88.88.201"));
    vms.create(vm(STOPPED, "stopped", "90:b8:d0:00:0e:02", "10.88.88.202"));
    if (!"stopped".equals(vms.load(STOPPED).get("state"))) {
      vms.stop(STOPPED);
    }
    Map<String, Object> stale = h.napiNicFor("90:b8:d0:00:0e:01", "10.88.88.201", RUNNING, "provisioning");
    stale.put("cn_uuid", A);
    h.napi.putNic(stale);

    NetAgent agent = h.start(d);
    await(() -> h.napi.nics.size() == 4, "every NIC in NAPI");
    awaitSettled(agent);
    h.awaitQuiet();

    Map<String, String> writes = new TreeMap<>();
    for (FakeNapi.Received r : h.napi.writes()) {
      String key = r.method() + " " + (r.method().equals("POST") ? r.body().get("mac") : r.path());
      assertThat(writes.put(key, Json.compact(r.body()))).as("one write for " + key).isNull();
    }
    assertThat(writes).containsOnlyKeys("PUT /nics/90b8d0000e01", "POST 90:b8:d0:00:0e:02", "POST " + DNET0,
        "POST " + DNET1);
    assertThat(writes.get("PUT /nics/90b8d0000e01")).isEqualTo("{\"state\":\"running\",\"check_owner\":false}");
    assertThat(writes.get("POST 90:b8:d0:00:0e:02")).isEqualTo("{\"check_owner\":false,"
        + "\"cn_uuid\":\"64fb6ac5-c53c-47dc-bb1d-2388ee87aa94\","
        + "\"belongs_to_uuid\":\"172d8215-7d09-4802-9af4-8fbd4d71fe91\",\"belongs_to_type\":\"zone\","
        + "\"owner_uuid\":\"a0e1b5e4-5b6f-4c7a-8b9c-0d1e2f3a4b5c\",\"state\":\"stopped\",\"gateway\":\"10.88.88.1\","
        + "\"mtu\":1500,\"netmask\":\"255.255.255.0\",\"network_uuid\":\"dddddddd-0000-4000-8000-0000000e0001\","
        + "\"nic_tag\":\"external\",\"primary\":true,\"ip\":\"10.88.88.202\",\"vlan_id\":0,"
        + "\"mac\":\"90:b8:d0:00:0e:02\"}");
    assertThat(writes.get("POST " + DNET0)).isEqualTo("{\"check_owner\":false,"
        + "\"belongs_to_uuid\":\"64fb6ac5-c53c-47dc-bb1d-2388ee87aa94\",\"belongs_to_type\":\"server\","
        + "\"owner_uuid\":\"930896af-bf8c-48d4-885c-6573a94b1853\",\"state\":\"running\","
        + "\"nic_tags_provided\":[\"admin\"],\"ip\":\"10.199.0.13\",\"nic_tag\":\"admin\",\"vlan_id\":0,"
        + "\"mac\":\"00:10:fe:a9:c5:68\"}");
    assertThat(writes.get("POST " + DNET1)).isEqualTo("{\"check_owner\":false,"
        + "\"belongs_to_uuid\":\"64fb6ac5-c53c-47dc-bb1d-2388ee87aa94\",\"belongs_to_type\":\"server\","
        + "\"owner_uuid\":\"930896af-bf8c-48d4-885c-6573a94b1853\",\"state\":\"running\",\"nic_tags_provided\":[],"
        + "\"mac\":\"00:10:fe:e3:73:6f\"}");
    // The VMs already matched NAPI: no VM file was touched beyond what the test wrote.
    assertThat(vms.load(RUNNING).get("resolvers")).isEqualTo(List.of("8.8.8.8"));
  }
}
