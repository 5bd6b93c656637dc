package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.configagent.ConfigAgent;
import com.joyent.mockcloud.configagent.ConfigAgentOptions;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.server.StandardAgents;
import com.joyent.mockcloud.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every mock CN's config-agent against the sandbox SAPI: the CNs' agent instances adopted at
 * create-server, a manifest on the cn-agent service rendered into each CN's file with SAPI's
 * metadata and the CN's own values, a metadata change reaching every CN within a poll
 * interval, and an unchanged config leaving the file alone.
 */
class ConfigAgentEndToEndTest {
  private static final String PATH = "/opt/smartdc/agents/etc/cn-agent.config.json";
  @TempDir Path tmp;
  private SandboxFleet fleet;
  private Sandbox sandbox;
  private List<UUID> servers;

  @BeforeEach
  void setUp() throws Exception {
    fleet = new SandboxFleet(tmp);
    sandbox = fleet.sandbox;
    fleet.configAgent = ConfigAgentOptions.defaults().withPollInterval(Duration.ofSeconds(1))
        .withRetryMin(Duration.ofMillis(200));
    servers = List.of(fleet.createServer(), fleet.createServer());
  }

  @AfterEach
  void tearDown() {
    fleet.close();
  }

  private static Map<String, Object> post(String url, Map<String, Object> body) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.compact(body)))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.parseObject(r.body());
  }

  private Path file(UUID server) {
    return tmp.resolve("servers").resolve(server.toString()).resolve("agents/cn-agent/root" + PATH);
  }

  private String read(UUID server) {
    try {
      return Files.exists(file(server)) ? Files.readString(file(server)) : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  private String adminIp(UUID server) throws Exception {
    Map<String, Object> sysinfo = Json.parseObject(Files.readAllBytes(tmp.resolve("servers").resolve(server.toString())
        .resolve("sysinfo.json")));
    return ((Map<String, Map<String, Object>>) sysinfo.get("Network Interfaces")).values().stream()
        .filter(n -> ((List<?>) n.get("NIC Names")).contains("admin")).map(n -> (String) n.get("ip4addr"))
        .findFirst().orElseThrow();
  }

  @Test
  void everyCn_rendersItsInstancesConfig_andAMetadataChangeReachesEveryCn() throws Exception {
    assertThat(sandbox.sapi().instances()).hasSize(StandardAgents.AGENTS.size() * servers.size()); // adopted at create-server
    Map<String, Object> svc = sandbox.sapi().agentService("cn-agent");
    String manifest = (String) post(sandbox.sapiUrl() + "/manifests", Map.of("name", "cn-agent", "path", PATH,
        "template", "{\"dc\":\"{{datacenter_name}}\",\"port\":{{port}},\"server\":\"{{auto.SERVER_UUID}}\","
            + "\"admin\":\"{{auto.ADMIN_IP}}\"}\n", "post_cmd", "svcadm restart cn-agent")).get("uuid");
    sandbox.sapi().update("service", (String) svc.get("uuid"), Map.of("manifests", Map.of("cn-agent", manifest),
        "metadata", Map.of("port", 5309)));

    fleet.start();
    for (UUID s : servers) {
      String expected = "{\"dc\":\"" + sandbox.datacenter() + "\",\"port\":5309,\"server\":\"" + s + "\",\"admin\":\""
          + adminIp(s) + "\"}\n";
      Await.require(Duration.ofSeconds(10), () -> expected.equals(read(s)), "the config of " + s);
    }
    // only the cn-agent instance has a manifest: the other agents get no file
    assertThat(tmp.resolve("servers").resolve(servers.get(0).toString()).resolve("agents/vm-agent/root")).doesNotExist();

    // unchanged: polls go on (304s) and the file is not touched
    Files.setLastModifiedTime(file(servers.get(0)), FileTime.fromMillis(1_000_000));
    ConfigAgent agent = fleet.daemon().fleet().running().get(servers.get(0)).configAgent();
    long before = agent.requests();
    Await.require(Duration.ofSeconds(10), () -> agent.requests() >= before + 8, "two more polls of 4 instances");
    assertThat(Files.getLastModifiedTime(file(servers.get(0))).toMillis()).isEqualTo(1_000_000);
    long writes = agent.writes();

    sandbox.sapi().update("service", (String) svc.get("uuid"), Map.of("metadata", Map.of("port", 1)));
    for (UUID s : servers) {
      Await.require(Duration.ofSeconds(5), () -> read(s) != null && read(s).contains("\"port\":1,"),
          "the new port in the config of " + s);
    }
    // the counter moves just after the file is renamed into place: wait for it, then for two more polls
    Await.require(Duration.ofSeconds(5), () -> agent.writes() >= writes + 1, "the write counted");
    long after = agent.requests();
    Await.require(Duration.ofSeconds(10), () -> agent.requests() >= after + 8, "two more polls of 4 instances");
    assertThat(agent.writes()).isEqualTo(writes + 1);
  }

  @Test
  void aPausedConfigAgent_writesNothing_andCatchesUpWhenResumed() throws Exception {
    Map<String, Object> svc = sandbox.sapi().agentService("cn-agent");
    String manifest = (String) post(sandbox.sapiUrl() + "/manifests", Map.of("name", "cn-agent", "path", PATH,
        "template", "port={{port}}")).get("uuid");
    sandbox.sapi().update("service", (String) svc.get("uuid"), Map.of("manifests", Map.of("cn-agent", manifest),
        "metadata", Map.of("port", 1)));
    UUID paused = servers.get(0);
    UUID other = servers.get(1);
    Path behaviour = tmp.resolve("servers").resolve(paused.toString()).resolve("behaviour.json");
    fleet.start();
    for (UUID s : servers) {
      Await.require(Duration.ofSeconds(10), () -> "port=1".equals(read(s)), "the first config of " + s);
    }
    Files.writeString(behaviour, "{\"config_agent\": {\"mode\": \"pause\"}}");
    Await.require(Duration.ofSeconds(10), () -> fleet.daemon().fleet().running().get(paused).configAgent().isStopped(),
        "config-agent paused");
    sandbox.sapi().update("service", (String) svc.get("uuid"), Map.of("metadata", Map.of("port", 2)));
    Await.require(Duration.ofSeconds(5), () -> "port=2".equals(read(other)), "the running agent's new config");
    ConfigAgent otherAgent = fleet.daemon().fleet().running().get(other).configAgent();
    long polls = otherAgent.requests();
    Await.require(Duration.ofSeconds(10), () -> otherAgent.requests() >= polls + 8, "two more polls elsewhere");
    assertThat(read(paused)).isEqualTo("port=1");

    Files.delete(behaviour);
    Await.require(Duration.ofSeconds(10), () -> "port=2".equals(read(paused)), "the resumed agent caught up");
  }
}
