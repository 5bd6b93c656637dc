package com.joyent.mockcloud.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.mirror.MirrorArchive;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.Sysinfo;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mirror export|import|diff} as a user runs them: what they print, exit with and leave behind. */
class MirrorCommandTest {
  private static final String SERVER = "564d0a1e-8b1a-4c7e-9a39-2a1f0c2b9d01";
  private static final String VM = "0b6a1e52-7d3e-4f0a-8a8b-1c2d3e4f5a6b";
  private static final String ADMIN_MAC = "00:10:fe:aa:bb:01";
  private static final String VM_MAC = "90:b8:d0:aa:bb:02";
  @TempDir Path tmp;
  private Sandbox sb;
  private WireMockServer stub;

  @BeforeEach
  void setUp() {
    sb = Sandbox.start();
    stub = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    stub.start();
  }

  @AfterEach
  void tearDown() {
    sb.close();
    stub.stop();
  }

  @Test
  void export_writesTheArchiveWithPackagesFromPapi() throws Exception {
    stub.stubFor(get(urlPathEqualTo("/packages")).willReturn(json(
        "[{\"uuid\":\"f3736d0c-2d11-4bd6-9ba4-1f8d6b3f3b73\",\"name\":\"sample-256M\",\"max_physical_memory\":256}]")));
    Path out = tmp.resolve("dc.json.gz");
    CliRunner.Result r = CliRunner.run("mirror", "export", "--cnapi", sb.cnapiUrl(), "--vmapi", sb.vmapiUrl(),
        "--napi", sb.napiUrl(), "--papi", stub.baseUrl(), "--out", out.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("wrote " + out + ": 0 servers, 0 VMs, 2 networks");
    assertThat(r.err()).contains("export: networks: 2", "export: packages: 1");
    MirrorArchive a = MirrorArchive.read(out);
    assertThat(a.section("packages")).extracting(p -> p.get("name")).containsExactly("sample-256M");
    assertThat(a.section("networks")).extracting(n -> n.get("name")).containsExactlyInAnyOrder("admin", "external");
    assertThat(a.source()).containsEntry("papi", stub.baseUrl());
    assertThat(Files.list(tmp)).containsExactly(out); // no temp file left beside it
  }

  @Test
  void export_fromAnUnreachableApi_failsAndWritesNothing() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Path out = tmp.resolve("dc.json.gz");
    CliRunner.Result r = CliRunner.run("mirror", "export", "--cnapi", sb.cnapiUrl(), "--vmapi", sb.vmapiUrl(),
        "--napi", "http://127.0.0.1:" + closed, "--out", out.toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err()).startsWith("export: ").contains("NAPI").doesNotContain("Exception\n\tat");
    assertThat(Files.list(tmp)).isEmpty();
  }

  @Test
  void export_whenAnApiFailsHalfWay_failsNamingTheCallAndWritesNothing() throws Exception {
    stub.stubFor(get(urlPathEqualTo("/vms")).willReturn(aResponse().withStatus(503)
        .withHeader("content-type", "application/json")
        .withBody("{\"code\":\"ServiceUnavailableError\",\"message\":\"moray is down\"}")));
    Path out = tmp.resolve("dc.json.gz");
    CliRunner.Result r = CliRunner.run("mirror", "export", "--cnapi", sb.cnapiUrl(), "--vmapi", stub.baseUrl(),
        "--napi", sb.napiUrl(), "--out", out.toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err()).contains("VMAPI GET /vms?predicate=", "503 ServiceUnavailableError: moray is down");
    assertThat(r.err()).contains("export: servers: 0"); // CNAPI was read before VMAPI failed
    assertThat(Files.list(tmp)).isEmpty();
  }

  @Test
  void export_refusesAUrlThatIsNotHttp() {
    CliRunner.Result r = CliRunner.run("mirror", "export", "--cnapi", "ftp://x", "--vmapi", sb.vmapiUrl(),
        "--napi", sb.napiUrl(), "--out", tmp.resolve("x").toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err()).contains("--cnapi must be an http:// URL, got ftp://x");
  }

  @Test
  void import_createsTheMockCnWithItsVmAndNics() throws Exception {
    Path file = fixture(tmp.resolve("dc.json.gz"));
    Path root = tmp.resolve("root");
    CliRunner.Result r = importInto(file, root);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 mock CNs created (0 already there), 1 VMs written", "2 NICs created");
    Path dir = root.resolve("servers").resolve(SERVER);
    Map<String, Object> sysinfo = Json.parseObject(Files.readAllBytes(dir.resolve("sysinfo.json")));
    String adminIp = (String) sb.napi().nics().get(ADMIN_MAC).get("ip");
    assertThat(adminIp).startsWith("10.99."); // the target's admin network, not the source's 172.24.x
    assertThat(sysinfo).containsEntry("Admin IP", adminIp).containsEntry("Hostname", "prod-cn-1")
        .containsEntry("System Type", "Virtual").containsEntry("Datacenter Name", "us-east-9")
        .doesNotContainKey("CN Agent IP");
    Map<String, Object> vm = Json.parseObject(Files.readAllBytes(dir.resolve("vms").resolve(VM + ".json")));
    assertThat(vm).containsEntry("state", "stopped").containsEntry("alias", "web-1").doesNotContainKey("server_uuid");
    @SuppressWarnings("unchecked")
    Map<String, Object> vmNic = ((List<Map<String, Object>>) vm.get("nics")).get(0);
    assertThat(vmNic).containsEntry("ip", "10.88.88.50").containsEntry("network_uuid", sb.napi().externalNetworkUuid());
    assertThat(sb.napi().nics().get(VM_MAC)).containsEntry("ip", "10.88.88.50")
        .containsEntry("belongs_to_uuid", VM);
    assertThat(Files.exists(root.resolve(".staging").resolve(SERVER))).isFalse();

    CliRunner.Result again = importInto(file, root);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("0 mock CNs created (1 already there)", "0 NICs created (2 already there)");
  }

  @Test
  void import_aServerWhoseAdminNicNapiDidNotList_getsOneOnTheTargetAdminNetwork() throws Exception {
    MirrorArchive full = MirrorArchive.read(fixture(tmp.resolve("full.json.gz")));
    Map<String, List<Map<String, Object>>> sections = new LinkedHashMap<>();
    for (String name : MirrorArchive.SECTIONS) {
      sections.put(name, full.section(name).stream().filter(n -> !ADMIN_MAC.equals(n.get("mac"))).toList());
    }
    Path file = tmp.resolve("dc.json.gz");
    MirrorArchive.of(full.source(), full.exportedAt(), false, sections).write(file);
    Path root = tmp.resolve("root");
    CliRunner.Result r = importInto(file, root);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("2 NICs created");
    Map<String, Object> nic = sb.napi().nics().get(ADMIN_MAC);
    assertThat(nic).containsEntry("belongs_to_uuid", SERVER).containsEntry("belongs_to_type", "server")
        .containsEntry("owner_uuid", sb.adminUuid()).containsEntry("network_uuid", sb.napi().adminNetworkUuid());
    Map<String, Object> sysinfo = Json.parseObject(Files.readAllBytes(root.resolve("servers").resolve(SERVER)
        .resolve("sysinfo.json")));
    assertThat(sysinfo).containsEntry("Admin IP", nic.get("ip"));
    assertThat((String) nic.get("ip")).startsWith("10.99.");
  }

  @Test
  void import_withNewUuids_makesASecondCopy() throws Exception {
    Path file = fixture(tmp.resolve("dc.json.gz"));
    Path root = tmp.resolve("root");
    assertThat(importInto(file, root).exit()).isZero();
    CliRunner.Result r = CliRunner.run("mirror", "import", file.toString(), "--root", root.toString(),
        "--napi", sb.napiUrl(), "--new-uuids", "--datacenter", "lab");
    assertThat(r.exit()).as(r.err()).isZero();
    List<Path> servers = Files.list(root.resolve("servers")).toList();
    assertThat(servers).hasSize(2);
    Path copy = servers.stream().filter(p -> !p.getFileName().toString().equals(SERVER)).findFirst().orElseThrow();
    Map<String, Object> sysinfo = Json.parseObject(Files.readAllBytes(copy.resolve("sysinfo.json")));
    assertThat(sysinfo).containsEntry("UUID", copy.getFileName().toString()).containsEntry("Datacenter Name", "lab");
    assertThat(sb.napi().nics().size()).isEqualTo(4);
  }

  @Test
  void import_aConflict_isRefusedBeforeAnythingIsWritten() throws Exception {
    Path file = fixture(tmp.resolve("dc.json.gz"));
    Map<String, Object> other = new LinkedHashMap<>();
    other.put("mac", VM_MAC);
    other.put("belongs_to_type", "zone");
    other.put("belongs_to_uuid", UUID.randomUUID().toString());
    other.put("owner_uuid", sb.adminUuid());
    sb.napi().nics().create(other, null);
    Path root = tmp.resolve("root");
    CliRunner.Result r = importInto(file, root);
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err()).contains("1 conflict(s) with the target, nothing imported: NIC " + VM_MAC + " belongs to zone");
    assertThat(Files.exists(root.resolve("servers"))).isFalse();
    assertThat(sb.napi().nics().size()).isEqualTo(1);
    assertThat(sb.napi().nicTags().exists("storage")).isFalse();
  }

  @Test
  void import_badArchives_failClearlyAndChangeNothing() throws Exception {
    Path good = fixture(tmp.resolve("dc.json.gz"));
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = tmp.resolve("truncated.json.gz");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
    Path plain = tmp.resolve("plain.json");
    Files.writeString(plain, "{\"format\":\"mockcloud-mirror\"}");
    Path other = gzip(tmp.resolve("other.json.gz"), "{\"format\":\"kwok-snapshot\",\"version\":1}");
    Path newer = gzip(tmp.resolve("newer.json.gz"), "{\"format\":\"mockcloud-mirror\",\"version\":9}");
    Path cut = gzip(tmp.resolve("cut.json.gz"), "{\"format\":\"mockcloud-mirror\",\"version\":1,"
        + "\"counts\":{\"servers\":3},\"servers\":[]}");
    Map<Path, String> expected = new LinkedHashMap<>();
    expected.put(truncated, "the archive is truncated");
    expected.put(plain, "not a mirror archive (not gzip-compressed");
    expected.put(other, "not a mirror archive (format is \"kwok-snapshot\"");
    expected.put(newer, "archive version 9 is newer than this mockcloud reads (1)");
    expected.put(cut, "section servers has 0 objects, its count says 3");
    expected.put(tmp.resolve("missing.json.gz"), "no such file");
    Path root = tmp.resolve("root");
    for (Map.Entry<Path, String> e : expected.entrySet()) {
      CliRunner.Result r = importInto(e.getKey(), root);
      assertThat(r.exit()).as(e.getKey().toString()).isEqualTo(Main.EXIT_FAILURE);
      assertThat(r.err()).startsWith("import: " + e.getKey()).contains(e.getValue());
    }
    assertThat(Files.exists(root)).isFalse();
    assertThat(sb.napi().nics().size()).isZero();
  }

  @Test
  void diff_isZeroForEqualArchivesAndNamesWhatDiffers() throws Exception {
    Path a = fixture(tmp.resolve("a.json.gz"));
    CliRunner.Result same = CliRunner.run("mirror", "diff", a.toString(), a.toString());
    assertThat(same.exit()).isZero();
    assertThat(same.out()).contains("equal (0 differences by design)");

    MirrorArchive changed = MirrorArchive.read(a);
    changed.section("vms").get(0).put("ram", 1024);
    changed.section("servers").get(0).put("last_heartbeat", "2026-12-08T00:00:00.000Z"); // not compared
    Path b = tmp.resolve("b.json.gz");
    changed.write(b);
    CliRunner.Result r = CliRunner.run("mirror", "diff", a.toString(), b.toString());
    assertThat(r.exit()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.out()).contains("vms[" + VM + "].ram: 256 -> 1024", "1 differences");
  }

  private CliRunner.Result importInto(Path file, Path root) {
    return CliRunner.run("mirror", "import", file.toString(), "--root", root.toString(), "--napi", sb.napiUrl());
  }

  private static Path gzip(Path file, String text) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
      gz.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Files.write(file, buf.toByteArray());
    return file;
  }

  /** A one-CN datacenter "us-east-9": its admin network on 172.24.0.0/16, a VM on external (10.88.88.0/24). */
  static Path fixture(Path file) throws Exception {
    Map<String, Object> sysinfo = Sysinfo.build(new Sysinfo.Identity(UUID.fromString(SERVER), "prod-cn-1", "us-east-9",
        "172.24.0.31", ADMIN_MAC, "00:10:fe:aa:bb:03", "20190718T003512Z", Instant.parse("2026-11-01T00:00:00Z"),
        HardwareProfile.SMALL), new Random(1));
    sysinfo.put("System Type", "SunOS");
    sysinfo.put("CN Agent IP", "172.24.0.31");
    Map<String, Object> server = new LinkedHashMap<>();
    server.put("uuid", SERVER);
    server.put("hostname", "prod-cn-1");
    server.put("datacenter", "us-east-9");
    server.put("sysinfo", sysinfo);
    server.put("reserved", false);
    String adminNet = "5b1c5d1e-6a7b-4c8d-9e0f-1a2b3c4d5e6f";
    String externalNet = "6c2d6e2f-7b8c-4d9e-8f10-2b3c4d5e6f70";
    Map<String, Object> vmNic = new LinkedHashMap<>(Map.of("mac", VM_MAC, "ip", "10.88.88.50",
        "netmask", "255.255.255.0", "gateway", "10.88.88.1", "nic_tag", "external", "vlan_id", 0,
        "network_uuid", externalNet, "primary", true));
    Map<String, Object> vm = new LinkedHashMap<>();
    vm.put("uuid", VM);
    vm.put("alias", "web-1");
    vm.put("brand", "joyent-minimal");
    vm.put("state", "stopped");
    vm.put("ram", 256);
    vm.put("owner_uuid", "7b3e7f30-8c9d-4e0f-9a11-3c4d5e6f7081");
    vm.put("server_uuid", SERVER);
    vm.put("image_uuid", "2b683a82-a066-11e3-97ab-2faa44701c5a");
    vm.put("nics", List.of(vmNic));
    Map<String, List<Map<String, Object>>> sections = new LinkedHashMap<>();
    sections.put("nic_tags", List.of(Map.of("name", "admin", "mtu", 1500), Map.of("name", "external", "mtu", 1500)));
    sections.put("networks", List.of(
        Map.of("uuid", adminNet, "name", "admin", "subnet", "172.24.0.0/16", "nic_tag", "admin", "vlan_id", 0,
            "provision_start_ip", "172.24.0.10", "provision_end_ip", "172.24.255.250"),
        Map.of("uuid", externalNet, "name", "external", "subnet", "10.88.88.0/24", "nic_tag", "external",
            "vlan_id", 0, "provision_start_ip", "10.88.88.10", "provision_end_ip", "10.88.88.254")));
    sections.put("servers", List.of(server));
    sections.put("vms", List.of(vm));
    sections.put("nics", List.of(
        Map.of("mac", ADMIN_MAC, "belongs_to_type", "server", "belongs_to_uuid", SERVER, "owner_uuid",
            "00000000-0000-4000-8000-000000000001", "ip", "172.24.0.31", "network_uuid", adminNet,
            "nic_tags_provided", List.of("admin")),
        Map.of("mac", VM_MAC, "belongs_to_type", "zone", "belongs_to_uuid", VM, "cn_uuid", SERVER,
            "owner_uuid", vm.get("owner_uuid"), "ip", "10.88.88.50", "network_uuid", externalNet)));
    MirrorArchive.of(Map.of("datacenter", "us-east-9"), "2026-12-08T00:00:00Z", false, sections).write(file);
    return file;
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
    return aResponse().withStatus(200).withHeader("content-type", "application/json").withBody(body);
  }
}
