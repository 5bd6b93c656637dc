package com.joyent.mockcloud.netagent;

import static com.joyent.mockcloud.netagent.NetAgentHarness.await;
import static com.joyent.mockcloud.netagent.NetAgentHarness.awaitSettled;
import static com.joyent.mockcloud.netagent.NetAgentHarness.createVm;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNic;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNicOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.vm.ServerVms;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VM NICs, CN → NAPI (spec §2.7–2.8, §2.11 C–G; conformance 17–19, 21–26, 34). */
class VmNicsTest {
  @TempDir Path tmp;
  private NetAgentHarness h;
  private ServerDirectory d;
  private String cn;
  private ServerVms vms;

  @BeforeEach
  void setUp() throws Exception {
    h = new NetAgentHarness(tmp);
    String dnet0 = FakeNapi.newMac();
    String dnet1 = FakeNapi.newMac();
    d = h.newServer(dnet0, "10.199.0.40", dnet1);
    cn = d.uuid().toString();
    vms = h.vmsOf(d);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static String path(String mac) {
    return "/nics/" + mac.replace(":", "");
  }

  @Test
  void newVmNic_unknownToNapi_isCreatedWithOwnerAndBelongsTo() throws Exception {
    NetAgent agent = h.start(d);
    awaitSettled(agent);
    String mac = FakeNapi.newMac();
    String vm = createVm(vms, "running", List.of(vmNic(mac, "10.88.88.50", true)));
    await(() -> h.napi.nics.containsKey(mac), "the VM NIC in NAPI");

    List<FakeNapi.Received> posts = h.napi.requests("POST", "/nics");
    Map<String, Object> body = posts.get(posts.size() - 1).body();
    assertThat(Json.compact(body)).isEqualTo("{\"check_owner\":false,\"cn_uuid\":\"" + cn + "\",\"belongs_to_uuid\":\""
        + vm + "\",\"belongs_to_type\":\"zone\",\"owner_uuid\":\"" + NetAgentHarness.OWNER
        + "\",\"state\":\"running\",\"netmask\":\"255.255.255.0\",\"nic_tag\":\"external\",\"primary\":true,"
        + "\"ip\":\"10.88.88.50\",\"vlan_id\":0,\"mac\":\"" + mac + "\"}");
    assertThat(h.napi.requests("GET", path(mac))).isNotEmpty();
    assertThat(h.napi.nics.get(mac)).containsEntry("belongs_to_uuid", vm).containsEntry("owner_uuid",
        NetAgentHarness.OWNER).containsEntry("cn_uuid", cn).containsEntry("belongs_to_type", "zone");
    // NAPI's network fields come back into the VM file.
    await(() -> "10.88.88.1".equals(vmNicOf(vms, vm, mac).get("gateway")), "gateway in the VM file");
    assertThat(vmNicOf(vms, vm, mac)).containsEntry("network_uuid", NetAgentHarness.EXTERNAL)
        .containsEntry("mtu", 1500).containsEntry("gateways", List.of("10.88.88.1"));
    await(() -> List.of("8.8.8.8").equals(vms.load(vm).get("resolvers")), "resolvers in the VM file");
  }

  @Test
  void vmProvisionedThroughVmapi_putsRunningAndCnUuid_andVmGetsNetworkFields() throws Exception {
    String mac = FakeNapi.newMac();
    String vm = java.util.UUID.randomUUID().toString();
    Map<String, Object> rec = h.napiNicFor(mac, "10.88.88.60", vm, "provisioning");
    h.napi.putNic(rec);
    NetAgent agent = h.start(d);
    awaitSettled(agent);
    Map<String, Object> payload = new java.util.LinkedHashMap<>();
    payload.put("uuid", vm);
    payload.put("brand", "joyent-minimal");
    payload.put("owner_uuid", NetAgentHarness.OWNER);
    payload.put("state", "running");
    payload.put("nics", List.of(vmNic(mac, "10.88.88.60", true)));
    vms.create(payload);
    await(() -> "running".equals(h.napi.nics.get(mac).get("state")), "state running in NAPI");
    List<FakeNapi.Received> puts = h.napi.requests("PUT", path(mac));
    assertThat(Json.compact(puts.get(0).body()))
        .isEqualTo("{\"cn_uuid\":\"" + cn + "\",\"state\":\"running\",\"check_owner\":false}");
    await(() -> NetAgentHarness.EXTERNAL.equals(vmNicOf(vms, vm, mac).get("network_uuid")), "network_uuid in VM");
    assertThat(vmNicOf(vms, vm, mac)).containsEntry("gateway", "10.88.88.1").containsEntry("mtu", 1500);
    assertThat(h.napi.requests("POST", "/nics")).extracting(r -> r.body().get("mac")).doesNotContain(mac);
  }

  @Test
  void vmStopped_putsStoppedOnly() throws Exception {
    String mac = FakeNapi.newMac();
    NetAgent agent = h.start(d);
    String vm = createVm(vms, "running", List.of(vmNic(mac, "10.88.88.51", true)));
    await(() -> h.napi.nics.containsKey(mac), "created");
    awaitSettled(agent);
    h.awaitQuiet();
    h.napi.clearReceived();
    vms.stop(vm);
    await(() -> "stopped".equals(h.napi.nics.get(mac).get("state")), "state stopped in NAPI");
    assertThat(h.napi.writes()).extracting(r -> Json.compact(r.body()))
        .containsExactly("{\"state\":\"stopped\",\"check_owner\":false}");
  }

  @Test
  void ownerChanged_putsNewOwner() throws Exception {
    String mac = FakeNapi.newMac();
    NetAgent agent = h.start(d);
    String vm = createVm(vms, "running", List.of(vmNic(mac, "10.88.88.52", true)));
    await(() -> h.napi.nics.containsKey(mac), "created");
    awaitSettled(agent);
    String newOwner = java.util.UUID.randomUUID().toString();
    vms.update(vm, Map.of("owner_uuid", newOwner));
    await(() -> newOwner.equals(h.napi.nics.get(mac).get("owner_uuid")), "owner in NAPI");
    assertThat(Json.compact(h.napi.requests("PUT", path(mac)).get(0).body()))
        .isEqualTo("{\"owner_uuid\":\"" + newOwner + "\",\"check_owner\":false}");
  }

  @Test
  void wrongCnUuidInNapi_isCorrected() throws Exception {
    String mac = FakeNapi.newMac();
    String vm = createVm(vms, "running", List.of(vmNic(mac, "10.88.88.53", true)));
    Map<String, Object> rec = h.napiNicFor(mac, "10.88.88.53", vm, "running");
    rec.put("cn_uuid", java.util.UUID.randomUUID().toString());
    h.napi.putNic(rec);
    h.start(d);
    await(() -> cn.equals(h.napi.nics.get(mac).get("cn_uuid")), "cn_uuid corrected");
  }

  @Test
  void nicRemovedFromVm_isDeletedWithLastEtag() throws Exception {
    String keep = FakeNapi.newMac();
    String gone = FakeNapi.newMac();
    NetAgent agent = h.start(d);
    String vm = createVm(vms, "running", List.of(vmNic(keep, "10.88.88.54", true), vmNic(gone, "10.88.88.55", false)));
    await(() -> h.napi.nics.containsKey(gone) && h.napi.nics.containsKey(keep), "both created");
    awaitSettled(agent);
    String etag = h.napi.etags.get(gone);
    vms.update(vm, Map.of("remove_nics", List.of(gone)));
    await(() -> !h.napi.nics.containsKey(gone), "NIC deleted in NAPI");
    List<FakeNapi.Received> deletes = h.napi.requests("DELETE", path(gone));
    assertThat(deletes).hasSize(1);
    assertThat(deletes.get(0).header("if-match")).isEqualTo(etag);
    assertThat(h.napi.nics).containsKey(keep);
  }

  @Test
  void deleteAnswered412_refetchesThenDeletesWithNewEtag() throws Exception {
    String mac = FakeNapi.newMac();
    NetAgent agent = h.start(d);
    String vm = createVm(vms, "running", List.of(vmNic(mac, "10.88.88.56", true)));
    await(() -> h.napi.nics.containsKey(mac), "created");
    awaitSettled(agent);
    h.awaitQuiet();
    h.napi.clearReceived();
    h.napi.deletePreconditionFailures.set(1);
    vms.delete(vm);
    await(() -> !h.napi.nics.containsKey(mac), "NIC deleted in NAPI");
    List<FakeNapi.Received> calls = h.napi.received(r -> r.path().equals(path(mac)));
    assertThat(calls).extracting(FakeNapi.Received::method).containsExactly("DELETE", "GET", "DELETE");
    assertThat(calls.get(2).header("if-match")).isNotEqualTo(calls.get(0).header("if-match"));
  }

  @Test
  void vmDeleted_deletesEveryNic() throws Exception {
    String a = FakeNapi.newMac();
    String b = FakeNapi.newMac();
    NetAgent agent = h.start(d);
    String vm = createVm(vms, "stopped", List.of(vmNic(a, "10.88.88.57", true), vmNic(b, "10.88.88.58", false)));
    await(() -> h.napi.nics.containsKey(a) && h.napi.nics.containsKey(b), "created");
    awaitSettled(agent);
    vms.delete(vm);
    await(() -> !h.napi.nics.containsKey(a) && !h.napi.nics.containsKey(b), "both deleted");
    assertThat(h.napi.received(r -> r.method().equals("DELETE"))).hasSize(2);
  }

  @Test
  void releasedNicOwnedByAnotherVmOrProvisioning_isNotDeleted() throws Exception {
    String foreign = FakeNapi.newMac();
    String provisioning = FakeNapi.newMac();
    NetAgent agent = h.start(d);
    String vm = createVm(vms, "running", List.of(vmNic(foreign, "10.88.88.61", true),
        vmNic(provisioning, "10.88.88.62", false)));
    await(() -> h.napi.nics.containsKey(foreign) && h.napi.nics.containsKey(provisioning), "created");
    awaitSettled(agent);
    // NAPI changes behind the agent's back; it notices only at the release (412 → re-GET).
    h.napi.changeNicSilently(foreign, Map.of("belongs_to_uuid", java.util.UUID.randomUUID().toString()));
    h.napi.changeNicSilently(provisioning, Map.of("state", "provisioning"));
    h.napi.clearReceived();
    vms.delete(vm);
    await(() -> h.napi.received(r -> r.method().equals("GET")).size() >= 2, "re-reads after 412");
    h.awaitQuiet();
    assertThat(h.napi.nics).containsKeys(foreign, provisioning);
    assertThat(h.napi.received(r -> r.method().equals("DELETE"))).allMatch(r -> r.header("if-match") != null);
  }

  @Test
  void primaryNic_isNeverUnset() throws Exception {
    String first = FakeNapi.newMac();
    NetAgent agent = h.start(d);
    String vm = createVm(vms, "running", List.of(vmNic(first, "10.88.88.63", true)));
    await(() -> h.napi.nics.containsKey(first), "created");
    awaitSettled(agent);
    String second = FakeNapi.newMac();
    Map<String, Object> nic = vmNic(second, "10.88.88.64", true);
    vms.update(vm, Map.of("add_nics", List.of(nic)));
    await(() -> h.napi.nics.containsKey(second), "second created");
    awaitSettled(agent);
    assertThat(h.napi.nics.get(second)).containsEntry("primary", true);
    assertThat(h.napi.received(r -> r.body() != null && Boolean.FALSE.equals(r.body().get("primary")))).isEmpty();
  }

  @Test
  void doNotInventoryVm_isLeftAlone_andTrackingStopsWithoutDelete() throws Exception {
    String dniMac = FakeNapi.newMac();
    String mac = FakeNapi.newMac();
    NetAgent agent = h.start(d);
    Map<String, Object> p = new java.util.LinkedHashMap<>();
    p.put("uuid", java.util.UUID.randomUUID().toString());
    p.put("brand", "joyent-minimal");
    p.put("owner_uuid", NetAgentHarness.OWNER);
    p.put("do_not_inventory", true);
    p.put("nics", List.of(vmNic(dniMac, "10.88.88.65", true)));
    vms.create(p);
    String vm = createVm(vms, "running", List.of(vmNic(mac, "10.88.88.66", true)));
    await(() -> h.napi.nics.containsKey(mac), "the other VM's NIC");
    awaitSettled(agent);
    assertThat(h.napi.received(r -> r.path().equals(path(dniMac)))).isEmpty();

    vms.update(vm, Map.of("do_not_inventory", true));
    await(() -> {
      try {
        return !agent.nicStates().get().containsKey(mac);
      } catch (Exception e) {
        return false;
      }
    }, "tracking stopped");
    assertThat(h.napi.nics).containsKey(mac);
    assertThat(h.napi.received(r -> r.method().equals("DELETE"))).isEmpty();
  }
}
