package com.joyent.mockcloud.cnagent;

import static com.joyent.mockcloud.cnagent.CreatedVms.params;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** machine_update_nics as a SmartOS CN runs it when NAPI changes a network. */
class MachineUpdateNicsTaskTest {
  @TempDir Path tmp;
  CnAgentHarness cn;

  @BeforeEach
  void startCn() throws Exception {
    cn = new CnAgentHarness(tmp).awaitRegistered();
  }

  @AfterEach
  void stopCn() {
    cn.close();
  }

  static Map<String, Object> nic(String mac, String ip, String tag) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("mac", mac);
    n.put("ip", ip);
    n.put("netmask", "255.255.255.0");
    n.put("nic_tag", tag);
    n.put("vlan_id", 0);
    n.put("primary", true);
    return n;
  }

  String vmWith(Map<String, Object> nic) throws Exception {
    Map<String, Object> p = MachineCreateTaskTest.minimal(UUID.randomUUID().toString());
    p.put("nics", List.of(nic));
    return CreatedVms.create(cn, p);
  }

  static Map<String, Object> network(String subnet) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("uuid", UUID.randomUUID().toString());
    n.put("subnet", subnet);
    n.put("netmask", "255.255.255.0");
    n.put("vlan_id", 0);
    n.put("nic_tag", "external");
    return n;
  }

  @Test
  void updateNics_vmOnTheNetwork_getsGatewayResolversAndRoutes_othersAreUntouched() throws Exception {
    String on = vmWith(nic("90:b8:d0:00:10:01", "10.1.2.10", "external"));
    String off = vmWith(nic("90:b8:d0:00:10:02", "10.7.7.10", "external"));
    byte[] offBefore = Files.readAllBytes(cn.vmFile(off));
    Map<String, Object> net = network("10.1.2.0/24");
    net.put("gateway", "10.1.2.254");
    net.put("resolvers", List.of("8.8.8.8", "8.8.4.4"));
    net.put("routes", Map.of("10.9.0.0/16", "10.1.2.1"));

    CnAgentHarness.Answer a = cn.call("machine_update_nics",
        params("uuid", on, "original_network", network("10.1.2.0/24"), "networks", List.of(net)));

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    Map<String, Object> disk = cn.vmOnDisk(on);
    assertThat(a.vm()).containsEntry("resolvers", List.of("8.8.8.8", "8.8.4.4"));
    assertThat(disk).containsEntry("resolvers", List.of("8.8.8.8", "8.8.4.4"))
        .containsEntry("routes", Map.of("10.9.0.0/16", "10.1.2.1"));
    @SuppressWarnings("unchecked")
    Map<String, Object> nic = ((List<Map<String, Object>>) disk.get("nics")).get(0);
    assertThat(nic).containsEntry("gateway", "10.1.2.254");
    assertThat(Files.readAllBytes(cn.vmFile(off))).isEqualTo(offBefore);
    Map<String, Object> entry = cn.history().get(cn.history().size() - 1);
    assertThat(CnAgentHarness.messageNames(entry)).containsExactly("progress", "start",
        "start:pre_check", "progress", "end:pre_check", "start:filter_vms", "progress", "end:filter_vms",
        "start:perform_updates", "progress", "progress", "end:perform_updates", "finish");
  }

  @Test
  void updateNics_withoutUuid_asCnapiSendsIt_updatesTheVmsThenCrashes() throws Exception {
    String on = vmWith(nic("90:b8:d0:00:10:03", "10.1.2.11", "external"));
    Map<String, Object> net = network("10.1.2.0/24");
    net.put("resolvers", List.of("1.1.1.1"));

    CnAgentHarness.Answer a = cn.call("machine_update_nics",
        params("original_network", network("10.1.2.0/24"), "networks", List.of(net)));

    assertThat(a.status()).isEqualTo(500);
    assertThat((String) a.json().get("error")).startsWith("Child task process machine_update_nics did not terminate");
    assertThat(cn.vmOnDisk(on)).containsEntry("resolvers", List.of("1.1.1.1"));
  }

  @Test
  void updateNics_invalidNetworks_failsNamingThem_andChangesNothing() throws Exception {
    String on = vmWith(nic("90:b8:d0:00:10:04", "10.1.2.12", "external"));
    byte[] before = Files.readAllBytes(cn.vmFile(on));
    Map<String, Object> bad = network("10.1.2/24");

    assertThat(cn.call("machine_update_nics", params("uuid", on, "networks", List.of(), "original_network",
        Map.of())).body()).isEqualTo("{\"error\":\"Invalid request parameters: networks, original_network\"}");
    assertThat(cn.call("machine_update_nics", params("uuid", on, "networks", List.of(bad), "original_network",
        network("10.1.2.0/24"))).body())
        .isEqualTo("{\"error\":\"Invalid request parameter: networks (" + bad.get("uuid") + ")\"}");
    assertThat(Files.readAllBytes(cn.vmFile(on))).isEqualTo(before);
  }

  @Test
  void routeProperties_setAndRemoveAgainstTheOldRoutes() {
    Map<String, Object> payload = new LinkedHashMap<>();
    Map<String, Object> fresh = new LinkedHashMap<>();
    fresh.put("10.2.0.0/16", "10.1.2.1");
    MachineUpdateNicsTask.addRouteProperties(payload, Map.of("10.3.0.0/16", "10.1.2.1"), fresh);
    assertThat(payload).containsEntry("set_routes", fresh).containsEntry("remove_routes", List.of("10.3.0.0/16"));

    Map<String, Object> onlyRemove = new LinkedHashMap<>();
    MachineUpdateNicsTask.addRouteProperties(onlyRemove, Map.of("10.3.0.0/16", "x"), new LinkedHashMap<>());
    assertThat(onlyRemove).containsOnlyKeys("remove_routes");
  }
}
