package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.fast.FastMessagesClient;
import io.netty.channel.nio.NioEventLoopGroup;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox FWAPI over HTTP and its fast-messages push, with FWAPI's answers. */
class SandboxFwapiTest {
  private static final String OWNER = "930896af-bf8c-48d4-885c-6573a94b1853";
  private static final String OTHER = "11111111-2222-4333-8444-555555555555";
  private Sandbox sandbox;
  private String fwapi;

  @BeforeEach
  void setUp() {
    sandbox = Sandbox.start(SandboxOptions.defaults());
    fwapi = sandbox.fwapiUrl();
  }

  @AfterEach
  void tearDown() {
    sandbox.close();
  }

  @Test
  void rulesCrud_inFwrulesCanonicalText_withOwnerChecks() {
    TestHttp.Reply created = TestHttp.post(fwapi + "/rules", Map.of("owner_uuid", OWNER, "enabled", true,
        "rule", "from any to tag www allow TCP (port 443 and port 80)"));
    assertThat(created.status()).isEqualTo(202);
    assertThat(created.header("x-update-id")).matches("[0-9a-f-]{36}");
    assertThat(created.header("Server")).isEqualTo("SmartDC Firewall API");
    Map<String, Object> rule = created.object();
    assertThat(rule.keySet()).containsExactly("enabled", "log", "owner_uuid", "rule", "uuid", "version");
    assertThat(rule).containsEntry("rule", "FROM any TO tag \"www\" ALLOW tcp (PORT 80 AND PORT 443)")
        .containsEntry("enabled", true).containsEntry("log", false);
    String uuid = (String) rule.get("uuid");

    assertThat(TestHttp.get(fwapi + "/rules/" + uuid).object()).isEqualTo(rule);
    TestHttp.Reply forbidden = TestHttp.get(fwapi + "/rules/" + uuid + "?owner_uuid=" + OTHER);
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.object()).containsEntry("code", "Forbidden").containsEntry("message", "owner does not match");

    TestHttp.Reply updated = TestHttp.put(fwapi + "/rules/" + uuid, Map.of("enabled", false));
    assertThat(updated.status()).isEqualTo(202);
    assertThat(updated.object()).containsEntry("enabled", false).containsEntry("uuid", uuid)
        .containsEntry("rule", rule.get("rule"));

    TestHttp.Reply global = TestHttp.post(fwapi + "/rules", Map.of("global", true, "enabled", true,
        "rule", "FROM all vms TO all vms ALLOW icmp TYPE 8 CODE 0"));
    assertThat(global.object()).containsEntry("global", true).doesNotContainKey("owner_uuid");
    assertThat(TestHttp.get(fwapi + "/rules?owner_uuid=" + OWNER).array()).extracting(r -> r.get("uuid"))
        .containsExactly(uuid);
    assertThat(TestHttp.get(fwapi + "/rules?global=true").array()).hasSize(1);

    // The owner check reads the body as well as the query, on every verb; a global rule takes no owner.
    assertThat(TestHttp.put(fwapi + "/rules/" + uuid, Map.of("owner_uuid", OTHER, "enabled", true)).status())
        .isEqualTo(403);
    assertThat(TestHttp.delete(fwapi + "/rules/" + uuid + "?owner_uuid=" + OTHER).status()).isEqualTo(403);
    assertThat(TestHttp.get(fwapi + "/rules/" + uuid).object()).containsEntry("enabled", false);
    String globalUuid = (String) global.object().get("uuid");
    TestHttp.Reply ownedGlobal = TestHttp.get(fwapi + "/rules/" + globalUuid + "?owner_uuid=" + OWNER);
    assertThat(ownedGlobal.status()).isEqualTo(403);
    assertThat(ownedGlobal.object()).containsEntry("code", "Forbidden");
    assertThat(TestHttp.put(fwapi + "/rules/" + uuid, Map.of("owner_uuid", OWNER, "enabled", false)).status())
        .isEqualTo(202);

    TestHttp.Reply deleted = TestHttp.delete(fwapi + "/rules/" + uuid);
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(deleted.header("x-update-id")).isNotNull();
    TestHttp.Reply gone = TestHttp.get(fwapi + "/rules/" + uuid);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.object()).containsEntry("code", "ResourceNotFound").containsEntry("message", "Rule not found");
  }

  @Test
  void badRules_areFwrulesErrors_andChangeNothing() {
    TestHttp.Reply missing = TestHttp.post(fwapi + "/rules", Map.of("owner_uuid", OWNER));
    assertThat(missing.status()).isEqualTo(409);
    assertThat(missing.object()).containsEntry("code", "MissingParameter")
        .containsEntry("message", "\"rule\" parameter required");
    TestHttp.Reply bad = TestHttp.post(fwapi + "/rules", Map.of("rule", "FROM foo TO any ALLOW tcp PORT 80",
        "enabled", "yes"));
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.object()).containsEntry("code", "InvalidParameters");
    assertThat((List<Map<String, Object>>) bad.object().get("errors")).extracting(e -> e.get("field"))
        .containsExactly("rule", "enabled", "owner_uuid");
    assertThat(sandbox.fwapi().ruleCount()).isZero();
  }

  @Test
  void resolve_givesTheRulesOfTheVmsAndTags_andWhatTheirOtherSideNames() {
    String vm = "aaaaaaaa-0000-4000-8000-000000000001";
    String db = "bbbbbbbb-0000-4000-8000-000000000002";
    TestHttp.post(fwapi + "/rules", Map.of("owner_uuid", OWNER, "enabled", true,
        "rule", "FROM tag role = web TO vm " + db + " ALLOW tcp PORT 5432"));
    TestHttp.post(fwapi + "/rules", Map.of("owner_uuid", OTHER, "enabled", true,
        "rule", "FROM tag role TO any ALLOW tcp PORT 22"));
    Map<String, Object> r = TestHttp.post(fwapi + "/resolve", Map.of("owner_uuid", OWNER, "vms", List.of(vm),
        "tags", Map.of("role", List.of("web")))).object();
    assertThat((List<?>) r.get("rules")).hasSize(1);
    // The web VM's side is FROM with ALLOW: outbound is allowed anyway, so nothing to fetch for it.
    assertThat(r).containsEntry("vms", List.of()).containsEntry("allVMs", false).containsEntry("owner_uuid", OWNER)
        .containsEntry("tags", Map.of());
    Map<String, Object> fromDb = TestHttp.post(fwapi + "/resolve", Map.of("owner_uuid", OWNER,
        "vms", List.of(db))).object();
    assertThat(fromDb).containsEntry("tags", Map.of("role", List.of("web")));
    assertThat(TestHttp.post(fwapi + "/resolve", Map.of("vms", List.of(vm))).status()).isEqualTo(422);
  }

  @Test
  void everyChangeIsPushedToEveryConnectedFirewaller_andPingListsThem() throws Exception {
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    List<Map<String, Object>> a = new CopyOnWriteArrayList<>();
    List<Map<String, Object>> b = new CopyOnWriteArrayList<>();
    FastMessagesClient ca = new FastMessagesClient(group, "127.0.0.1", sandbox.fwapiFastPort(), "cn-a", a::add);
    FastMessagesClient cb = new FastMessagesClient(group, "127.0.0.1", sandbox.fwapiFastPort(), "cn-b", b::add);
    try {
      ca.start();
      cb.start();
      await(() -> sandbox.fwapi().connectedFirewallers().size() == 2);
      Map<String, Object> ping = TestHttp.get(fwapi + "/ping?agents=true").object();
      assertThat(ping).containsEntry("healthy", true).containsEntry("status", "OK");
      assertThat((Map<String, Object>) ping.get("agents")).containsEntry("connected", List.of("cn-a", "cn-b"));
      Map<String, Object> rule = TestHttp.post(fwapi + "/rules", Map.of("owner_uuid", OWNER, "enabled", true,
          "rule", "FROM any TO all vms ALLOW tcp PORT 22")).object();
      TestHttp.Reply update = TestHttp.post(fwapi + "/updates", Map.of("type", "vm.delete",
          "uuid", "aaaaaaaa-0000-4000-8000-000000000001"));
      assertThat(update.status()).isEqualTo(202);
      await(() -> a.size() == 3 && b.size() == 3);
      assertThat(a).extracting(m -> m.get("name")).containsExactly("ping", "fw.add_rule", "vm.delete");
      assertThat(a.get(1)).containsEntry("value", rule).containsEntry("server_id", "fwapi0");
      assertThat(TestHttp.post(fwapi + "/updates", Map.of("type", "fw.nope")).status()).isEqualTo(422);

      sandbox.fwapi().outage(SandboxFwapi.Outage.FULL);
      assertThat(TestHttp.get(fwapi + "/rules").status()).isEqualTo(503);
      assertThat(TestHttp.get(fwapi + "/ping").object()).containsEntry("healthy", false);
      await(() -> !ca.isConnected() && !cb.isConnected());
      sandbox.fwapi().outage(SandboxFwapi.Outage.NONE);
      await(() -> sandbox.fwapi().connectedFirewallers().size() == 2);
    } finally {
      ca.close();
      cb.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met in 15 s");
      }
      Thread.sleep(10);
    }
  }
}
