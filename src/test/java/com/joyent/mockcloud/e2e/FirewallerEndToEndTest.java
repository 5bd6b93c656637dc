package com.joyent.mockcloud.e2e;

import static com.joyent.mockcloud.e2e.JsonCalls.json;
import static com.joyent.mockcloud.e2e.JsonCalls.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.firewaller.FirewallerOptions;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.sandbox.SandboxFwapi;
import com.joyent.mockcloud.testing.Await;
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
 * Mock CNs' firewallers against the sandbox FWAPI and VMAPI: a rule on a tag reaches exactly the
 * CNs holding a firewall-enabled VM with the tag and leaves with its removal; a VM provisioned
 * later brings its rules with it; and after an outage of FWAPI's push the next sync puts every
 * CN's rules in step again.
 */
class FirewallerEndToEndTest {
  private static final String OWNER = "930896af-bf8c-48d4-885c-6573a94b1853";
  @TempDir Path tmp;
  private SandboxFleet fleet;

  @AfterEach
  void tearDown() {
    if (fleet != null) {
      fleet.close();
    }
  }

  private Path ruleFile(UUID server, String rule) {
    return tmp.resolve("servers").resolve(server.toString()).resolve("fw/rules").resolve(rule + ".json");
  }

  private Path rvmFile(UUID server, String vm) {
    return tmp.resolve("servers").resolve(server.toString()).resolve("fw/vms").resolve(vm + ".json");
  }

  private String createRule(Sandbox sb, String text) throws Exception {
    HttpResponse<String> r = send("POST", sb.fwapiUrl() + "/rules", Map.of("owner_uuid", OWNER, "enabled", true,
        "rule", text));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return (String) json(r).get("uuid");
  }

  private void awaitConnected(Sandbox sb, List<UUID> servers) throws InterruptedException {
    Await.require(Duration.ofSeconds(20), () -> sb.fwapi().connectedFirewallers().containsAll(
        servers.stream().map(UUID::toString).toList()), "every firewaller connected to FWAPI");
  }

  @Test
  void aTagRuleReachesTheCnsWithATaggedFirewalledVm_andItsRemovalRemovesIt() throws Exception {
    fleet = new SandboxFleet(tmp);
    Sandbox sb = fleet.sandbox;
    UUID a = fleet.createServer();
    UUID b = fleet.createServer();
    UUID c = fleet.createServer();
    fleet.start();
    awaitConnected(sb, List.of(a, b, c));
    VmapiCalls vmapi = new VmapiCalls(sb.vmapiUrl(), OWNER);
    String webA = vmapi.provisionOn(a, "web-a", Map.of("role", "web"), true);
    vmapi.provisionOn(b, "web-b-off", Map.of("role", "web"), false); // firewall off: no rules for it
    vmapi.provisionOn(c, "db-c", Map.of("role", "db"), true);

    String rule = createRule(sb, "FROM any TO tag role = web ALLOW tcp PORT 80");
    Await.require(Duration.ofSeconds(20), () -> Files.exists(ruleFile(a, rule)), "the rule on CN a");
    Map<String, Object> onDisk = Json.parseObject(Files.readAllBytes(ruleFile(a, rule)));
    assertThat(onDisk).containsEntry("created_by", "fwapi").containsEntry("enabled", true)
        .containsEntry("owner_uuid", OWNER).containsEntry("rule", "FROM any TO tag \"role\" = \"web\" ALLOW tcp PORT 80");
    assertThat(Files.exists(ruleFile(b, rule))).isFalse();
    assertThat(Files.exists(ruleFile(c, rule))).isFalse();

    // A firewalled web VM provisioned later on b brings the rule there (vm.add → /resolve).
    vmapi.provisionOn(b, "web-b", Map.of("role", "web"), true);
    Await.require(Duration.ofSeconds(20), () -> Files.exists(ruleFile(b, rule)), "the rule on CN b");

    // A rule from the db VM to the web VMs: c holds it with a's and b's web VMs as remote VMs.
    String toWeb = createRule(sb, "FROM tag role = db TO tag role = web ALLOW tcp PORT 443");
    Await.require(Duration.ofSeconds(20), () -> Files.exists(ruleFile(a, toWeb)) && Files.exists(ruleFile(b, toWeb)),
        "the db rule on the web CNs");
    Await.require(Duration.ofSeconds(20), () -> Files.exists(rvmFile(a, vmUuid(vmapi, "db-c"))),
        "db-c as a remote VM on CN a");
    Map<String, Object> rvm = Json.parseObject(Files.readAllBytes(rvmFile(a, vmUuid(vmapi, "db-c"))));
    assertThat(rvm).containsEntry("owner_uuid", OWNER).containsEntry("tags", Map.of("role", "db"));
    assertThat((List<?>) rvm.get("ips")).isNotEmpty();

    assertThat(send("DELETE", sb.fwapiUrl() + "/rules/" + rule, null).statusCode()).isEqualTo(204);
    Await.require(Duration.ofSeconds(20), () -> !Files.exists(ruleFile(a, rule)) && !Files.exists(ruleFile(b, rule)),
        "the rule gone from every CN");
    assertThat(Files.exists(ruleFile(a, toWeb))).isTrue();
    assertThat(webA).isNotNull();
  }

  private static String vmUuid(VmapiCalls vmapi, String alias) {
    try {
      return (String) vmapi.send("GET", "/vms?alias=" + alias, null).array().get(0).get("uuid");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private record WebCns(UUID a, UUID b, String rule) {}

  /** Two CNs with a firewalled web VM each, syncing every {@code syncInterval}, and a rule for them that both hold. */
  private WebCns twoWebCnsWithARule(Duration syncInterval) throws Exception {
    fleet = new SandboxFleet(tmp);
    fleet.firewaller = FirewallerOptions.defaults().withSyncInterval(syncInterval);
    Sandbox sb = fleet.sandbox;
    UUID a = fleet.createServer();
    UUID b = fleet.createServer();
    fleet.start();
    awaitConnected(sb, List.of(a, b));
    VmapiCalls vmapi = new VmapiCalls(sb.vmapiUrl(), OWNER);
    vmapi.provisionOn(a, "web-a", Map.of("role", "web"), true);
    vmapi.provisionOn(b, "web-b", Map.of("role", "web"), true);
    String rule = createRule(sb, "FROM any TO tag role ALLOW tcp PORT 22");
    Await.require(Duration.ofSeconds(20), () -> Files.exists(ruleFile(a, rule)) && Files.exists(ruleFile(b, rule)),
        "the first rule on both CNs");
    return new WebCns(a, b, rule);
  }

  /** Both CNs hold {@code added} and neither {@code removed}. */
  private boolean inStep(WebCns w, String added, String removed) {
    return Files.exists(ruleFile(w.a(), added)) && Files.exists(ruleFile(w.b(), added))
        && !Files.exists(ruleFile(w.a(), removed)) && !Files.exists(ruleFile(w.b(), removed));
  }

  @Test
  void changesMissedInAnOutageOfFwapisPush_stayMissedAfterReconnecting_untilASyncUpdate() throws Exception {
    // A week: no periodic sync comes during the test, so only the push and the sync update act.
    WebCns w = twoWebCnsWithARule(Duration.ofDays(7));
    Sandbox sb = fleet.sandbox;
    String kept = w.rule();

    sb.fwapi().outage(SandboxFwapi.Outage.PUSH); // rule changes now reach no firewaller
    String added = createRule(sb, "FROM any TO tag role = web ALLOW tcp PORT 80");
    assertThat(send("DELETE", sb.fwapiUrl() + "/rules/" + kept, null).statusCode()).isEqualTo(204);
    sb.fwapi().outage(SandboxFwapi.Outage.NONE);
    awaitConnected(sb, List.of(w.a(), w.b()));
    // As the real agent: nothing re-syncs on reconnecting, so what the outage hid stays missed.
    Thread.sleep(500);
    assertThat(Files.exists(ruleFile(w.a(), added))).isFalse();
    assertThat(Files.exists(ruleFile(w.b(), kept))).isTrue();

    assertThat(send("POST", sb.fwapiUrl() + "/updates", Map.of("type", "sync")).statusCode()).isEqualTo(202);
    Await.require(Duration.ofSeconds(20), () -> inStep(w, added, kept), "both CNs in step after a sync");
  }

  @Test
  void duringAnOutageOfFwapisPush_thePeriodicSyncPutsEveryCnInStep() throws Exception {
    WebCns w = twoWebCnsWithARule(Duration.ofSeconds(3));
    Sandbox sb = fleet.sandbox;
    String kept = w.rule();

    // The push stays down the whole time, so only the timer's sync can bring these changes.
    sb.fwapi().outage(SandboxFwapi.Outage.PUSH);
    String added = createRule(sb, "FROM any TO tag role = web ALLOW tcp PORT 80");
    assertThat(send("DELETE", sb.fwapiUrl() + "/rules/" + kept, null).statusCode()).isEqualTo(204);
    Await.require(Duration.ofSeconds(20), () -> inStep(w, added, kept), "both CNs in step after a sync");
    assertThat(sb.fwapi().connectedFirewallers()).isEmpty();
  }

  @Test
  void aPausedFirewallerLeavesFwapi_catchesUpWhenResumed_andAnUninstalledOneStops() throws Exception {
    fleet = new SandboxFleet(tmp);
    Sandbox sb = fleet.sandbox;
    UUID a = fleet.createServer();
    UUID b = fleet.createServer();
    fleet.start();
    awaitConnected(sb, List.of(a, b));
    VmapiCalls vmapi = new VmapiCalls(sb.vmapiUrl(), OWNER);
    vmapi.provisionOn(a, "web-a", Map.of("role", "web"), true);
    vmapi.provisionOn(b, "web-b", Map.of("role", "web"), true);

    Path behaviour = tmp.resolve("servers").resolve(a.toString()).resolve("behaviour.json");
    Files.writeString(behaviour, "{\"firewaller\": {\"mode\": \"pause\"}}");
    Await.require(Duration.ofSeconds(10), () -> !sb.fwapi().connectedFirewallers().contains(a.toString()),
        "the paused firewaller gone from FWAPI");
    String rule = createRule(sb, "FROM any TO tag role = web ALLOW tcp PORT 80");
    Await.require(Duration.ofSeconds(20), () -> Files.exists(ruleFile(b, rule)), "the rule on the running CN");
    assertThat(Files.exists(ruleFile(a, rule))).isFalse();

    Files.delete(behaviour); // resumed: its start-up sync brings the rule
    Await.require(Duration.ofSeconds(20), () -> Files.exists(ruleFile(a, rule)), "the resumed CN caught up");
    awaitConnected(sb, List.of(a, b));

    HttpResponse<String> task = send("POST", sb.cnapiUrl() + "/servers/" + b + "/uninstall-agents",
        Map.of("agents", List.of("firewaller")));
    assertThat(task.statusCode()).as(task.body()).isEqualTo(200);
    Await.require(Duration.ofSeconds(20), () -> !sb.fwapi().connectedFirewallers().contains(b.toString()),
        "the uninstalled firewaller gone from FWAPI");
    assertThat(tmp.resolve("servers").resolve(b.toString()).resolve("agents/firewaller")).doesNotExist();
    assertThat(send("POST", sb.cnapiUrl() + "/servers/" + b + "/uninstall-agents", Map.of("agents", "x"))
        .statusCode()).isEqualTo(500);
  }
}
