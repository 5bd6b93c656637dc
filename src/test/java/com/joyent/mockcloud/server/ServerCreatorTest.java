package com.joyent.mockcloud.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.triton.ApiException;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.NapiApi;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCreatorTest {
  private static final UUID ADMIN = UUID.fromString("930896af-bf8c-48d4-885c-6573a94b1853");
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  @TempDir Path tmp;
  private WireMockServer napi;
  private ServerRoot root;
  private ServerCreator creator;

  @BeforeEach
  void setUp() {
    napi = NapiStubs.start();
    root = new ServerRoot(tmp.resolve("mockcloud"));
    NapiApi client = new NapiApi(JsonHttpClient.to(com.joyent.mockcloud.http.OutboundHttp.standalone(),
        URI.create(napi.baseUrl()), "NAPI").userAgent("test").build(), null);
    creator = new ServerCreator(root, client, "coal", ADMIN, "20190718T003512Z",
        Clock.fixed(NOW, ZoneOffset.UTC), new Random(42));
  }

  @AfterEach
  void tearDown() {
    napi.stop();
  }

  @Test
  void create_writesCompleteServerDirectory() throws Exception {
    NapiStubs.freshMacsAndAdminNic(napi);
    ServerDirectory d = creator.create(ServerCreator.Request.random(HardwareProfile.STANDARD));

    assertThat(d.dir()).isEqualTo(root.serversDir().resolve(d.uuid().toString()));
    assertThat(d.vmsDir()).isEmptyDirectory();
    Map<String, Object> s = d.readSysinfo();
    assertThat(List.copyOf(s.keySet())).containsExactly("System Type", "SDC Version", "Manufacturer", "Product",
        "SKU Number", "HW Version", "HW Family", "Setup", "VM Capable", "Bhyve Capable", "Bhyve Max Vcpus",
        "CPU Type", "CPU Virtualization", "CPU Physical Cores", "CPU Total Cores", "MiB of Memory", "Zpool",
        "Zpool Disks", "Zpool Profile", "Disks", "Boot Parameters", "SDC Agents", "Network Interfaces",
        "Virtual Network Interfaces", "Link Aggregations", "Datacenter Name", "UUID", "Admin IP",
        "Zpool Size in GiB", "Live Image", "Boot Time", "Hostname", "Serial Number", "Zpool Creation");
    String prefix = d.uuid().toString().substring(0, 8).toUpperCase();
    assertThat(s).containsEntry("System Type", "Virtual").containsEntry("Setup", "true")
        .containsEntry("UUID", d.uuid().toString()).containsEntry("Hostname", "VC" + prefix)
        .containsEntry("Serial Number", prefix).containsEntry("Datacenter Name", "coal")
        .containsEntry("Admin IP", NapiStubs.ADMIN_IP).containsEntry("MiB of Memory", "262111")
        .containsEntry("Zpool Size in GiB", 3770).containsEntry("Boot Time", Long.toString(NOW.getEpochSecond()))
        .containsEntry("Zpool Creation", (int) NOW.getEpochSecond()).containsEntry("SDC Agents", List.of())
        .containsEntry("Live Image", "20190718T003512Z");
    @SuppressWarnings("unchecked")
    Map<String, Object> disks = (Map<String, Object>) s.get("Disks");
    assertThat(disks).hasSize(16);
    assertThat(disks.keySet()).allMatch(n -> n.matches("c\\d+t5000[0-9A-F]{6}d0"));
    assertThat(disks.values()).allMatch(v -> v.equals(Map.of("Size in GB", 600)));
    assertThat((String) s.get("Zpool Disks")).isEqualTo(String.join(",", disks.keySet()));
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> nics = (Map<String, Map<String, Object>>) s.get("Network Interfaces");
    assertThat(nics.get("dnet0")).containsEntry("ip4addr", NapiStubs.ADMIN_IP).containsEntry("NIC Names", List.of("admin"));
    assertThat(nics.get("dnet1")).containsEntry("ip4addr", "").containsEntry("NIC Names", List.of());
    assertThat((String) nics.get("dnet0").get("MAC Address")).matches("00:10:fe:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}");
    assertThat((String) nics.get("dnet1").get("MAC Address")).startsWith("00:10:fe:");
    assertThat(List.copyOf(nics.get("dnet0").keySet())).containsExactly("ip4addr", "Link Status", "NIC Names", "MAC Address");

    // Written by create-server as 4-space JSON with a trailing newline.
    String text = Files.readString(d.sysinfoFile());
    assertThat(text).startsWith("{\n    \"System Type\": \"Virtual\",\n").endsWith("}\n");

    for (String agent : List.of("cmon-agent", "cn-agent", "net-agent", "vm-agent")) {
      Path a = d.agentsDir().resolve(agent);
      assertThat(Json.parseObject(Files.readAllBytes(a.resolve("package.json")))).containsEntry("name", agent);
      assertThat(Files.readString(a.resolve("image_uuid")).strip()).matches("[0-9a-f-]{36}");
      assertThat(Files.readString(a.resolve("instance_uuid"))).matches("[0-9a-f-]{36}\n");
    }
    assertThat(Json.parseObject(Files.readAllBytes(d.agentsDir().resolve("cn-agent/package.json"))))
        .containsEntry("version", "2.14.5");
    assertThat(Files.exists(root.root().resolve(".staging").resolve(d.uuid().toString()))).isFalse();
  }

  @Test
  void create_allocatesAdminNicLikeBooter() throws Exception {
    NapiStubs.freshMacsAndAdminNic(napi);
    ServerDirectory d = creator.create(ServerCreator.Request.random(HardwareProfile.STANDARD));
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> nics = (Map<String, Map<String, Object>>) d.readSysinfo().get("Network Interfaces");
    String mac = (String) nics.get("dnet0").get("MAC Address");

    napi.verify(1, getRequestedFor(urlEqualTo("/nics/" + mac.replace(":", ""))));
    napi.verify(1, postRequestedFor(urlEqualTo("/networks/admin/nics")).withRequestBody(equalToJson(
        "{\"belongs_to_type\":\"other\",\"belongs_to_uuid\":\"" + ADMIN + "\",\"owner_uuid\":\"" + ADMIN
            + "\",\"mac\":\"" + mac + "\",\"nic_tags_provided\":[\"admin\"]}")));
    // dnet1's MAC is checked too, but not registered by create-server.
    String spare = (String) nics.get("dnet1").get("MAC Address");
    napi.verify(1, getRequestedFor(urlEqualTo("/nics/" + spare.replace(":", ""))));
    napi.verify(2, getRequestedFor(urlPathMatching("/nics/.*")));
    napi.verify(1, postRequestedFor(urlPathMatching("/.*")));
  }

  @Test
  void create_macAlreadyInNapi_retriesWithAnotherMac() throws Exception {
    NapiStubs.freshMacsAndAdminNic(napi);
    napi.stubFor(get(urlPathMatching("/nics/.*")).inScenario("clash").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(200).withHeader("content-type", "application/json").withBody("{\"mac\":\"x\"}"))
        .willSetStateTo("free"));
    napi.stubFor(get(urlPathMatching("/nics/.*")).inScenario("clash").whenScenarioStateIs("free")
        .willReturn(aResponse().withStatus(404).withHeader("content-type", "application/json")
            .withBody("{\"code\":\"ResourceNotFound\",\"message\":\"nic not found\"}")));

    ServerDirectory d = creator.create(ServerCreator.Request.random(HardwareProfile.SMALL));

    napi.verify(3, getRequestedFor(urlPathMatching("/nics/.*")));
    assertThat(d.readSysinfo()).containsEntry("MiB of Memory", "65447");
  }

  @Test
  void create_napiRefuses_leavesNothingOnDisk() {
    NapiStubs.freshMacsAndAdminNic(napi);
    napi.stubFor(post("/networks/admin/nics").willReturn(aResponse().withStatus(507)
        .withHeader("content-type", "application/json")
        .withBody("{\"code\":\"SubnetFull\",\"message\":\"no more free IPs\"}")));

    assertThatThrownBy(() -> creator.create(ServerCreator.Request.random(HardwareProfile.STANDARD)))
        .isInstanceOf(ApiException.class).hasMessageContaining("SubnetFull");
    assertThat(Files.exists(root.serversDir())).isFalse();
  }

  @Test
  void create_diskWriteFails_releasesNapiNicAndLeavesNothing() throws Exception {
    NapiStubs.freshMacsAndAdminNic(napi);
    Files.createDirectories(root.root());
    Files.writeString(root.serversDir(), "not a directory", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> creator.create(ServerCreator.Request.random(HardwareProfile.STANDARD)))
        .isInstanceOf(java.io.IOException.class);
    napi.verify(1, deleteRequestedFor(urlPathMatching("/nics/0010fe[0-9a-f]{6}")));
    try (var s = Files.list(root.root().resolve(".staging"))) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void create_fixedUuidAndHostname_areUsed() throws Exception {
    NapiStubs.freshMacsAndAdminNic(napi);
    UUID u = UUID.fromString("5c1b6f2e-0a3e-4d33-9a51-2f5d3b8d8f10");
    ServerDirectory d = creator.create(new ServerCreator.Request(u, "cn-fixed", HardwareProfile.LARGE_STORAGE));
    assertThat(d.readSysinfo()).containsEntry("UUID", u.toString()).containsEntry("Hostname", "cn-fixed")
        .containsEntry("Zpool Profile", "raidz2");
    assertThatThrownBy(() -> creator.create(new ServerCreator.Request(u, null, HardwareProfile.STANDARD)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
  }
}
