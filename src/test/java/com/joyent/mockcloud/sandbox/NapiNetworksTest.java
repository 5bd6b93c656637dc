package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.testing.TestClock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** NAPI's CreateNetwork, UpdateNetwork, DeleteNetwork and UpdateIP over HTTP, as sdc-napi answers them. */
class NapiNetworksTest {
  private static final String ADMIN = SandboxOptions.DEFAULT_ADMIN_UUID;
  private static final String OTHER = "0f0f0f0f-0000-4000-8000-0000000000aa";
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

  private static Map<String, Object> internal() {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("name", "internal");
    b.put("nic_tag", "external");
    b.put("vlan_id", 401);
    b.put("subnet", "10.0.2.0/24");
    b.put("provision_start_ip", "10.0.2.5");
    b.put("provision_end_ip", "10.0.2.250");
    b.put("gateway", "10.0.2.1");
    b.put("resolvers", List.of("8.8.8.8", "10.0.2.2"));
    return b;
  }

  @Test
  void create_answersTheNetworkAsNapiSerialisesIt_andReservesItsAddresses() {
    TestHttp.Reply r = TestHttp.post(napi + "/networks", internal());
    assertThat(r.status()).isEqualTo(200);
    Map<String, Object> net = r.object();
    assertThat(net.keySet()).containsExactly("family", "mtu", "nic_tag", "name", "provision_end_ip",
        "provision_start_ip", "subnet", "uuid", "vlan_id", "resolvers", "gateway", "netmask");
    assertThat(net).containsEntry("mtu", 1500).containsEntry("vlan_id", 401).containsEntry("netmask", "255.255.255.0")
        .containsEntry("resolvers", List.of("8.8.8.8", "10.0.2.2"));
    String uuid = (String) net.get("uuid");
    assertThat(TestHttp.get(napi + "/networks/" + uuid).object()).isEqualTo(net);
    for (String ip : List.of("10.0.2.1", "10.0.2.2", "10.0.2.255")) {
      assertThat(TestHttp.get(napi + "/networks/" + uuid + "/ips/" + ip).object()).as(ip)
          .containsEntry("reserved", true).containsEntry("free", false).containsEntry("belongs_to_type", "other")
          .containsEntry("owner_uuid", ADMIN);
    }
    TestHttp.Reply nic = TestHttp.post(napi + "/networks/" + uuid + "/nics", Map.of("owner_uuid", ADMIN,
        "belongs_to_uuid", OTHER, "belongs_to_type", "zone"));
    assertThat(nic.object()).containsEntry("ip", "10.0.2.5").containsEntry("vlan_id", 401)
        .containsEntry("gateway", "10.0.2.1");

    TestHttp.Reply dup = TestHttp.post(napi + "/networks", internal());
    assertThat(dup.status()).isEqualTo(422);
    assertThat(dup.object()).containsEntry("message", "name is in use by another network").containsEntry("errors",
        List.of(Map.of("field", "name", "code", "Duplicate", "message", "Already exists")));
  }

  @Test
  void create_badInput_allFieldErrorsSortedByField_thenTheWholeRequestChecks() {
    TestHttp.Reply empty = TestHttp.post(napi + "/networks", Map.of());
    assertThat(empty.status()).isEqualTo(422);
    assertThat(empty.object()).containsEntry("code", "InvalidParameters").containsEntry("message",
        "Missing parameters");
    assertThat(empty.errorFields()).containsExactly("name", "nic_tag", "vlan_id");

    Map<String, Object> bad = new LinkedHashMap<>();
    bad.put("name", "x");
    bad.put("nic_tag", "nope");
    bad.put("vlan_id", 5000);
    bad.put("subnet", "asdf");
    bad.put("gateway", "asdf");
    bad.put("mtu", 500);
    bad.put("routes", "blah");
    bad.put("resolvers", List.of("10.5.0.256", "asdf"));
    TestHttp.Reply many = TestHttp.post(napi + "/networks", bad);
    assertThat(many.status()).isEqualTo(422);
    assertThat(many.object()).containsEntry("message", "Invalid parameters");
    assertThat(many.errorFields()).containsExactly("gateway", "mtu", "nic_tag", "resolvers", "routes", "subnet", "vlan_id");
    assertThat(many.errors().get(2)).containsEntry("message", "nic tag does not exist");
    assertThat(many.errors().get(3)).containsEntry("message", "invalid IPs")
        .containsEntry("invalid", List.of("10.5.0.256", "asdf"));
    assertThat(many.errors().get(5)).containsEntry("message", "Subnet must be in CIDR form");
    assertThat(many.errors().get(6)).containsEntry("message", "VLAN ID must be a number between 0 and 4094, and not 1");

    // A JSON null is a given value to NAPI's validators: a string it is not, a VLAN it is (0).
    Map<String, Object> nulls = internal();
    nulls.put("name", null);
    nulls.put("vlan_id", null);
    nulls.put("resolvers", null);
    assertThat(TestHttp.post(napi + "/networks", nulls).errors()).containsExactly(
        Map.of("field", "name", "code", "InvalidParameter", "message", "must be a string"),
        Map.of("field", "resolvers", "code", "InvalidParameter", "message", "must be an array of strings"));

    Map<String, Object> backwards = internal();
    backwards.put("provision_start_ip", "10.0.2.250");
    backwards.put("provision_end_ip", "10.0.2.25");
    TestHttp.Reply order = TestHttp.post(napi + "/networks", backwards);
    assertThat(order.errors()).containsExactly(
        Map.of("field", "provision_end_ip", "code", "InvalidParameter", "message",
            "provision_start_ip must be before provision_end_ip"),
        Map.of("field", "provision_start_ip", "code", "InvalidParameter", "message",
            "provision_start_ip must be before provision_end_ip"));
    Map<String, Object> outside = internal();
    outside.put("gateway", "10.0.3.1");
    assertThat(TestHttp.post(napi + "/networks", outside).errors()).containsExactly(Map.of("field", "gateway",
        "code", "InvalidParameter", "message", "gateway cannot be outside subnet"));
    Map<String, Object> noSubnet = Map.of("name", "n", "nic_tag", "admin", "vlan_id", 0);
    TestHttp.Reply internalError = TestHttp.post(napi + "/networks", noSubnet);
    assertThat(internalError.status()).isEqualTo(500); // as NAPI: "unable to determine subnet"
    Map<String, Object> big = internal();
    big.put("mtu", 1600);
    assertThat(TestHttp.post(napi + "/networks", big).errors()).containsExactly(Map.of("field", "mtu",
        "code", "InvalidParameter", "message", "network mtu must be under nic_tag mtu"));

    Map<String, Object> pub = internal();
    pub.put("subnet", "1.2.3.0/24");
    pub.put("provision_start_ip", "1.2.3.5");
    pub.put("provision_end_ip", "1.2.3.250");
    pub.put("gateway", "1.2.3.1");
    pub.put("resolvers", List.of());
    String first = (String) TestHttp.post(napi + "/networks", pub).object().get("uuid");
    pub.put("name", "again");
    TestHttp.Reply overlap = TestHttp.post(napi + "/networks", pub);
    assertThat(overlap.errors()).containsExactly(Map.of("type", "network", "id", first, "code", "UsedBy",
        "message", "subnet overlaps with another network", "field", "subnet"));
    assertThat(TestHttp.get(napi + "/networks").array()).hasSize(3); // admin, external and the first
  }

  @Test
  void update_changesWhatNapiLetsChange_andRefusesTheRest() {
    String uuid = (String) TestHttp.post(napi + "/networks", internal()).object().get("uuid");
    TestHttp.Reply r = TestHttp.put(napi + "/networks/" + uuid, Map.of("description", "Internal network",
        "routes", Map.of("10.88.88.0/24", "10.0.2.7"), "owner_uuids", List.of(ADMIN), "provision_start_ip",
        "10.0.2.100", "resolvers", List.of("10.0.2.3")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object()).containsEntry("description", "Internal network")
        .containsEntry("routes", Map.of("10.88.88.0/24", "10.0.2.7")).containsEntry("owner_uuids", List.of(ADMIN))
        .containsEntry("provision_start_ip", "10.0.2.100").containsEntry("resolvers", List.of("10.0.2.3"))
        .doesNotContainKey("job_uuid");
    TestHttp.Reply nic = TestHttp.post(napi + "/networks/" + uuid + "/nics", Map.of("owner_uuid", ADMIN,
        "belongs_to_uuid", OTHER, "belongs_to_type", "zone"));
    assertThat(nic.object()).containsEntry("ip", "10.0.2.100");
    assertThat(TestHttp.put(napi + "/networks/" + uuid, Map.of("owner_uuids", List.of())).object())
        .doesNotContainKey("owner_uuids");

    TestHttp.Reply vlan = TestHttp.put(napi + "/networks/" + uuid, Map.of("vlan_id", 5, "internet_nat", true));
    assertThat(vlan.status()).isEqualTo(422);
    assertThat(vlan.errors()).extracting(e -> e.get("field") + ": " + e.get("message")).containsExactly(
        "internet_nat: Network updates for this field are not supported",
        "vlan_id: Network updates for this field are not supported");
    TestHttp.Reply gw = TestHttp.put(napi + "/networks/" + uuid, Map.of("gateway", ""));
    assertThat(gw.errors()).containsExactly(Map.of("field", "gateway", "code", "InvalidParameter",
        "message", "invalid IP address"));
    assertThat(TestHttp.put(napi + "/networks/" + uuid, Map.of("gateway", "asdf")).errors()).hasSize(1);
    String etag = TestHttp.get(napi + "/networks/" + uuid).header("Etag");
    assertThat(TestHttp.put(napi + "/networks/" + uuid, Map.of("description", "again")).header("Etag"))
        .isNotEqualTo(etag);
    assertThat(TestHttp.put(napi + "/networks/" + uuid, Map.of("provision_end_ip", "10.0.2.50")).errors())
        .hasSize(2);
    assertThat(TestHttp.get(napi + "/networks/" + uuid).object()).containsEntry("provision_end_ip", "10.0.2.250");
    assertThat(TestHttp.put(napi + "/networks/nosuch", Map.of("name", "x")).status()).isEqualTo(404);
  }

  @Test
  void delete_refusesWhileAPoolOrANicHoldsIt_thenAnswers204() {
    String uuid = (String) TestHttp.post(napi + "/networks", internal()).object().get("uuid");
    String pool = (String) TestHttp.post(napi + "/network_pools", Map.of("name", "p", "networks", List.of(uuid)))
        .object().get("uuid");
    TestHttp.Reply pooled = TestHttp.delete(napi + "/networks/" + uuid);
    assertThat(pooled.status()).isEqualTo(422);
    assertThat(pooled.object()).containsEntry("code", "InUse").containsEntry("message", "Network is in use")
        .containsEntry("errors", List.of(Map.of("type", "network pool", "id", pool, "code", "UsedBy",
            "message", "In use by network pool \"" + pool + "\"")));
    TestHttp.delete(napi + "/network_pools/" + pool);
    String mac = (String) TestHttp.post(napi + "/networks/" + uuid + "/nics", Map.of("owner_uuid", ADMIN,
        "belongs_to_uuid", OTHER, "belongs_to_type", "zone")).object().get("mac");
    TestHttp.Reply held = TestHttp.delete(napi + "/networks/" + uuid);
    assertThat(held.object()).containsEntry("message", "network must have no NICs provisioned")
        .containsEntry("errors", List.of(Map.of("type", "nic", "id", mac, "code", "UsedBy",
            "message", "In use by nic \"" + mac + "\"")));
    TestHttp.delete(napi + "/nics/" + mac);
    assertThat(TestHttp.delete(napi + "/networks/" + uuid).status()).isEqualTo(204);
    assertThat(TestHttp.get(napi + "/networks/" + uuid).object()).isEqualTo(Map.of("code", "ResourceNotFound",
        "message", "network not found"));
  }

  @Test
  void updateIp_reservesAssignsUnassignsAndFrees_withNapisChecks() {
    String uuid = (String) TestHttp.post(napi + "/networks", internal()).object().get("uuid");
    String ips = napi + "/networks/" + uuid + "/ips/";
    TestHttp.Reply reserved = TestHttp.put(ips + "10.0.2.5", Map.of("reserved", true));
    assertThat(reserved.object()).isEqualTo(Map.of("ip", "10.0.2.5", "network_uuid", uuid, "reserved", true,
        "free", false));
    assertThat(TestHttp.post(napi + "/networks/" + uuid + "/nics", Map.of("owner_uuid", ADMIN,
        "belongs_to_uuid", OTHER, "belongs_to_type", "zone")).object()).containsEntry("ip", "10.0.2.6");

    // A new record's required set is checked only once its fields pass, as NAPI's after-chain.
    assertThat(TestHttp.put(ips + "10.0.2.9", Map.of("belongs_to_uuid", "asdf")).errors()).containsExactly(
        Map.of("field", "belongs_to_uuid", "code", "InvalidParameter", "message", "invalid UUID"));
    TestHttp.Reply half = TestHttp.put(ips + "10.0.2.9", Map.of("belongs_to_uuid", OTHER));
    assertThat(half.status()).isEqualTo(422);
    assertThat(half.object()).containsEntry("message", "Missing parameters");
    assertThat(half.errorFields()).containsExactly("belongs_to_type", "owner_uuid");
    Map<String, Object> assign = Map.of("belongs_to_uuid", OTHER, "belongs_to_type", "server", "owner_uuid", OTHER);
    assertThat(TestHttp.put(ips + "10.0.2.9", assign).object()).containsEntry("free", false)
        .containsEntry("belongs_to_type", "server").containsEntry("owner_uuid", OTHER);
    assertThat(TestHttp.put(ips + "10.0.2.9", Map.of("unassign", true)).object()).isEqualTo(Map.of("ip", "10.0.2.9",
        "network_uuid", uuid, "reserved", false, "free", false, "owner_uuid", OTHER));
    assertThat(TestHttp.put(ips + "10.0.2.9", Map.of("free", "true")).object()).isEqualTo(Map.of("ip", "10.0.2.9",
        "network_uuid", uuid, "reserved", false, "free", true));

    TestHttp.put(napi + "/networks/" + uuid, Map.of("owner_uuids", List.of(ADMIN)));
    TestHttp.Reply notOwner = TestHttp.put(ips + "10.0.2.10", Map.of("owner_uuid", OTHER));
    assertThat(notOwner.errors()).containsExactly(Map.of("field", "owner_uuid", "code", "InvalidParameter",
        "message", "network owner_uuids do not match"));
    assertThat(TestHttp.put(ips + "10.0.2.10", Map.of("owner_uuid", OTHER, "check_owner", false)).status())
        .isEqualTo(200);
    assertThat(TestHttp.put(ips + "10.0.3.1", Map.of("reserved", true)).object()).containsEntry("message",
        "IP is not in subnet");
    assertThat(TestHttp.put(ips + "a", Map.of("reserved", true)).object()).containsEntry("message",
        "Invalid IP address");
  }
}
