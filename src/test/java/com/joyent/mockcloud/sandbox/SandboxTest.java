package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxTest {
  private static final String CN = Fixtures.CN_A;
  private static final String VM = Fixtures.VM_1;

  @Test
  void start_listensOnThreeLoopbackPorts_closeReleasesThem() throws Exception {
    Sandbox sb = Sandbox.start();
    List<String> urls = List.of(sb.napiUrl(), sb.cnapiUrl(), sb.vmapiUrl());
    assertThat(urls).allMatch(u -> u.startsWith("http://127.0.0.1:")).doesNotHaveDuplicates();
    assertThat(sb.adminUuid()).isEqualTo(SandboxOptions.DEFAULT_ADMIN_UUID);
    assertThat(sb.datacenter()).isEqualTo("sandbox");
    assertThat(sb.describe()).contains(sb.napiUrl(), sb.cnapiUrl(), sb.vmapiUrl());
    assertThat(TestHttp.get(sb.cnapiUrl() + "/ping").status()).isEqualTo(200);
    assertThat(TestHttp.get(sb.vmapiUrl() + "/ping").status()).isEqualTo(200);
    int port = Integer.parseInt(sb.cnapiUrl().substring(sb.cnapiUrl().lastIndexOf(':') + 1));
    sb.close();
    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      }
    }).isInstanceOf(ConnectException.class);
  }

  /** What the benchmark reads: each stand-in's requests since the last reset, refused ones too. */
  @Test
  void mockcloudStats_countsEachStandInsRequests_andResetStartsANewWindow() {
    try (Sandbox sb = Sandbox.start()) {
      TestHttp.get(sb.cnapiUrl() + "/mockcloud/stats?reset=true");
      TestHttp.get(sb.sapiUrl() + "/ping");
      TestHttp.get(sb.sapiUrl() + "/no-such-route");
      TestHttp.get(sb.fwapiUrl() + "/rules");
      TestHttp.get(sb.vmapiUrl() + "/ping");
      Map<?, ?> first = (Map<?, ?>) TestHttp.get(sb.cnapiUrl() + "/mockcloud/stats?reset=true").json();
      // The stats request itself is CNAPI's one request of the window.
      assertThat(first.get("requests")).isEqualTo(Map.of("napi", 0, "cnapi", 1, "vmapi", 1, "sapi", 2,
          "fwapi", 1));
      Map<?, ?> second = (Map<?, ?>) TestHttp.get(sb.cnapiUrl() + "/mockcloud/stats").json();
      assertThat(second.get("requests")).isEqualTo(Map.of("napi", 0, "cnapi", 1, "vmapi", 0, "sapi", 0,
          "fwapi", 0));
    }
  }

  @Test
  void options_invalidValues_failWithTheValue() {
    assertThatThrownBy(() -> SandboxOptions.defaults().withAdminSubnet("10.99.0.0/33"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.99.0.0/33");
    assertThatThrownBy(() -> SandboxOptions.defaults().withAdminUuid("ADMIN"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ADMIN");
    assertThatThrownBy(() -> SandboxOptions.defaults().withDatacenter(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("datacenter");
    assertThat(SandboxOptions.defaults().withRandomAdminUuid().adminUuid()).isNotEqualTo(SandboxOptions.DEFAULT_ADMIN_UUID);
  }

  @Test
  void options_customSubnets_shapeTheNetworks() {
    try (Sandbox sb = Sandbox.start(SandboxOptions.defaults().withAdminSubnet("172.16.0.0/20")
        .withExternalSubnet("192.168.5.0/24").withDatacenter("dc1"))) {
      assertThat(sb.napi().nics().network("admin")).containsEntry("subnet", "172.16.0.0/20")
          .containsEntry("netmask", "255.255.240.0");
      assertThat(sb.napi().nics().network("external")).containsEntry("gateway", "192.168.5.1");
    }
  }

  /** What create-server, a mock CN's agents and delete-server do, end to end. */
  @Test
  void createServerLifecycleDeleteServer_leavesNothingBehind() throws Exception {
    try (Sandbox sb = Sandbox.start(SandboxOptions.defaults()); FakeCnAgent agent = new FakeCnAgent()) {
      String napi = sb.napiUrl();
      String admin = sb.adminUuid();
      // create-server: admin NIC by MAC, IP from NAPI.
      assertThat(TestHttp.get(napi + "/nics/0010fe3a9f21").object()).containsEntry("code", "ResourceNotFound");
      Map<String, Object> nic = TestHttp.post(napi + "/networks/admin/nics", Map.of("belongs_to_type", "other",
          "belongs_to_uuid", admin, "owner_uuid", admin, "mac", "00:10:fe:3a:9f:21",
          "nic_tags_provided", List.of("admin"))).object();
      String adminIp = (String) nic.get("ip");
      Map<String, Object> sysinfo = new java.util.LinkedHashMap<>(Fixtures.sysinfo(CN, agent.ip(), agent.port()));
      sysinfo.put("Admin IP", adminIp);

      // The CN's agents: register, heartbeat, net-agent claims the NIC, vm-agent reports a VM.
      assertThat(TestHttp.post(sb.cnapiUrl() + "/servers/" + CN + "/sysinfo", Map.of("sysinfo", sysinfo)).status())
          .isEqualTo(200);
      assertThat(TestHttp.post(sb.cnapiUrl() + "/servers/" + CN + "/events/heartbeat", Map.of()).status())
          .isEqualTo(204);
      assertThat(TestHttp.put(napi + "/nics/0010fe3a9f21", Map.of("belongs_to_type", "server", "belongs_to_uuid", CN,
          "state", "running", "check_owner", false)).status()).isEqualTo(200);
      TestHttp.post(napi + "/nics", Map.of("belongs_to_type", "zone", "belongs_to_uuid", VM, "owner_uuid", admin,
          "cn_uuid", CN, "network_uuid", sb.napi().externalNetworkUuid(), "mac", "90:b8:d0:00:00:01",
          "state", "running"));
      TestHttp.put(sb.vmapiUrl() + "/vms/" + VM, Fixtures.vm(VM, CN, "running"));
      String id = (String) TestHttp.post(sb.cnapiUrl() + "/servers/" + CN + "/nop", Map.of()).object().get("id");
      assertThat(TestHttp.get(sb.cnapiUrl() + "/tasks/" + id + "/wait").object()).containsEntry("status", "complete");

      // delete-server.
      assertThat(TestHttp.delete(sb.cnapiUrl() + "/servers/" + CN).status()).isEqualTo(200);
      for (Map<String, Object> n : TestHttp.get(napi + "/nics?belongs_to_uuid=" + CN).array()) {
        assertThat(TestHttp.delete(napi + "/nics/" + ((String) n.get("mac")).replace(":", "")).status())
            .isEqualTo(204);
      }
      for (Map<String, Object> vm : TestHttp.get(sb.vmapiUrl() + "/vms?server_uuid=" + CN).array()) {
        Map<String, Object> synced = TestHttp.get(sb.vmapiUrl() + "/vms/" + vm.get("uuid") + "?sync=true").object();
        assertThat(synced).containsEntry("state", "destroyed");
        for (Map<String, Object> n : TestHttp.get(napi + "/nics?belongs_to_uuid=" + vm.get("uuid")).array()) {
          assertThat(TestHttp.delete(napi + "/nics/" + n.get("mac")).status()).isEqualTo(204);
        }
      }
      assertThat(TestHttp.get(napi + "/nics/0010fe3a9f21").status()).isEqualTo(404);
      assertThat(sb.napi().nics().size()).isZero();
      assertThat(sb.napi().nics().usedIps("admin")).isZero();
      assertThat(sb.napi().nics().usedIps("external")).isZero();
      assertThat(sb.cnapi().servers().size()).isZero();
      assertThat(TestHttp.get(sb.vmapiUrl() + "/vms?server_uuid=" + CN + "&state=active").array()).isEmpty();
    }
  }

  @Test
  void machineUpdateNics_routesToItsOwnTask() throws Exception {
    try (Sandbox sb = Sandbox.start(SandboxOptions.defaults()); FakeCnAgent agent = new FakeCnAgent()) {
      TestHttp.post(sb.cnapiUrl() + "/servers/" + CN + "/sysinfo",
          Map.of("sysinfo", Fixtures.sysinfo(CN, agent.ip(), agent.port())));
      assertThat(TestHttp.post(sb.cnapiUrl() + "/servers/" + CN + "/vms/nics/update", Map.of("nics", List.of()))
          .status()).isEqualTo(200);
      assertThat(agent.take().task()).isEqualTo("machine_update_nics");
    }
  }
}
