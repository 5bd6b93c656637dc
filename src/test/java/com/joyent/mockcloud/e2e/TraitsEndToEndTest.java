package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.fleet.Daemon;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
  private SandboxFleet fleet;
  private Sandbox sandbox;

  @AfterEach
  void tearDown() {
    if (fleet != null) {
      fleet.close();
    }
  }

  private void start(String fleetTraits) {
    fleet = new SandboxFleet(tmp, fleetTraits == null ? Map.of() : Map.of(Setting.FLEET_TRAITS, fleetTraits));
    sandbox = fleet.sandbox;
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
    start("{\"mockcloud\": true}");
    ServerCreator creator = fleet.creator;
    Map<String, Object> own = Map.of("mockcloud", true, "rack", List.of("r1", "r2"));
    UUID withFile = creator.create(new ServerCreator.Request(null, null, HardwareProfile.STANDARD, own)).uuid();
    UUID fleetOnly = creator.create(ServerCreator.Request.random(HardwareProfile.STANDARD)).uuid();
    assertThat(Json.parse(Files.readAllBytes(tmp.resolve("servers/" + withFile + "/traits.json")))).isEqualTo(own);
    assertThat(tmp.resolve("servers/" + fleetOnly + "/traits.json")).doesNotExist();

    Daemon daemon = fleet.start();
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
    start(null);
    UUID cn = fleet.createServer();
    Daemon daemon = fleet.start();
    fleet.awaitHeartbeat(cn);
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
