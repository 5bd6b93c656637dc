package com.joyent.mockcloud.cnagent;

import static com.joyent.mockcloud.cnagent.MachineLifecycleTaskTest.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import com.joyent.mockcloud.json.Json;
import io.undertow.util.Headers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conformance cases 66–70 of spec cn-agent.md §7: refresh_agents, agents_uninstall and
 * agent_install against a fake IMGAPI (manifest + a real agent .tar.gz made here) and a fake
 * SAPI with one agent service.
 */
class AgentTasksTest {
  static final String IMAGE = "6c0ab0f3-6a5b-4c9d-9e0e-4f5c3b2a1d10";
  static final String AGENT_IMAGE_UUID = "0f6a3c2e-7d1b-4e55-9a0b-7c8d9e0f1a2b";
  static final String SERVICE = "b3a1f2e4-5c6d-4e7f-8a9b-0c1d2e3f4a5b";

  @TempDir Path tmp;
  CnAgentHarness cn;
  HttpListeners fakes;
  HttpListeners.Listener imgapi;
  HttpListeners.Listener sapi;
  final List<String> imgapiRequests = new ArrayList<>();
  final List<Object> sapiInstances = new ArrayList<>();
  volatile byte[] tarball;
  volatile Map<String, Object> manifest;

  @BeforeEach
  void setUp() throws Exception {
    fakes = new HttpListeners("fake-imgapi-sapi", 1);
    RestRouter imgRouter = new RestRouter("imgapi/4.0.0")
        .get("/images/{uuid}", req -> req.pathParam("uuid").equals(IMAGE) ? RestResponse.ok(manifest)
            : RestResponse.of(404, Map.of("code", "ResourceNotFound", "message", "no image")));
    imgapi = fakes.open("127.0.0.1", 0, exchange -> {
      synchronized (imgapiRequests) {
        imgapiRequests.add(exchange.getRequestMethod() + " " + exchange.getRequestPath());
      }
      if (exchange.getRequestPath().equals("/images/" + IMAGE + "/file")) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/octet-stream");
        exchange.getResponseSender().send(ByteBuffer.wrap(tarball));
      } else {
        imgRouter.handleRequest(exchange);
      }
    });
    sapi = fakes.open("127.0.0.1", 0, new RestRouter("sapi/1.0.0")
        .get("/services", req -> "agent".equals(req.query().get("type")) && "test-agent".equals(req.query().get("name"))
            ? RestResponse.ok(List.of(params("uuid", SERVICE, "name", "test-agent", "type", "agent")))
            : RestResponse.ok(List.of()))
        .post("/instances", req -> {
          synchronized (sapiInstances) {
            sapiInstances.add(req.body());
          }
          return RestResponse.ok(req.body());
        }));
    tarball = agentTarball("test-agent");
    manifest = manifest(tarball, sha1(tarball));
    Map<Setting, String> extra = Map.of(Setting.IMGAPI_URL, imgapi.baseUrl(), Setting.SAPI_URL, sapi.baseUrl());
    cn = new CnAgentHarness(tmp, new RecordingCnapi(),
        CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp")), extra, true).awaitRegistered()
        .awaitFirstHeartbeat();
  }

  @AfterEach
  void tearDown() {
    cn.close();
    imgapi.close();
    sapi.close();
    fakes.close();
  }

  /** {@code <name>/image_uuid} and {@code <name>/package.json} (plus a file that is not taken), gzipped. */
  static byte[] agentTarball(String name) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
      TarArchiveEntry d = new TarArchiveEntry(name + "/");
      tar.putArchiveEntry(d);
      tar.closeArchiveEntry();
      add(tar, name + "/image_uuid", AGENT_IMAGE_UUID + "\n");
      add(tar, name + "/package.json", "{\"name\":\"" + name + "\",\"version\":\"1.2.3\"}\n");
      add(tar, name + "/lib/agent.js", "// not installed\n");
    }
    return out.toByteArray();
  }

  private static void add(TarArchiveOutputStream tar, String path, String content) throws Exception {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(path);
    e.setSize(b.length);
    tar.putArchiveEntry(e);
    tar.write(b);
    tar.closeArchiveEntry();
  }

  static Map<String, Object> manifest(byte[] file, String sha1) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("sha1", sha1);
    f.put("size", file.length);
    f.put("compression", "gzip");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("v", 2);
    m.put("uuid", IMAGE);
    m.put("name", "test-agent");
    m.put("version", "1.2.3");
    m.put("type", "other");
    m.put("files", List.of(f));
    return m;
  }

  static String sha1(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
  }

  List<RecordingCnapi.Received> agentPosts() {
    return cn.cnapi.received(r -> r.method().equals("POST") && r.path().equals("/servers/" + cn.uuid()));
  }

  @Test
  void refreshAgents_postsTheAgentsListToCnapi() throws Exception {
    CnAgentHarness.Answer a = cn.call("refresh_agents", Map.of());

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{}");
    // One at startup (through the queue), one from the task.
    assertThat(agentPosts()).hasSize(2);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> agents = (List<Map<String, Object>>) ((Map<?, ?>) agentPosts().get(1).body()).get("agents");
    Map<String, Object> cnAgent = agents.stream().filter(x -> x.get("name").equals("cn-agent")).findFirst().orElseThrow();
    assertThat(List.copyOf(cnAgent.keySet())).containsExactly("name", "image_uuid", "uuid", "version");
    assertThat(cnAgent).containsEntry("version", "2.14.5")
        .containsEntry("image_uuid", Files.readString(cn.dir.agentsDir().resolve("cn-agent/image_uuid")).strip())
        .containsEntry("uuid", Files.readString(cn.dir.agentsDir().resolve("cn-agent/instance_uuid")).strip());
    // Sorted by directory name (§4.3.1 SHOULD).
    assertThat(agents).extracting(x -> (String) x.get("name")).isSorted();
  }

  @Test
  void refreshAgents_cnapiDown_failsWithAgentInstallPrefix() throws Exception {
    cn.cnapi.down = true;

    CnAgentHarness.Answer a = cn.call("refresh_agents", Map.of());

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.json()).containsOnlyKeys("error");
    assertThat((String) a.json().get("error")).startsWith("AgentInstall error: ");
  }

  @Test
  void agentsUninstall_removesTheDirAndReportsIt_andIsIdempotent() throws Exception {
    // The spec's fixture has only cn-agent installed; remove the other standard agents first.
    for (String other : List.of("cmon-agent", "config-agent", "firewaller", "net-agent", "vm-agent")) {
      com.joyent.mockcloud.io.FileTrees.deleteTree(cn.dir.agentsDir().resolve(other));
    }
    cn.cnapi.clear();

    CnAgentHarness.Answer a = cn.call("agents_uninstall", Map.of("agents", List.of("cn-agent")));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{}");
    assertThat(cn.dir.agentsDir().resolve("cn-agent")).doesNotExist();
    assertThat(agentPosts()).hasSize(1);
    assertThat(Json.compact(agentPosts().get(0).body())).isEqualTo("{\"agents\":[]}");

    CnAgentHarness.Answer again = cn.call("agents_uninstall", Map.of("agents", List.of("cn-agent")));

    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("{}");
  }

  @Test
  void agentsUninstall_nameEscapingTheAgentsDir_isRefused() throws Exception {
    Files.createDirectories(cn.dir.dir().resolve("keep"));

    CnAgentHarness.Answer a = cn.call("agents_uninstall", Map.of("agents", List.of("../keep")));

    assertThat(a.status()).isEqualTo(500);
    assertThat((String) a.json().get("error")).startsWith("AgentsUninstallTask error: ");
    assertThat(cn.dir.dir().resolve("keep")).exists();
  }

  @Test
  void agentsUninstall_agentsNotAnArray_crashes() throws Exception {
    CnAgentHarness.Answer a = cn.call("agents_uninstall", Map.of("agents", "cn-agent"));

    assertThat(a.status()).isEqualTo(500);
    assertThat((String) a.json().get("error"))
        .matches("^Child task process agents_uninstall did not terminate cleanly\\. \\(.*\\)$");
  }

  @Test
  void agentInstall_validImage_installsAdoptsIntoSapiAndReports_reRunKeepsInstanceUuid() throws Exception {
    cn.cnapi.clear();

    CnAgentHarness.Answer a = cn.call("agent_install", Map.of("image_uuid", IMAGE));

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{}");
    Path dir = cn.dir.agentsDir().resolve("test-agent");
    assertThat(Files.readString(dir.resolve("image_uuid"))).isEqualTo(AGENT_IMAGE_UUID + "\n");
    assertThat(Json.parseObject(Files.readAllBytes(dir.resolve("package.json"))))
        .containsEntry("name", "test-agent").containsEntry("version", "1.2.3");
    assertThat(dir.resolve("lib")).doesNotExist();
    String instance = Files.readString(dir.resolve("instance_uuid"));
    assertThat(instance).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n");
    assertThat(imgapiRequests).containsExactly("GET /images/" + IMAGE, "GET /images/" + IMAGE + "/file");
    assertThat(sapiInstances).hasSize(1);
    assertThat(Json.compact(sapiInstances.get(0))).isEqualTo("{\"exists\":true,\"name\":\"test-agent\","
        + "\"service_uuid\":\"" + SERVICE + "\",\"uuid\":\"" + instance.strip() + "\",\"params\":{\"server_uuid\":\""
        + cn.uuid() + "\",\"image_uuid\":\""
        + Files.readString(cn.dir.agentsDir().resolve("test-agent/image_uuid")).strip() + "\"}}");
    assertThat(agentPosts()).hasSize(1);
    assertThat(Json.compact(agentPosts().get(0).body())).contains("{\"name\":\"test-agent\",\"image_uuid\":\""
        + AGENT_IMAGE_UUID + "\",\"uuid\":\"" + instance.strip() + "\",\"version\":\"1.2.3\"}");

    CnAgentHarness.Answer again = cn.call("agent_install", Map.of("image_uuid", IMAGE));

    assertThat(again.status()).isEqualTo(200);
    assertThat(Files.readString(dir.resolve("instance_uuid"))).isEqualTo(instance);
    assertThat(sapiInstances).hasSize(2);
    assertThat(((Map<?, ?>) sapiInstances.get(1)).get("uuid")).isEqualTo(instance.strip());
  }

  @Test
  void agentInstall_sha1Mismatch_failsAndInstallsNothing() throws Exception {
    String wrong = "0000000000000000000000000000000000000000";
    manifest = manifest(tarball, wrong);

    CnAgentHarness.Answer a = cn.call("agent_install", Map.of("image_uuid", IMAGE));

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body()).isEqualTo("{\"error\":\"AgentInstall error: sha1 does not match: (" + sha1(tarball)
        + " vs " + wrong + ")\"}");
    assertThat(cn.dir.agentsDir().resolve("test-agent")).doesNotExist();
    assertThat(sapiInstances).isEmpty();
  }

  @Test
  void agentInstall_unknownImage_failsWithImageNotFound() throws Exception {
    String other = UUID.randomUUID().toString();

    CnAgentHarness.Answer a = cn.call("agent_install", Map.of("image_uuid", other));

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body()).isEqualTo("{\"error\":\"AgentInstall error: Image not found at " + imgapi.baseUrl()
        + "/images/" + other + "\"}");
  }

  @Test
  void agentInstall_tarballWithoutTheManifestNamesDir_failsCouldNotFind() throws Exception {
    Map<String, Object> m = new LinkedHashMap<>(manifest);
    m.put("name", "other-agent");
    manifest = m;

    CnAgentHarness.Answer a = cn.call("agent_install", Map.of("image_uuid", IMAGE));

    // §3.2.21 step 6: the tarball must contain <manifest name>/image_uuid.
    assertThat(a.status()).isEqualTo(500);
    assertThat((String) a.json().get("error"))
        .startsWith("AgentInstall error: Could not find other-agent/image_uuid in ");
    assertThat(cn.dir.agentsDir().resolve("test-agent")).doesNotExist();
  }
}
