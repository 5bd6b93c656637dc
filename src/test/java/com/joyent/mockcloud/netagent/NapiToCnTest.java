package com.joyent.mockcloud.netagent;

import static com.joyent.mockcloud.netagent.NetAgentHarness.await;
import static com.joyent.mockcloud.netagent.NetAgentHarness.awaitSettled;
import static com.joyent.mockcloud.netagent.NetAgentHarness.createVm;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNic;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNicOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NAPI → CN: network-derived fields into the VM file (spec §2.7–2.9, §2.11 H–K; conformance 27–33). */
class NapiToCnTest {
  @TempDir Path tmp;
  private NetAgentHarness h;
  private ServerDirectory d;
  private ServerVms vms;
  private NetAgent agent;

  @BeforeEach
  void setUp() throws Exception {
    h = new NetAgentHarness(tmp);
    d = h.newServer(FakeNapi.newMac(), "10.199.0.41", FakeNapi.newMac());
    vms = h.vmsOf(d);
    agent = h.start(d);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private String runningVmWithNic(String mac, String ip) throws Exception {
    String vm = createVm(vms, "running", List.of(vmNic(mac, ip, true)));
    await(() -> h.napi.nics.containsKey(mac), "NIC created");
    await(() -> List.of("8.8.8.8").equals(vms.load(vm).get("resolvers")), "first resolvers");
    awaitSettled(agent);
    await(() -> agent.stats().changefeedConnected(), "changefeed");
    return vm;
  }

  @Test
  void networkResolversChanged_flowIntoVmFile() throws Exception {
    String mac = FakeNapi.newMac();
    String vm = runningVmWithNic(mac, "10.88.88.70");
    h.napi.changeNetwork(NetAgentHarness.EXTERNAL, Map.of("resolvers", List.of("1.1.1.1", "8.8.4.4")));
    await(() -> List.of("1.1.1.1", "8.8.4.4").equals(vms.load(vm).get("resolvers")), "new resolvers in the VM");
  }

  @Test
  void networkGatewayChanged_flowsIntoVmNic() throws Exception {
    String mac = FakeNapi.newMac();
    String vm = runningVmWithNic(mac, "10.88.88.71");
    h.napi.changeNetwork(NetAgentHarness.EXTERNAL, Map.of("gateway", "10.88.88.254"));
    await(() -> "10.88.88.254".equals(vmNicOf(vms, vm, mac).get("gateway")), "gateway in the VM NIC");
    assertThat(vmNicOf(vms, vm, mac)).containsEntry("gateways", List.of("10.88.88.254"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void networkRoutes_replaceRoutesOfVm() throws Exception {
    String mac = FakeNapi.newMac();
    String vm = runningVmWithNic(mac, "10.88.88.72");
    vms.update(vm, Map.of("set_routes", Map.of("192.168.0.0/16", "10.88.88.9")));
    h.napi.changeNetwork(NetAgentHarness.EXTERNAL, Map.of("routes", Map.of("10.1.2.0/24", "172.26.7.170")));
    await(() -> Map.of("10.1.2.0/24", "172.26.7.170").equals(vms.load(vm).get("routes")), "exactly NAPI's routes");
  }

  @Test
  void noNicResolvers_leavesResolversAlone() throws Exception {
    String mac = FakeNapi.newMac();
    Map<String, Object> p = new LinkedHashMap<>();
    String vm = UUID.randomUUID().toString();
    p.put("uuid", vm);
    p.put("brand", "joyent-minimal");
    p.put("owner_uuid", NetAgentHarness.OWNER);
    p.put("resolvers", List.of("9.9.9.9"));
    p.put("internal_metadata", Map.of("no_nic_resolvers", true));
    p.put("nics", List.of(vmNic(mac, "10.88.88.73", true)));
    vms.create(p);
    await(() -> "10.88.88.1".equals(vmNicOf(vms, vm, mac).get("gateway")), "NIC fields arrive");
    awaitSettled(agent);
    h.awaitQuiet();
    assertThat(vms.load(vm).get("resolvers")).isEqualTo(List.of("9.9.9.9"));
  }

  @Test
  void provisioningVm_routesAndResolversUntouched() throws Exception {
    String mac = FakeNapi.newMac();
    // As cn-agent's machine_create leaves a VM mid-provision: written by hand, then noticed.
    String vm = UUID.randomUUID().toString();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", vm);
    p.put("brand", "joyent-minimal");
    p.put("owner_uuid", NetAgentHarness.OWNER);
    p.put("state", "provisioning");
    p.put("nics", List.of(vmNic(mac, "10.88.88.74", true)));
    java.nio.file.Files.write(d.vmsDir().resolve(vm + ".json"), com.joyent.mockcloud.json.Json.prettyBytes(p, 2));
    vms.rescan();
    await(() -> h.napi.nics.containsKey(mac), "NIC created");
    awaitSettled(agent);
    h.awaitQuiet();
    assertThat(vms.load(vm)).doesNotContainKey("resolvers");
  }

  @Test
  void antiSpoofFlagSetInNapi_reachesVmNic_andUnsetRemovesIt() throws Exception {
    String mac = FakeNapi.newMac();
    String vm = runningVmWithNic(mac, "10.88.88.75");
    h.napi.changeNic(mac, Map.of("allow_ip_spoofing", true));
    await(() -> Boolean.TRUE.equals(vmNicOf(vms, vm, mac).get("allow_ip_spoofing")), "flag set in VM");
    h.napi.changeNic(mac, Map.of("allow_ip_spoofing", false));
    await(() -> !vmNicOf(vms, vm, mac).containsKey("allow_ip_spoofing"), "flag removed from VM");
    assertThat(h.napi.writes()).noneMatch(r -> r.path().startsWith("/nics/" + mac.replace(":", "")));
  }

  @Test
  void nicDeletedInNapi_isRemovedFromVm_andVmRebooted_withoutNapiWrites() throws Exception {
    String keep = FakeNapi.newMac();
    String mac = FakeNapi.newMac();
    String vm = createVm(vms, "running", List.of(vmNic(keep, "10.88.88.76", true), vmNic(mac, "10.88.88.77", false)));
    await(() -> h.napi.nics.containsKey(mac) && h.napi.nics.containsKey(keep), "NICs created");
    awaitSettled(agent);
    await(() -> agent.stats().changefeedConnected(), "changefeed");
    List<String> states = new ArrayList<>();
    vms.subscribe(e -> {
      if (e.type() == VmEvent.Type.MODIFY && e.zonename().equals(vm)) {
        synchronized (states) {
          states.add(e.vm().get("state") + "/" + e.vm().get("autoboot"));
        }
      }
    });
    h.napi.clearReceived();
    h.napi.removeNic(mac);
    await(() -> vmNicOf(vms, vm, mac) == null, "NIC gone from the VM file");
    await(() -> {
      synchronized (states) {
        return states.contains("shutting_down/false") && states.get(states.size() - 1).equals("running/true");
      }
    }, "reboot");
    synchronized (states) {
      assertThat(states.subList(states.size() - 3, states.size()))
          .containsExactly("shutting_down/false", "stopped/false", "running/true");
    }
    h.awaitQuiet();
    // Nothing is written about the deleted NIC; the kept one may see the reboot's state PUTs.
    assertThat(h.napi.writes()).allSatisfy(r -> {
      assertThat(r.path()).isEqualTo("/nics/" + keep.replace(":", ""));
      assertThat(r.body()).containsOnlyKeys("state", "check_owner");
    });
    assertThat(vmNicOf(vms, vm, keep)).isNotNull();
  }

  @Test
  void napiNicGivenToAnotherVm_isRemovedLocallyOnNextRefresh_withoutNapiWrites() throws Exception {
    String mac = FakeNapi.newMac();
    String vm = runningVmWithNic(mac, "10.88.88.78");
    String other = UUID.randomUUID().toString();
    h.napi.changeNic(mac, Map.of("belongs_to_uuid", other)); // no changefeed item for this field
    h.napi.clearReceived();
    h.napi.publishNic(mac, List.of("allow_ip_spoofing")); // stands in for the next refresh
    await(() -> vmNicOf(vms, vm, mac) == null, "NIC removed from the VM");
    h.awaitQuiet();
    assertThat(h.napi.writes()).isEmpty();
    assertThat(h.napi.nics.get(mac)).containsEntry("belongs_to_uuid", other);
  }
}
