package com.joyent.mockcloud.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.NapiStubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  private static final String ADMIN = "930896af-bf8c-48d4-885c-6573a94b1853";
  @TempDir Path tmp;
  private WireMockServer apis;

  @BeforeEach
  void setUp() {
    apis = NapiStubs.start();
    NapiStubs.freshMacsAndAdminNic(apis);
    apis.stubFor(delete(urlPathMatching("/servers/.*")).willReturn(aResponse().withStatus(200)));
    apis.stubFor(get(urlPathEqualTo("/nics")).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody("[]")));
    apis.stubFor(get(urlPathEqualTo("/vms")).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json").withBody("[]")));
  }

  @AfterEach
  void tearDown() {
    apis.stop();
  }

  private String[] withSettings(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--root", tmp.resolve("mc").toString(), "--datacenter", "coal", "--admin-uuid", ADMIN,
        "--napi-url", apis.baseUrl(), "--cnapi-url", apis.baseUrl(), "--vmapi-url", apis.baseUrl()));
    return all.toArray(String[]::new);
  }

  private List<Path> serverDirs() throws Exception {
    Path servers = tmp.resolve("mc/servers");
    if (!Files.isDirectory(servers)) {
      return List.of();
    }
    try (var s = Files.list(servers)) {
      return s.toList();
    }
  }

  @Test
  void everyCommand_hasHelp() {
    for (String cmd : List.of("run-servers", "create-server", "delete-server", "list-servers", "sandbox")) {
      CliRunner.Result r = CliRunner.run(cmd, "--help");
      assertThat(r.exit()).as(cmd).isZero();
      assertThat(r.out()).as(cmd).contains("Usage: mockcloud " + cmd);
    }
    assertThat(CliRunner.run("--help").out()).contains("create-server", "delete-server", "list-servers",
        "run-servers", "sandbox");
  }

  @Test
  void createServer_count3_writesThreeServersWithNapiAdminIps() throws Exception {
    CliRunner.Result r = CliRunner.run(withSettings("create-server", "--count", "3"));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("created server: ");
    assertThat(serverDirs()).hasSize(3);
    for (Path d : serverDirs()) {
      assertThat(Json.parseObject(Files.readAllBytes(d.resolve("sysinfo.json"))))
          .containsEntry("Admin IP", NapiStubs.ADMIN_IP);
    }
    apis.verify(3, postRequestedFor(urlEqualTo("/networks/admin/nics")));
  }

  @Test
  void createServer_badAdminUuid_exits2WithOneLineAndChangesNothing() throws Exception {
    CliRunner.Result r = CliRunner.run("create-server", "--root", tmp.resolve("mc").toString(),
        "--datacenter", "coal", "--admin-uuid", "not-a-uuid", "--napi-url", apis.baseUrl());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo(
        "create-server: invalid setting adminUuid (--admin-uuid): \"not-a-uuid\" must be a UUID");
    assertThat(serverDirs()).isEmpty();
    apis.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void createServer_missingDatacenter_exits2NamingIt() {
    CliRunner.Result r = CliRunner.run("create-server", "--root", tmp.resolve("mc").toString(),
        "--admin-uuid", ADMIN, "--napi-url", apis.baseUrl());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("missing setting datacenter");
    apis.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void createServer_badFlags_exit2() {
    assertThat(CliRunner.run(withSettings("create-server", "--count", "0")).exit()).isEqualTo(2);
    assertThat(CliRunner.run(withSettings("create-server", "--count", "x")).exit()).isEqualTo(2);
    assertThat(CliRunner.run(withSettings("create-server", "--profile", "huge")).err()).contains("unknown hardware profile");
    assertThat(CliRunner.run(withSettings("create-server", "--uuid", "../etc")).err()).contains("not a server UUID");
    assertThat(CliRunner.run(withSettings("create-server", "--count", "2", "--hostname", "a")).exit()).isEqualTo(2);
    assertThat(CliRunner.run(withSettings("create-server", "--bogus")).exit()).isEqualTo(2);
    assertThat(CliRunner.run(withSettings("create-server", "--traits", "[1]")).err())
        .contains("--traits must be a JSON object of traits");
    assertThat(CliRunner.run(withSettings("create-server", "--traits", "{\"a\": 5}")).err())
        .contains("trait \"a\" must be true/false, a string or a list of strings, got 5");
    apis.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void createServer_ensure_createsOrDeletesTheDifference() throws Exception {
    assertThat(CliRunner.run(withSettings("create-server", "--ensure", "3")).exit()).isZero();
    assertThat(serverDirs()).hasSize(3);
    CliRunner.Result again = CliRunner.run(withSettings("create-server", "--ensure", "3"));
    assertThat(again.out()).contains("Already have 3 mock servers");
    assertThat(serverDirs()).hasSize(3);
    assertThat(CliRunner.run(withSettings("create-server", "--ensure", "1")).exit()).isZero();
    assertThat(serverDirs()).hasSize(1);
  }

  @Test
  void deleteServer_removesFromDiskAndApis() throws Exception {
    CliRunner.run(withSettings("create-server", "--count", "2"));
    String uuid = serverDirs().get(0).getFileName().toString();
    CliRunner.Result r = CliRunner.run(withSettings("delete-server", uuid));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("deleted server: " + uuid);
    assertThat(serverDirs()).hasSize(1).noneMatch(p -> p.getFileName().toString().equals(uuid));
  }

  @Test
  void deleteServer_nonUuidOrUnknown_isRejectedBeforeAnything() throws Exception {
    CliRunner.run(withSettings("create-server"));
    apis.resetRequests();
    CliRunner.Result bad = CliRunner.run(withSettings("delete-server", "../../etc"));
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("not a server UUID: \"../../etc\"");
    CliRunner.Result unknown = CliRunner.run(withSettings("delete-server", "00000000-0000-4000-8000-000000000000"));
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("no server 00000000-0000-4000-8000-000000000000");
    assertThat(serverDirs()).hasSize(1);
    apis.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void listServers_json_listsUuidHostnameIpAndVmCount() throws Exception {
    CliRunner.run(withSettings("create-server", "--count", "2"));
    Path vms = serverDirs().get(0).resolve("vms");
    Files.writeString(vms.resolve("11111111-1111-4111-8111-111111111111.json"), "{}");
    CliRunner.Result r = CliRunner.run("list-servers", "--json", "--root", tmp.resolve("mc").toString());
    assertThat(r.exit()).isZero();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) Json.parse(r.out().getBytes());
    assertThat(rows).hasSize(2);
    assertThat(rows).allSatisfy(row -> {
      assertThat((String) row.get("hostname")).startsWith("VC");
      assertThat(row.get("admin_ip")).isEqualTo(NapiStubs.ADMIN_IP);
    });
    assertThat(rows.stream().mapToInt(row -> (Integer) row.get("vms")).sum()).isEqualTo(1);
    CliRunner.Result table = CliRunner.run("list-servers", "--root", tmp.resolve("mc").toString());
    assertThat(table.out()).contains("UUID", "HOSTNAME", "ADMIN IP", NapiStubs.ADMIN_IP);
  }

  @Test
  void listServers_missingRoot_saysSoOnStderrAndListsNothing() {
    Path missing = tmp.resolve("no-such-root");
    CliRunner.Result r = CliRunner.run("list-servers", "--json", "--root", missing.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out().trim()).isEqualTo("[]");
    assertThat(r.err()).contains("the root " + missing + " does not exist");
    assertThat(missing).doesNotExist();
  }
}
