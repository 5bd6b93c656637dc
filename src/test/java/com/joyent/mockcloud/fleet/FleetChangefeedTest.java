package com.joyent.mockcloud.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.netagent.ChangefeedMode;
import com.joyent.mockcloud.netagent.NetAgent;
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
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run-servers' changefeed modes (--changefeed) as the sandbox NAPI sees them: three CNs each. */
class FleetChangefeedTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path tmp;
  private Sandbox sandbox;
  private Settings settings;
  private Daemon daemon;

  @BeforeEach
  void setUp() throws Exception {
    sandbox = Sandbox.start(SandboxOptions.defaults());
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, tmp.toString());
    flags.put(Setting.DATACENTER, sandbox.datacenter());
    flags.put(Setting.ADMIN_UUID, sandbox.adminUuid());
    flags.put(Setting.NAPI_URL, sandbox.napiUrl());
    flags.put(Setting.CNAPI_URL, sandbox.cnapiUrl());
    flags.put(Setting.VMAPI_URL, sandbox.vmapiUrl());
    settings = new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
    ServerCreator creator = new ServerCreator(new ServerRoot(tmp), TritonApis.standalone(settings).napi(UserAgent.tool("test")),
        sandbox.datacenter(), UUID.fromString(sandbox.adminUuid()), "20190718T003512Z", Clock.systemUTC(), new Random());
    for (int i = 0; i < 3; i++) {
      creator.create(ServerCreator.Request.random(HardwareProfile.SMALL));
    }
  }

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.close();
    }
    sandbox.close();
  }

  private Fleet start(ChangefeedMode mode) throws Exception {
    daemon = new Daemon(settings, DaemonOptions.ephemeral(CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp"))));
    daemon.fleet().setChangefeedMode(mode);
    daemon.start();
    return daemon.fleet();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> stats() {
    try {
      HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.napiUrl() + "/changefeeds/stats"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
      return (Map<String, Object>) Json.parse(r.body());
    } catch (Exception e) {
      return Map.of();
    }
  }

  private static void await(BooleanSupplier cond, String what) throws InterruptedException {
    Await.require(Duration.ofSeconds(20), cond, what);
  }

  private void awaitEveryNetAgentStarted(Fleet fleet) throws InterruptedException {
    await(() -> fleet.running().size() == 3 && fleet.running().values().stream()
        .allMatch(cn -> cn.netAgent() != null && cn.netAgent().stats().started()), "every net-agent started");
  }

  @Test
  void shared_threeCns_oneListenerOneRegistration_asTheProcessInstance() throws Exception {
    Fleet fleet = start(ChangefeedMode.SHARED);
    assertThat(fleet.changefeedMode()).isEqualTo(ChangefeedMode.SHARED);
    await(() -> Integer.valueOf(1).equals(stats().get("registrations")), "one registration");
    awaitEveryNetAgentStarted(fleet);
    await(() -> fleet.running().values().stream().allMatch(cn -> cn.netAgent().stats().changefeedConnected()),
        "every CN's net-agent fed by the shared socket");
    assertThat(stats()).containsEntry("listeners", 1).containsEntry("registrations", 1);
    assertThat(fleet.running().values()).allSatisfy(cn ->
        assertThat(cn.netAgent().changefeedMode()).isEqualTo(ChangefeedMode.SHARED));
    assertThat(fleet.sharedChangefeeds().cns()).isEqualTo(3);
    assertThat(Files.readString(tmp.resolve("net-agent/instance_uuid")).trim())
        .isEqualTo(fleet.sharedChangefeeds().instanceUuid());
  }

  @Test
  void perCn_threeCns_threeRegistrations() throws Exception {
    Fleet fleet = start(ChangefeedMode.PER_CN);
    await(() -> Integer.valueOf(3).equals(stats().get("registrations")), "three registrations");
    assertThat(stats()).containsEntry("listeners", 3);
    assertThat(fleet.sharedChangefeeds()).isNull();
    assertThat(fleet.running().values()).allSatisfy(cn ->
        assertThat(cn.netAgent().changefeedMode()).isEqualTo(ChangefeedMode.PER_CN));
  }

  @Test
  void off_opensNoSocket() throws Exception {
    Fleet fleet = start(ChangefeedMode.OFF);
    awaitEveryNetAgentStarted(fleet);
    // every CN's admin NIC claimed by its net-agent: the agents ran their first pass
    await(() -> sandbox.napi().nics().list(n -> "server".equals(n.get("belongs_to_type"))).size() >= 3,
        "the CNs' NICs claimed in NAPI");
    // real sleep: a socket that must never open has no event to wait for; a per-CN agent opens
    // its socket as it starts, long before its first pass has claimed the NICs
    Thread.sleep(300);
    assertThat(stats()).containsEntry("listeners", 0).containsEntry("registrations", 0);
    assertThat(fleet.running().values()).allSatisfy(cn -> {
      NetAgent a = cn.netAgent();
      assertThat(a.changefeedMode()).isEqualTo(ChangefeedMode.OFF);
      assertThat(a.stats().changefeedConnected()).isFalse();
    });
  }

  @Test
  void auto_withRoomForASocketPerCn_isPerCn() throws Exception {
    assertThat(FdBudget.plan(3, FdBudget.limit())).isEqualTo(FdBudget.Plan.PER_CN_CHANGEFEED);
    Fleet fleet = start(ChangefeedMode.AUTO);
    assertThat(fleet.changefeedMode()).isEqualTo(ChangefeedMode.PER_CN);
    await(() -> Integer.valueOf(3).equals(stats().get("registrations")), "a registration per CN");
  }
}
