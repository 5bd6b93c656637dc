package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.fleet.Daemon;
import com.joyent.mockcloud.fleet.DaemonOptions;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.triton.UserAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traits keep ordinary provisions off mock CNs: a CN's traits.json, else the fleet's setting,
 * reach CNAPI's server record through ServerUpdate at every start of its cn-agent.
 */
class TraitsEndToEndTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path tmp;
  private Sandbox sandbox;
  private Daemon daemon;

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private Settings settings(String fleetTraits) {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, tmp.toString());
    flags.put(Setting.DATACENTER, sandbox.datacenter());
    flags.put(Setting.ADMIN_UUID, sandbox.adminUuid());
    flags.put(Setting.NAPI_URL, sandbox.napiUrl());
    flags.put(Setting.CNAPI_URL, sandbox.cnapiUrl());
    flags.put(Setting.VMAPI_URL, sandbox.vmapiUrl());
    if (fleetTraits != null) {
      flags.put(Setting.FLEET_TRAITS, fleetTraits);
    }
    return new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
  }

  private static int send(String method, String url, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    b.header("content-type", "application/json").method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(Json.compact(body)));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private Object traitsAtCnapi(UUID server) {
    Map<String, Object> rec = sandbox.cnapi().server(server.toString());
    return rec == null ? null : rec.get("traits");
  }

  @Test
  void ownFileThenFleetSetting_reachCnapi_andAreAssertedAgainAtTheNextStart() throws Exception {
    sandbox = Sandbox.start(SandboxOptions.defaults());
    Settings settings = settings("{\"mockcloud\": true}");
    ServerCreator creator = new ServerCreator(new ServerRoot(tmp), TritonApis.standalone(settings)
        .napi(UserAgent.tool("test")), sandbox.datacenter(), UUID.fromString(sandbox.adminUuid()), "20190718T003512Z",
        Clock.systemUTC(), new Random());
    Map<String, Object> own = Map.of("mockcloud", true, "rack", List.of("r1", "r2"));
    UUID withFile = creator.create(new ServerCreator.Request(null, null, HardwareProfile.STANDARD, own)).uuid();
    UUID fleetOnly = creator.create(ServerCreator.Request.random(HardwareProfile.STANDARD)).uuid();
    assertThat(Json.parse(Files.readAllBytes(tmp.resolve("servers/" + withFile + "/traits.json")))).isEqualTo(own);
    assertThat(tmp.resolve("servers/" + fleetOnly + "/traits.json")).doesNotExist();

    daemon = new Daemon(settings, DaemonOptions.ephemeral(CnAgentOptions.defaults().withTmpDir(tmp.resolve("t"))))
        .start();
    Await.require(Duration.ofSeconds(20), () -> own.equals(traitsAtCnapi(withFile))
        && Map.of("mockcloud", true).equals(traitsAtCnapi(fleetOnly)), "both CNs' traits at CNAPI");

    // An operator clears them; the CN's next start asserts them again.
    assertThat(send("POST", sandbox.cnapiUrl() + "/servers/" + withFile, Map.of("traits", Map.of()))).isEqualTo(204);
    assertThat(traitsAtCnapi(withFile)).isEqualTo(Map.of());
    assertThat(send("POST", daemon.control().baseUrl() + "/servers/" + withFile + "/actions/restart-agent", Map.of()))
        .isEqualTo(200);
    Await.require(Duration.ofSeconds(20), () -> own.equals(traitsAtCnapi(withFile)), "traits asserted again");
  }

  @Test
  void noTraitsAnywhere_sendsNone_soWhatTheOperatorSetStays() throws Exception {
    sandbox = Sandbox.start(SandboxOptions.defaults());
    Settings settings = settings(null);
    UUID cn = new ServerCreator(new ServerRoot(tmp), TritonApis.standalone(settings).napi(UserAgent.tool("test")),
        sandbox.datacenter(), UUID.fromString(sandbox.adminUuid()), "20190718T003512Z", Clock.systemUTC(),
        new Random()).create(ServerCreator.Request.random(HardwareProfile.STANDARD)).uuid();
    daemon = new Daemon(settings, DaemonOptions.ephemeral(CnAgentOptions.defaults().withTmpDir(tmp.resolve("t"))))
        .start();
    Await.require(Duration.ofSeconds(20), () -> sandbox.cnapi().servers().lastHeartbeat(cn.toString()) != null,
        "a heartbeat");
    assertThat(send("POST", sandbox.cnapiUrl() + "/servers/" + cn, Map.of("traits", Map.of("ssd", true))))
        .isEqualTo(204);
    java.time.Instant restarted = java.time.Instant.now();
    assertThat(send("POST", daemon.control().baseUrl() + "/servers/" + cn + "/actions/restart-agent", Map.of()))
        .isEqualTo(200);
    // The restarted agent's first heartbeat comes after its registration and agents (and traits, were there any).
    Await.require(Duration.ofSeconds(20), () -> {
      String hb = sandbox.cnapi().servers().lastHeartbeat(cn.toString());
      return hb != null && java.time.Instant.parse(hb).isAfter(restarted.plusMillis(100));
    }, "a heartbeat of the restarted agent");
    assertThat(traitsAtCnapi(cn)).isEqualTo(Map.of("ssd", true));
  }
}
