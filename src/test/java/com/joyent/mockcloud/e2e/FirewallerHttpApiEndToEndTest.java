package com.joyent.mockcloud.e2e;

import static com.joyent.mockcloud.e2e.JsonCalls.json;
import static com.joyent.mockcloud.e2e.JsonCalls.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.testing.Await;
import java.io.IOException;
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
 * The firewallers' HTTP API, as the real agent's on port 2021, served for every CN on one
 * listener: status, a rule and a remote VM as stored, a forced rule add, a VM's ipf status, and
 * silence for a CN whose firewaller is paused.
 */
class FirewallerHttpApiEndToEndTest {
  private static final String OWNER = "930896af-bf8c-48d4-885c-6573a94b1853";
  @TempDir Path tmp;
  private SandboxFleet fleet;

  @AfterEach
  void tearDown() {
    if (fleet != null) {
      fleet.close();
    }
  }

  private String base() {
    return "http://127.0.0.1:" + fleet.daemon().firewallerServer().port();
  }

  @Test
  void statusRulesAndRemoteVms_ofTheCnTheRequestNames() throws Exception {
    fleet = new SandboxFleet(tmp);
    Sandbox sb = fleet.sandbox;
    UUID a = fleet.createServer();
    UUID b = fleet.createServer();
    fleet.start();
    VmapiCalls vmapi = new VmapiCalls(sb.vmapiUrl(), OWNER);
    vmapi.provisionOn(a, "web-a", Map.of("role", "web"), true);
    HttpResponse<String> created = send("POST", sb.fwapiUrl() + "/rules", null, Map.of("owner_uuid", OWNER,
        "enabled", true, "rule", "FROM any TO tag role = web ALLOW tcp PORT 80"));
    String rule = (String) json(created).get("uuid");
    Path onA = tmp.resolve("servers").resolve(a.toString()).resolve("fw/rules").resolve(rule + ".json");
    Await.require(Duration.ofSeconds(20), () -> Files.exists(onA), "the rule on CN a");

    HttpResponse<String> status = send("GET", base() + "/status", a, null);
    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(status.headers().firstValue("server")).hasValue("firewaller");
    assertThat(json(status)).containsEntry("queued", 0);
    assertThat((List<?>) json(status).get("recent")).isNotEmpty(); // the start-up sync at least

    HttpResponse<String> got = send("GET", base() + "/rules/" + rule + "?server_uuid=" + a, null, null);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(json(got)).containsEntry("uuid", rule).containsEntry("owner_uuid", OWNER)
        .containsEntry("rule", "FROM any TO tag \"role\" = \"web\" ALLOW tcp PORT 80");
    HttpResponse<String> notOnB = send("GET", base() + "/rules/" + rule, b, null);
    assertThat(notOnB.statusCode()).isEqualTo(404);
    assertThat(json(notOnB)).isEqualTo(Map.of("code", "ResourceNotFound", "message", "rule not found"));
    HttpResponse<String> rvm = send("GET", base() + "/rvms/" + UUID.randomUUID(), a, null);
    assertThat(rvm.statusCode()).isEqualTo(404);
    assertThat(json(rvm)).containsEntry("message", "remote VM not found");

    HttpResponse<String> noCn = send("GET", base() + "/status", null, null);
    assertThat(noCn.statusCode()).isEqualTo(409);
    assertThat(json(noCn)).containsEntry("code", "MissingParameter");
    HttpResponse<String> unknownCn = send("GET", base() + "/status", UUID.randomUUID(), null);
    assertThat(unknownCn.statusCode()).isEqualTo(404);
  }

  @Test
  void putRule_forcesTheRuleOntoThatCnAlone_andABadRuleChangesNothing() throws Exception {
    fleet = new SandboxFleet(tmp);
    UUID a = fleet.createServer();
    UUID b = fleet.createServer();
    fleet.start();
    Await.require(Duration.ofSeconds(20), () -> fleet.daemon().fleet().firewallerOf(b) != null, "b's firewaller");
    String uuid = UUID.randomUUID().toString();
    // No VM on b has the tag: only force (what PUT sets) writes it.
    HttpResponse<String> put = send("PUT", base() + "/rules/" + uuid, b, Map.of("owner_uuid", OWNER,
        "enabled", true, "rule", "FROM any TO tag role = db ALLOW tcp PORT 5432", "version", "1.1"));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(json(put)).containsEntry("uuid", uuid).containsEntry("enabled", true).doesNotContainKey("force");
    Path dir = tmp.resolve("servers");
    assertThat(dir.resolve(b.toString()).resolve("fw/rules").resolve(uuid + ".json")).exists();
    assertThat(dir.resolve(a.toString()).resolve("fw/rules").resolve(uuid + ".json")).doesNotExist();

    String bad = UUID.randomUUID().toString();
    HttpResponse<String> refused = send("PUT", base() + "/rules/" + bad, b, Map.of("owner_uuid", OWNER,
        "enabled", true, "rule", "FROM nowhere ALLOW everything"));
    assertThat(refused.statusCode()).isEqualTo(500);
    assertThat(json(refused)).containsEntry("code", "InternalError");
    assertThat(dir.resolve(b.toString()).resolve("fw/rules").resolve(bad + ".json")).doesNotExist();
  }

  @Test
  void vmStatus_isIpfsForARunningVm_andAPausedFirewallerAnswersNothing() throws Exception {
    fleet = new SandboxFleet(tmp);
    Sandbox sb = fleet.sandbox;
    UUID a = fleet.createServer();
    fleet.start();
    VmapiCalls vmapi = new VmapiCalls(sb.vmapiUrl(), OWNER);
    String on = vmapi.provisionOn(a, "web-on", Map.of("role", "web"), true);
    String off = vmapi.provisionOn(a, "web-off", Map.of("role", "web"), false);
    HttpResponse<String> s = send("GET", base() + "/vms/" + on + "/status", null, null);
    assertThat(s.statusCode()).isEqualTo(200);
    assertThat(json(s)).containsEntry("running", true).containsEntry("active list", 0).containsKey("ipf");
    assertThat(json(send("GET", base() + "/vms/" + off + "/status", null, null))).containsEntry("running", false)
        .containsKey("ipf");
    assertThat(send("GET", base() + "/vms/" + UUID.randomUUID() + "/status", null, null).statusCode()).isEqualTo(404);

    Files.writeString(tmp.resolve("servers").resolve(a.toString()).resolve("behaviour.json"),
        "{\"firewaller\": {\"mode\": \"pause\"}}");
    Await.require(Duration.ofSeconds(10), () -> fleet.daemon().fleet().firewallerOf(a) == null
        || fleet.daemon().fleet().firewallerOf(a).isStopped(), "the firewaller paused");
    assertThatThrownBy(() -> send("GET", base() + "/status", a, null)).isInstanceOf(IOException.class);
  }
}
