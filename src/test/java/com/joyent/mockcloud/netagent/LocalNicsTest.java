package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Local NIC objects (spec §2.6), key order as the golden POST bodies show it. */
class LocalNicsTest {
  private static final String CN = "64fb6ac5-c53c-47dc-bb1d-2388ee87aa94";
  private static final String ADMIN = "930896af-bf8c-48d4-885c-6573a94b1853";

  @Test
  void ofSysinfo_physicalNics_asGoldenPostBodies() {
    Map<String, Object> s = Json.parseObject("{\"Network Interfaces\":{"
        + "\"dnet0\":{\"ip4addr\":\"10.199.0.13\",\"Link Status\":\"up\",\"NIC Names\":[\"admin\"],\"MAC Address\":\"00:10:fe:a9:c5:68\"},"
        + "\"dnet1\":{\"ip4addr\":\"\",\"Link Status\":\"down\",\"NIC Names\":[],\"MAC Address\":\"00:10:FE:E3:73:6F\"}},"
        + "\"Virtual Network Interfaces\":{},\"Link Aggregations\":{}}");
    LocalNics.ServerNics n = LocalNics.ofSysinfo(s, CN, ADMIN);
    assertThat(Json.compact(n.nics().get("00:10:fe:a9:c5:68"))).isEqualTo("{\"belongs_to_uuid\":\"" + CN
        + "\",\"belongs_to_type\":\"server\",\"owner_uuid\":\"" + ADMIN + "\",\"state\":\"running\","
        + "\"nic_tags_provided\":[\"admin\"],\"ip\":\"10.199.0.13\",\"nic_tag\":\"admin\",\"vlan_id\":0}");
    assertThat(n.nics().get("00:10:fe:e3:73:6f")).containsEntry("state", "stopped")
        .containsEntry("nic_tags_provided", List.of()).doesNotContainKeys("ip", "nic_tag");
    assertThat(n.aggregations()).isEmpty();
  }

  @Test
  void ofSysinfo_vnicsAndAggregations() {
    Map<String, Object> s = Json.parseObject("{\"Network Interfaces\":{"
        + "\"ixgbe0\":{\"MAC Address\":\"00:00:00:00:00:01\",\"Link Status\":\"up\",\"NIC Names\":[]},"
        + "\"ixgbe1\":{\"MAC Address\":\"00:00:00:00:00:02\",\"Link Status\":\"up\",\"NIC Names\":[]},"
        + "\"aggr0\":{\"MAC Address\":\"00:00:00:00:00:01\",\"Link Status\":\"up\",\"NIC Names\":[\"admin\",\"external\"]}},"
        + "\"Virtual Network Interfaces\":{\"external0\":{\"MAC Address\":\"00:00:00:00:00:0a\",\"ip4addr\":\"10.0.0.5\","
        + "\"Link Status\":\"up\",\"Host Interface\":\"aggr0\",\"VLAN\":\"42\"},"
        + "\"other0\":{\"MAC Address\":\"00:00:00:00:00:0b\",\"Host Interface\":\"ixgbe0\"}},"
        + "\"Link Aggregations\":{\"aggr0\":{\"LACP mode\":\"active\",\"Interfaces\":[\"ixgbe0\",\"ixgbe1\"]}}}");
    LocalNics.ServerNics n = LocalNics.ofSysinfo(s, CN, ADMIN);
    assertThat(n.nics().keySet()).containsExactly("00:00:00:00:00:01", "00:00:00:00:00:02", "00:00:00:00:00:0a",
        "00:00:00:00:00:0b");
    assertThat(n.nics().get("00:00:00:00:00:0a")).containsEntry("nic_tag", "external").containsEntry("vlan_id", 42)
        .containsEntry("ip", "10.0.0.5");
    assertThat(n.nics().get("00:00:00:00:00:0b")).doesNotContainKey("nic_tag").containsEntry("vlan_id", 0);
    assertThat(Json.compact(n.aggregations().get("aggr0"))).isEqualTo("{\"id\":\"" + CN + "-aggr0\",\"name\":\"aggr0\","
        + "\"belongs_to_uuid\":\"" + CN + "\",\"lacp_mode\":\"active\",\"nic_tags_provided\":[\"admin\",\"external\"],"
        + "\"macs\":[\"00:00:00:00:00:01\",\"00:00:00:00:00:02\"]}");
  }

  @Test
  void ofVm_copiesNicFields_stateRunningOrStopped() {
    Map<String, Object> vm = new LinkedHashMap<>();
    vm.put("uuid", "172d8215-7d09-4802-9af4-8fbd4d71fe91");
    vm.put("owner_uuid", "a0e1b5e4-5b6f-4c7a-8b9c-0d1e2f3a4b5c");
    vm.put("state", "shutting_down");
    vm.put("nics", List.of(Json.parseObject("{\"interface\":\"net0\",\"mac\":\"90:b8:d0:00:0e:02\","
        + "\"vlan_id\":0,\"nic_tag\":\"external\",\"gateway\":\"10.88.88.1\",\"gateways\":[\"10.88.88.1\"],"
        + "\"netmask\":\"255.255.255.0\",\"ip\":\"10.88.88.202\",\"ips\":[\"10.88.88.202/24\"],"
        + "\"network_uuid\":\"dddddddd-0000-4000-8000-0000000e0001\",\"mtu\":1500,\"primary\":true}")));
    // The golden startup-existing POST body of this NIC, minus check_owner and mac.
    assertThat(Json.compact(LocalNics.ofVm(vm, CN).get("90:b8:d0:00:0e:02"))).isEqualTo("{\"cn_uuid\":\"" + CN
        + "\",\"belongs_to_uuid\":\"172d8215-7d09-4802-9af4-8fbd4d71fe91\",\"belongs_to_type\":\"zone\","
        + "\"owner_uuid\":\"a0e1b5e4-5b6f-4c7a-8b9c-0d1e2f3a4b5c\",\"state\":\"stopped\",\"gateway\":\"10.88.88.1\","
        + "\"mtu\":1500,\"netmask\":\"255.255.255.0\",\"network_uuid\":\"dddddddd-0000-4000-8000-0000000e0001\","
        + "\"nic_tag\":\"external\",\"primary\":true,\"ip\":\"10.88.88.202\",\"vlan_id\":0}");
  }
}
