package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.testing.TestClock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NapiEndpointsTest {
  private static final String ADMIN = SandboxOptions.DEFAULT_ADMIN_UUID;
  private static final String CN = Fixtures.CN_A;
  private Sandbox sandbox;
  private String napi;

  @BeforeEach
  void start() {
    sandbox = Sandbox.start(SandboxOptions.defaults().withClock(TestClock.frozen()));
    napi = sandbox.napiUrl();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private Map<String, Object> adminNicBody(String mac) {
    return Map.of("belongs_to_type", "other", "belongs_to_uuid", ADMIN, "owner_uuid", ADMIN, "mac", mac,
        "nic_tags_provided", List.of("admin"));
  }

  @Test
  void ping_answersHealthy() {
    TestHttp.Reply r = TestHttp.get(napi + "/ping");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object()).containsEntry("healthy", true).containsEntry("status", "OK");
    assertThat(r.header("Server")).isEqualTo("napi/1.4.1");
  }

  @Test
  void createServerFlow_unknownMacThenProvisionOnAdmin_returnsAdminIp() {
    TestHttp.Reply missing = TestHttp.get(napi + "/nics/0010fe000037");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"nic not found\"}");

    TestHttp.Reply created = TestHttp.post(napi + "/networks/admin/nics", adminNicBody("00:10:fe:00:00:37"));
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.header("Etag")).isNotEmpty();
    Map<String, Object> nic = created.object();
    assertThat(nic).containsEntry("mac", "00:10:fe:00:00:37").containsEntry("belongs_to_type", "other")
        .containsEntry("belongs_to_uuid", ADMIN).containsEntry("owner_uuid", ADMIN)
        .containsEntry("primary", false).containsEntry("state", "provisioning")
        .containsEntry("ip", "10.99.0.10").containsEntry("netmask", "255.255.0.0")
        .containsEntry("nic_tag", "admin").containsEntry("vlan_id", 0).containsEntry("mtu", 1500)
        .containsEntry("network_uuid", sandbox.napi().adminNetworkUuid())
        .containsEntry("nic_tags_provided", List.of("admin"));
    assertThat(nic).doesNotContainKeys("allow_ip_spoofing", "underlay", "cn_uuid");
    assertThat(List.copyOf(nic.keySet()).subList(0, 8)).containsExactly("belongs_to_type", "belongs_to_uuid",
        "mac", "owner_uuid", "primary", "state", "created_timestamp", "modified_timestamp");

    TestHttp.Reply second = TestHttp.post(napi + "/networks/admin/nics", adminNicBody("00:10:fe:00:00:38"));
    // .11 is the admin network's resolver, which NAPI reserves when it creates the network.
    assertThat(second.object()).containsEntry("ip", "10.99.0.12");

    TestHttp.Reply got = TestHttp.get(napi + "/nics/0010fe000037");
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.object()).isEqualTo(nic);
    assertThat(got.header("Etag")).isEqualTo(created.header("Etag"));
    assertThat(sandbox.napi().nics().find("00:10:fe:00:00:37")).isEqualTo(nic);
  }

  @Test
  void provisionNic_unknownNetwork_is404() {
    TestHttp.Reply r = TestHttp.post(napi + "/networks/" + CN + "/nics", adminNicBody("00:10:fe:00:00:37"));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"network not found\"}");
  }

  @Test
  void createNic_duplicateMac_is422Duplicate() {
    TestHttp.post(napi + "/networks/admin/nics", adminNicBody("00:10:fe:00:00:37"));
    TestHttp.Reply dup = TestHttp.post(napi + "/nics", adminNicBody("00:10:fe:00:00:37"));
    assertThat(dup.status()).isEqualTo(422);
    assertThat(dup.body()).isEqualTo("{\"code\":\"InvalidParameters\",\"message\":\"Invalid parameters\","
        + "\"errors\":[{\"field\":\"mac\",\"code\":\"Duplicate\",\"message\":\"Already exists\"}]}");
  }

  @Test
  void createNic_missingRequiredFields_is422MissingParameter() {
    TestHttp.Reply r = TestHttp.post(napi + "/nics", Map.of("mac", "00:10:fe:00:00:01"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.object()).containsEntry("code", "InvalidParameters");
    assertThat(r.errors()).containsExactly(
        Map.of("field", "belongs_to_type", "code", "MissingParameter", "message", "Missing parameter"),
        Map.of("field", "belongs_to_uuid", "code", "MissingParameter", "message", "Missing parameter"),
        Map.of("field", "owner_uuid", "code", "MissingParameter", "message", "Missing parameter"));
  }

  @Test
  void reservedAddresses_areNeverHandedOutNorClaimable() {
    // The admin resolver (.11), the external gateway (.1) and each network's broadcast address.
    for (String ip : List.of("10.99.0.11", "10.99.255.255")) {
      TestHttp.Reply r = TestHttp.post(napi + "/nics", Map.of("belongs_to_uuid", CN, "belongs_to_type", "server",
          "owner_uuid", ADMIN, "ip", ip, "nic_tag", "admin", "vlan_id", 0));
      assertThat(r.status()).as(ip).isEqualTo(422);
      assertThat(r.errors()).containsExactly(Map.of("field", "ip", "code", "Duplicate",
          "message", "IP " + ip + " exists on network " + sandbox.napi().adminNetworkUuid()));
    }
    TestHttp.Reply gw = TestHttp.post(napi + "/nics", Map.of("belongs_to_uuid", CN, "belongs_to_type", "server",
        "owner_uuid", ADMIN, "ip", "10.88.88.1", "network_uuid", sandbox.napi().externalNetworkUuid()));
    assertThat(gw.status()).isEqualTo(422);
    assertThat(gw.errorFields()).containsExactly("ip");
    assertThat(sandbox.napi().nics().size()).isZero();
  }

  @Test
  void listIps_reservedMarkerAndHeldAddresses_inOrder_getIp_forAnyAddressOfTheSubnet() {
    String net = sandbox.napi().adminNetworkUuid();
    TestHttp.Reply nic = TestHttp.post(napi + "/networks/admin/nics", Map.of("belongs_to_type", "server",
        "belongs_to_uuid", CN, "owner_uuid", ADMIN));
    assertThat(nic.object()).containsEntry("ip", "10.99.0.10");

    TestHttp.Reply list = TestHttp.get(napi + "/networks/" + net + "/ips");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.array()).containsExactly(
        Map.of("ip", "10.99.0.9", "network_uuid", net, "reserved", false, "free", true),
        Map.of("ip", "10.99.0.10", "network_uuid", net, "reserved", false, "free", false,
            "belongs_to_type", "server", "belongs_to_uuid", CN, "owner_uuid", ADMIN),
        Map.of("ip", "10.99.0.11", "network_uuid", net, "reserved", true, "free", false,
            "belongs_to_type", "other", "belongs_to_uuid", ADMIN, "owner_uuid", ADMIN),
        Map.of("ip", "10.99.255.255", "network_uuid", net, "reserved", true, "free", false,
            "belongs_to_type", "other", "belongs_to_uuid", ADMIN, "owner_uuid", ADMIN));
    assertThat(TestHttp.get(napi + "/networks/" + net + "/ips?belongs_to_uuid=" + CN).array())
        .extracting(ip -> ip.get("ip")).containsExactly("10.99.0.10");
    assertThat(TestHttp.get(napi + "/networks/" + net + "/ips?limit=1&offset=2").array())
        .extracting(ip -> ip.get("ip")).containsExactly("10.99.0.11");

    assertThat(TestHttp.get(napi + "/networks/" + net + "/ips/10.99.3.3").object())
        .isEqualTo(Map.of("ip", "10.99.3.3", "network_uuid", net, "reserved", false, "free", true));
    assertThat(TestHttp.get(napi + "/networks/" + net + "/ips/10.99.0.10").object())
        .containsEntry("belongs_to_uuid", CN).containsEntry("free", false);
  }

  @Test
  void ips_badInput_isNapisError() {
    String net = sandbox.napi().adminNetworkUuid();
    TestHttp.Reply unknown = TestHttp.get(napi + "/networks/" + net + "/ips?color=red");
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.object()).containsEntry("code", "InvalidParameters");
    assertThat(unknown.errors()).containsExactly(Map.of("field", List.of("color"), "code", "UnknownParameters",
        "message", "Unknown parameters: color"));
    TestHttp.Reply badUuid = TestHttp.get(napi + "/networks/" + net + "/ips?owner_uuid=nope");
    assertThat(badUuid.status()).isEqualTo(422);
    assertThat(badUuid.errorFields()).containsExactly("owner_uuid");
    assertThat(TestHttp.get(napi + "/networks/" + CN + "/ips").object())
        .isEqualTo(Map.of("code", "ResourceNotFound", "message", "network not found"));
    assertThat(TestHttp.get(napi + "/networks/" + net + "/ips/10.98.0.1").object())
        .isEqualTo(Map.of("code", "ResourceNotFound", "message", "IP is not in subnet"));
    TestHttp.Reply notAnIp = TestHttp.get(napi + "/networks/" + net + "/ips/banana");
    assertThat(notAnIp.status()).isEqualTo(404);
    assertThat(notAnIp.object()).containsEntry("message", "Invalid IP address");
  }

  @Test
  void networkPools_createListGetUpdateDelete_andProvisionOnAPool() {
    String admin = sandbox.napi().adminNetworkUuid();
    String external = sandbox.napi().externalNetworkUuid();
    TestHttp.Reply created = TestHttp.post(napi + "/network_pools", Map.of("name", "pool0",
        "networks", List.of(admin), "description", "admin only"));
    assertThat(created.status()).isEqualTo(200);
    Map<String, Object> pool = created.object();
    String uuid = (String) pool.get("uuid");
    assertThat(pool).containsEntry("family", "ipv4").containsEntry("name", "pool0")
        .containsEntry("description", "admin only").containsEntry("networks", List.of(admin))
        .containsEntry("nic_tags_present", List.of("admin")).containsEntry("nic_tag", "admin");
    assertThat(TestHttp.get(napi + "/network_pools/" + uuid).object()).isEqualTo(pool);
    assertThat(TestHttp.get(napi + "/network_pools?name=pool0").array()).containsExactly(pool);
    assertThat(TestHttp.get(napi + "/network_pools?networks=" + external).array()).isEmpty();

    TestHttp.Reply nic = TestHttp.post(napi + "/networks/" + uuid + "/nics", adminNicBody("00:10:fe:00:00:40"));
    assertThat(nic.status()).isEqualTo(200);
    assertThat(nic.object()).containsEntry("network_uuid", admin).containsEntry("ip", "10.99.0.10");
    TestHttp.Reply withIp = TestHttp.post(napi + "/networks/" + uuid + "/nics", Map.of("belongs_to_type", "other",
        "belongs_to_uuid", ADMIN, "owner_uuid", ADMIN, "ip", "10.99.0.50"));
    assertThat(withIp.status()).isEqualTo(422);
    assertThat(withIp.errors()).extracting(e -> e.get("message"))
        .containsExactly("IP cannot be specified with a network pool");

    Map<String, Object> updated = TestHttp.put(napi + "/network_pools/" + uuid,
        Map.of("networks", List.of(external, admin))).object();
    assertThat((List<Object>) updated.get("networks")).containsExactlyInAnyOrder(admin, external);
    assertThat((List<Object>) updated.get("nic_tags_present")).containsExactlyInAnyOrder("admin", "external");
    assertThat(TestHttp.delete(napi + "/network_pools/" + uuid).status()).isEqualTo(204);
    TestHttp.Reply gone = TestHttp.get(napi + "/network_pools/" + uuid);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.object()).containsEntry("message", "network pool not found");
  }

  @Test
  void networkPools_badInput_isNapisError_andCreatesNothing() {
    TestHttp.Reply none = TestHttp.post(napi + "/network_pools", Map.of());
    assertThat(none.status()).isEqualTo(422);
    assertThat(none.errorFields()).containsExactly("name", "networks");
    TestHttp.Reply empty = TestHttp.post(napi + "/network_pools", Map.of("name", "p", "networks", List.of()));
    assertThat(empty.errors()).extracting(e -> e.get("message"))
        .containsExactly("network pool must contain at least one network");
    TestHttp.Reply unknown = TestHttp.post(napi + "/network_pools", Map.of("name", "p", "networks", List.of(CN)));
    assertThat(unknown.errors()).containsExactly(Map.of("field", "networks", "code", "InvalidParameter",
        "message", "unknown network", "invalid", List.of(CN)));
    TestHttp.post(napi + "/network_pools", Map.of("name", "p", "networks", List.of(sandbox.napi().adminNetworkUuid())));
    TestHttp.Reply dup = TestHttp.post(napi + "/network_pools", Map.of("name", "p",
        "networks", List.of(sandbox.napi().adminNetworkUuid())));
    assertThat(dup.errors()).containsExactly(Map.of("field", "name", "code", "Duplicate", "message", "Already exists"));
    assertThat(TestHttp.get(napi + "/network_pools").array()).hasSize(1);
    assertThat(TestHttp.get(napi + "/network_pools?colour=red").status()).isEqualTo(422);
  }

  @Test
  void createNic_invalidValues_listsEachField() {
    TestHttp.Reply r = TestHttp.post(napi + "/nics", Map.of("belongs_to_type", "vm", "belongs_to_uuid", "nope",
        "owner_uuid", ADMIN, "mac", "zz", "state", "weird", "nic_tags_provided", List.of("nosuchtag")));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.errorFields()).containsExactlyInAnyOrder("belongs_to_type", "belongs_to_uuid", "mac", "state", "nic_tags_provided");
  }

  @Test
  void createNic_netAgentStyleWithIpAndTag_findsNetworkAndClaimsIp() {
    Map<String, Object> body = Map.of("check_owner", false, "belongs_to_uuid", CN, "belongs_to_type", "server",
        "owner_uuid", ADMIN, "state", "running", "nic_tags_provided", List.of("admin"), "ip", "10.99.0.65",
        "nic_tag", "admin", "vlan_id", 0, "mac", "00:10:fe:00:00:37");
    TestHttp.Reply r = TestHttp.post(napi + "/nics", body);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object()).containsEntry("ip", "10.99.0.65").containsEntry("state", "running")
        .containsEntry("network_uuid", sandbox.napi().adminNetworkUuid());

    TestHttp.Reply taken = TestHttp.post(napi + "/nics", Map.of("belongs_to_uuid", CN, "belongs_to_type", "server",
        "owner_uuid", ADMIN, "ip", "10.99.0.65", "nic_tag", "admin", "vlan_id", 0));
    assertThat(taken.status()).isEqualTo(422);
    assertThat(taken.errors()).containsExactly(Map.of("field", "ip", "code", "Duplicate",
        "message", "IP 10.99.0.65 exists on network " + sandbox.napi().adminNetworkUuid()));
  }

  @Test
  void updateNic_changesFieldsAndEtag_staleIfMatchIs412() {
    TestHttp.Reply created = TestHttp.post(napi + "/networks/admin/nics", adminNicBody("00:10:fe:00:00:37"));
    String etag = created.header("Etag");
    TestHttp.Reply updated = TestHttp.send("PUT", napi + "/nics/0010fe000037",
        Map.of("belongs_to_type", "server", "belongs_to_uuid", CN, "state", "running", "check_owner", false),
        Map.of("If-Match", etag));
    assertThat(updated.status()).isEqualTo(200);
    assertThat(updated.object()).containsEntry("belongs_to_type", "server").containsEntry("belongs_to_uuid", CN)
        .containsEntry("state", "running").containsEntry("ip", "10.99.0.10");
    assertThat(updated.header("Etag")).isNotEqualTo(etag);

    TestHttp.Reply stale = TestHttp.send("DELETE", napi + "/nics/0010fe000037", null, Map.of("If-Match", etag));
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.object()).containsEntry("code", "PreconditionFailed")
        .containsEntry("message", "if-match '" + etag + "' didn't match etag '" + updated.header("Etag") + "'");
    assertThat(sandbox.napi().nics().find("00:10:fe:00:00:37")).isNotNull();
  }

  @Test
  void updateNic_missing_is404() {
    TestHttp.Reply r = TestHttp.put(napi + "/nics/0010fe0000ff", Map.of("state", "running"));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.object()).containsEntry("message", "nic not found");
  }

  @Test
  void deleteNic_freesIpAndThenIs404() {
    TestHttp.Reply created = TestHttp.post(napi + "/networks/admin/nics", adminNicBody("00:10:fe:00:00:37"));
    TestHttp.Reply del = TestHttp.send("DELETE", napi + "/nics/00-10-fe-00-00-37", null,
        Map.of("If-Match", created.header("Etag")));
    assertThat(del.status()).isEqualTo(204);
    assertThat(del.body()).isEmpty();
    assertThat(TestHttp.delete(napi + "/nics/0010fe000037").status()).isEqualTo(404);
    assertThat(sandbox.napi().nics().usedIps("admin")).isZero();
  }

  @Test
  void listNics_filtersByBelongsToUuidWithCommaOr() {
    TestHttp.post(napi + "/nics", Map.of("belongs_to_uuid", CN, "belongs_to_type", "server", "owner_uuid", ADMIN,
        "mac", "00:10:fe:00:00:01"));
    TestHttp.post(napi + "/nics", Map.of("belongs_to_uuid", Fixtures.CN_B, "belongs_to_type", "server",
        "owner_uuid", ADMIN, "mac", "00:10:fe:00:00:02"));
    TestHttp.post(napi + "/networks/admin/nics", adminNicBody("00:10:fe:00:00:03"));

    assertThat(TestHttp.get(napi + "/nics?belongs_to_uuid=" + CN).array()).extracting(n -> n.get("mac"))
        .containsExactly("00:10:fe:00:00:01");
    assertThat(TestHttp.get(napi + "/nics?belongs_to_uuid=" + CN + "," + Fixtures.CN_B).array())
        .extracting(n -> n.get("mac")).containsExactly("00:10:fe:00:00:01", "00:10:fe:00:00:02");
    assertThat(TestHttp.get(napi + "/nics?nic_tags_provided=admin").array()).hasSize(1);
    assertThat(TestHttp.get(napi + "/nics?limit=1&offset=1").array()).extracting(n -> n.get("mac"))
        .containsExactly("00:10:fe:00:00:02");
  }

  @Test
  void listNics_unknownOrBadParams_is422() {
    TestHttp.Reply unknown = TestHttp.get(napi + "/nics?color=red&size=1");
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.errors()).containsExactly(Map.of("field", List.of("color", "size"),
        "code", "UnknownParameters", "message", "Unknown parameters: color, size"));
    TestHttp.Reply limit = TestHttp.get(napi + "/nics?limit=0");
    assertThat(limit.status()).isEqualTo(422);
    assertThat(limit.errorFields()).containsExactly("limit");
  }

  @Test
  void nicTags_createGetListDelete() {
    assertThat(TestHttp.get(napi + "/nic_tags").array()).extracting(t -> t.get("name"))
        .containsExactly("admin", "external");
    TestHttp.Reply created = TestHttp.post(napi + "/nic_tags", Map.of("name", "sdc_underlay", "mtu", 9000));
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.object()).containsEntry("name", "sdc_underlay").containsEntry("mtu", 9000).containsKey("uuid");
    assertThat(TestHttp.get(napi + "/nic_tags/sdc_underlay").object()).isEqualTo(created.object());

    TestHttp.Reply dup = TestHttp.post(napi + "/nic_tags", Map.of("name", "admin"));
    assertThat(dup.status()).isEqualTo(422);
    assertThat(dup.errors())
        .containsExactly(Map.of("field", "name", "code", "Duplicate", "message", "Already exists"));

    assertThat(TestHttp.delete(napi + "/nic_tags/sdc_underlay").status()).isEqualTo(204);
    TestHttp.Reply gone = TestHttp.get(napi + "/nic_tags/sdc_underlay");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"nic tag not found\"}");
  }

  @Test
  void networks_adminByNameHasEtagAndLargeRange() {
    TestHttp.Reply r = TestHttp.get(napi + "/networks/admin");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Etag")).isNotEmpty();
    assertThat(r.object()).containsEntry("name", "admin").containsEntry("subnet", "10.99.0.0/16")
        .containsEntry("provision_start_ip", "10.99.0.10").containsEntry("provision_end_ip", "10.99.255.254")
        .containsEntry("uuid", sandbox.napi().adminNetworkUuid());
    assertThat(TestHttp.get(napi + "/networks/" + sandbox.napi().externalNetworkUuid()).object())
        .containsEntry("name", "external").containsEntry("gateway", "10.88.88.1");
    assertThat(TestHttp.get(napi + "/networks?name=external").array()).hasSize(1);
    assertThat(TestHttp.get(napi + "/networks/nosuch").status()).isEqualTo(404);
  }

  @Test
  void unknownPathAndWrongVerb_areRestifyErrors() {
    TestHttp.Reply nope = TestHttp.get(napi + "/aggregations");
    assertThat(nope.status()).isEqualTo(404);
    assertThat(nope.object()).containsEntry("message", "/aggregations does not exist");
    TestHttp.Reply verb = TestHttp.send("PATCH", napi + "/nics/0010fe000037", null, Map.of());
    assertThat(verb.status()).isEqualTo(405);
  }

  @Test
  void provisionNic_onExternal_getsExternalIpAndGateway() {
    TestHttp.Reply r = TestHttp.post(napi + "/networks/" + sandbox.napi().externalNetworkUuid() + "/nics",
        Map.of("belongs_to_type", "zone", "belongs_to_uuid", Fixtures.VM_1, "owner_uuid", ADMIN, "primary", true));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object()).containsEntry("ip", "10.88.88.10").containsEntry("gateway", "10.88.88.1")
        .containsEntry("netmask", "255.255.255.0").containsEntry("nic_tag", "external")
        .containsEntry("resolvers", List.of("8.8.8.8", "8.8.4.4")).containsEntry("primary", true);
    assertThat((String) r.object().get("mac")).startsWith("90:b8:d0:");
  }

  @Test
  void createNic_primary_clearsOwnersOtherPrimary() {
    String first = (String) TestHttp.post(napi + "/nics", Map.of("belongs_to_type", "zone", "belongs_to_uuid",
        Fixtures.VM_1, "owner_uuid", ADMIN, "primary", true)).object().get("mac");
    TestHttp.post(napi + "/nics", Map.of("belongs_to_type", "zone", "belongs_to_uuid", Fixtures.VM_1,
        "owner_uuid", ADMIN, "primary", true));
    assertThat(sandbox.napi().nics().find(first)).containsEntry("primary", false);
  }
}
