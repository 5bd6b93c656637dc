package com.joyent.mockcloud.fleet;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.joyent.mockcloud.cnagent.CnAgent;
import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.server.StandardAgents;
import com.joyent.mockcloud.server.Sysinfo;
import com.joyent.mockcloud.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetTest {
  @TempDir Path tmp;
  private WireMockServer cnapi;
  private Daemon daemon;
  private ServerRoot root;

  @BeforeEach
  void setUp() {
    cnapi = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    cnapi.start();
    cnapi.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(204)));
    root = new ServerRoot(tmp.resolve("mc"));
  }

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.close();
    }
    cnapi.stop();
  }

  private ServerDirectory makeServer() throws Exception {
    UUID uuid = UUID.randomUUID();
    ServerDirectory d = root.directoryOf(uuid);
    Files.createDirectories(d.vmsDir());
    StandardAgents.install(d.agentsDir());
    d.writeSysinfo(Sysinfo.build(new Sysinfo.Identity(uuid, Sysinfo.defaultHostname(uuid), "coal", "10.99.99.9",
        "00:10:fe:00:00:01", "00:10:fe:00:00:02", "20190718T003512Z", Instant.now(), HardwareProfile.SMALL),
        new Random()), 4);
    return d;
  }

  private Daemon startDaemon() throws Exception {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, root.root().toString());
    flags.put(Setting.CNAPI_URL, cnapi.baseUrl());
    flags.put(Setting.VMAPI_URL, cnapi.baseUrl());
    Settings settings = new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
    daemon = new Daemon(settings, DaemonOptions.ephemeral(CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp")))).start();
    return daemon;
  }

  private static void await(BooleanSupplier cond, String what) throws InterruptedException {
    if (!Await.until(Duration.ofSeconds(15), cond)) {
      throw new AssertionError("timed out waiting for " + what);
    }
  }

  /**
   * Sets servers/' mtime well before now, so the next listing is outside the racy-mtime window
   * (RescanSchedule) and only what the test does makes the fleet list again.
   */
  private void backdateServersDir() throws IOException {
    Files.setLastModifiedTime(root.serversDir(), FileTime.fromMillis(System.currentTimeMillis() - 10_000));
  }

  private List<LoggedRequest> sysinfoPosts(UUID u) {
    return cnapi.findAll(postRequestedFor(urlEqualTo("/servers/" + u + "/sysinfo")));
  }

  @Test
  void start_everyServerRegistersWithItsOwnAgentPort() throws Exception {
    List<ServerDirectory> dirs = List.of(makeServer(), makeServer(), makeServer());
    startDaemon();
    Set<Integer> ports = new HashSet<>();
    for (ServerDirectory d : dirs) {
      await(() -> !sysinfoPosts(d.uuid()).isEmpty(), "sysinfo of " + d.uuid());
      @SuppressWarnings("unchecked")
      Map<String, Object> sysinfo = (Map<String, Object>) Json.parseObject(sysinfoPosts(d.uuid()).get(0).getBody())
          .get("sysinfo");
      assertThat(sysinfo).containsEntry("UUID", d.uuid().toString()).containsEntry("CN Agent IP", "127.0.0.1");
      int port = (Integer) sysinfo.get("CN Agent Port");
      assertThat(port).isEqualTo(daemon.fleet().running().get(d.uuid()).cnAgent().port());
      ports.add(port);
    }
    assertThat(ports).hasSize(3);
    for (ServerDirectory d : dirs) {
      await(() -> !cnapi.findAll(postRequestedFor(urlEqualTo("/servers/" + d.uuid() + "/events/heartbeat"))).isEmpty(),
          "heartbeat of " + d.uuid());
    }
  }

  @Test
  void invalidEntries_areSkippedAndTheRestRun() throws Exception {
    ServerDirectory good = makeServer();
    Files.createDirectories(root.serversDir().resolve("not-a-uuid"));
    Files.createDirectories(root.serversDir().resolve(UUID.randomUUID().toString())); // no sysinfo.json
    startDaemon();
    assertThat(daemon.fleet().running().keySet()).containsExactly(good.uuid());
  }

  @Test
  void serverDirectoriesAddedOrRemovedAtRunTime_areStartedAndStopped() throws Exception {
    ServerDirectory first = makeServer();
    startDaemon();
    int firstPort = daemon.fleet().running().get(first.uuid()).cnAgent().port();

    ServerDirectory added = makeServer();
    await(() -> daemon.fleet().running().containsKey(added.uuid()), "the new server to start");
    await(() -> !sysinfoPosts(added.uuid()).isEmpty(), "the new server to register");

    // Removing the directory stops that CN: its listener goes away.
    java.nio.file.Path moved = tmp.resolve("moved");
    Files.move(first.dir(), moved);
    await(() -> !daemon.fleet().running().containsKey(first.uuid()), "the removed server to stop");
    HttpClient http = HttpClient.newHttpClient();
    assertThat(refused(http, firstPort)).isTrue();
  }

  private static boolean refused(HttpClient http, int port) {
    try {
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/history")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return false;
    } catch (java.io.IOException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void close_letsARunningTaskAnswer_andRefusesNewOnes() throws Exception {
    ServerDirectory d = makeServer();
    startDaemon();
    await(() -> !cnapi.findAll(postRequestedFor(urlEqualTo("/servers/" + d.uuid() + "/events/heartbeat"))).isEmpty(),
        "first heartbeat");
    int port = daemon.fleet().running().get(d.uuid()).cnAgent().port();
    HttpClient http = HttpClient.newHttpClient();
    java.util.concurrent.CompletableFuture<HttpResponse<String>> sleeping = http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks"))
            .header("content-type", "application/json").header("x-server-uuid", d.uuid().toString())
            .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"nop\",\"params\":{\"sleep\":1}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    CnAgent agent = daemon.fleet().running().get(d.uuid()).cnAgent();
    await(() -> agent.activeTasks() == 1, "the sleeping task to run");
    Thread closer = new Thread(daemon::close);
    closer.start();
    await(agent::isDraining, "the close to begin draining");
    HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks"))
        .header("content-type", "application/json").header("x-server-uuid", d.uuid().toString())
        .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"nop\",\"params\":{}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(sleeping.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    closer.join(10_000);
    daemon = null;
    assertThat(refused(http, port)).isTrue();
  }

  /** A sysinfo.json edited by hand (replaced by rename, or written in place) re-registers the CN, as a watched file. */
  @Test
  void sysinfoEditedByHand_reRegisters() throws Exception {
    ServerDirectory d = makeServer();
    startDaemon();
    await(() -> !cnapi.findAll(postRequestedFor(urlEqualTo("/servers/" + d.uuid() + "/events/heartbeat"))).isEmpty(),
        "first heartbeat");
    assertThat(sysinfoPosts(d.uuid())).hasSize(1);

    Map<String, Object> edited = new java.util.LinkedHashMap<>(d.readSysinfo());
    edited.put("Hostname", "renamed-by-hand");
    Path tmpFile = d.dir().resolve(".sysinfo.json.edit");
    Files.write(tmpFile, Json.prettyBytes(edited, 4));
    Files.move(tmpFile, d.sysinfoFile(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    await(() -> sysinfoPosts(d.uuid()).stream().anyMatch(r -> r.getBodyAsString().contains("renamed-by-hand")),
        "a registration with the replaced sysinfo");

    edited.put("Hostname", "edited-in-place-later");
    FileTime renamed = Files.getLastModifiedTime(d.sysinfoFile());
    try (FileChannel inPlace = FileChannel.open(d.sysinfoFile(), StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) { // the same inode, truncated and written
      inPlace.write(ByteBuffer.wrap(Json.prettyBytes(edited, 4)));
      // A later mtime than the rename's even on a coarse clock, set before the write is closed.
      Files.setLastModifiedTime(d.sysinfoFile(), FileTime.fromMillis(renamed.toMillis() + 1_000));
    }
    await(() -> sysinfoPosts(d.uuid()).stream().anyMatch(r -> r.getBodyAsString().contains("edited-in-place-later")),
        "a registration with the edited sysinfo");
  }

  /** A UUID-named directory that only later gets its sysinfo.json (servers/ itself unchanged) still starts. */
  @Test
  void serverDirectoryCompletedInPlace_isStarted() throws Exception {
    makeServer();
    startDaemon();
    UUID uuid = UUID.randomUUID();
    ServerDirectory late = root.directoryOf(uuid);
    Files.createDirectories(late.vmsDir());
    backdateServersDir(); // so only the incomplete entry keeps it listed
    daemon.fleet().rescan();
    assertThat(daemon.fleet().running()).doesNotContainKey(uuid);

    StandardAgents.install(late.agentsDir());
    late.writeSysinfo(Sysinfo.build(new Sysinfo.Identity(uuid, Sysinfo.defaultHostname(uuid), "coal", "10.99.99.9",
        "00:10:fe:00:00:03", "00:10:fe:00:00:04", "20190718T003512Z", Instant.now(), HardwareProfile.SMALL),
        new Random()), 4);
    daemon.fleet().rescan();
    await(() -> daemon.fleet().running().containsKey(uuid), "the completed server to start");
  }

  /** A CN that failed to start is tried again at the next rescan once its directory is fixed (servers/ unchanged). */
  @Test
  void serverThatFailedToStart_isStartedOnceFixed() throws Exception {
    makeServer();
    ServerDirectory broken = makeServer();
    Map<String, Object> good = broken.readSysinfo();
    Map<String, Object> wrong = new java.util.LinkedHashMap<>(good);
    wrong.put("UUID", UUID.randomUUID().toString()); // does not match the directory name: refused at start
    broken.writeSysinfo(wrong, 4);
    backdateServersDir(); // so only the failed start makes the fleet list again
    startDaemon();
    assertThat(daemon.fleet().running()).doesNotContainKey(broken.uuid());
    await(() -> !daemon.fleet().isStarting(broken.uuid()), "the first start to fail");
    daemon.fleet().rescan(); // the start attempt runs on the task pool, and fails again
    await(() -> !daemon.fleet().isStarting(broken.uuid()), "the second start to fail");
    assertThat(daemon.fleet().running()).doesNotContainKey(broken.uuid());

    broken.writeSysinfo(good, 4);
    daemon.fleet().rescan();
    await(() -> daemon.fleet().running().containsKey(broken.uuid()), "the fixed server to start");
  }

  /** A CN powered off stays off through rescans (its directory is still there); power-on boots it later. */
  @Test
  void poweredOffCn_staysOffThroughRescans_andPowerOnBootsIt() throws Exception {
    ServerDirectory d = makeServer();
    startDaemon();
    await(() -> !sysinfoPosts(d.uuid()).isEmpty(), "the first registration");
    long bootBefore = Long.parseLong((String) d.readSysinfo().get("Boot Time"));
    ServerActions actions = daemon.fleet().actions();

    actions.powerOff(d.uuid());
    assertThat(actions.stateOf(d.uuid())).isEqualTo("powered_off");
    Files.setLastModifiedTime(root.serversDir(), FileTime.fromMillis(System.currentTimeMillis() - 5_000));
    daemon.fleet().rescan();
    await(() -> !daemon.fleet().isStarting(d.uuid()), "a start the rescan might have begun");
    assertThat(daemon.fleet().running()).doesNotContainKey(d.uuid());
    int posts = sysinfoPosts(d.uuid()).size();

    actions.powerOn(d.uuid());

    assertThat(daemon.fleet().running()).containsKey(d.uuid());
    assertThat(Long.parseLong((String) d.readSysinfo().get("Boot Time"))).isGreaterThan(bootBefore);
    await(() -> sysinfoPosts(d.uuid()).size() > posts, "a new registration");
    assertThat(Json.parseObject(sysinfoPosts(d.uuid()).get(posts).getBodyAsString()))
        .extracting(b -> ((Map<?, ?>) b.get("sysinfo")).get("Boot Time"))
        .isEqualTo(d.readSysinfo().get("Boot Time"));
  }

  /** In a reboot's down time: power-off keeps it off (the reboot's power-on is dropped); power-on boots at once. */
  @Test
  void duringARebootsDownTime_powerOffKeepsItOff_andPowerOnBootsAtOnce() throws Exception {
    ServerDirectory a = makeServer();
    ServerDirectory b = makeServer();
    startDaemon();
    ServerActions actions = daemon.fleet().actions();

    actions.reboot(a.uuid(), Duration.ofSeconds(1));
    actions.reboot(b.uuid(), Duration.ofHours(1));
    assertThat(actions.stateOf(a.uuid())).isEqualTo("rebooting");
    actions.powerOff(a.uuid());
    actions.powerOn(b.uuid());
    assertThat(actions.stateOf(b.uuid())).isEqualTo("running");

    // real sleep: past a's down time, to see its dropped power-on stay dropped
    Thread.sleep(1_500);
    assertThat(actions.stateOf(a.uuid())).isEqualTo("powered_off");
    assertThat(daemon.fleet().running()).doesNotContainKey(a.uuid()).containsKey(b.uuid());
  }

  /** A reboot comes back by itself after its down time; unknown CNs and bad states are refused. */
  @Test
  void reboot_comesBackAfterItsDownTime_andRefusalsChangeNothing() throws Exception {
    ServerDirectory d = makeServer();
    startDaemon();
    ServerActions actions = daemon.fleet().actions();
    CnAgent before = daemon.fleet().running().get(d.uuid()).cnAgent();

    assertThatActionFails(() -> actions.powerOn(d.uuid()), ServerActions.ActionException.Kind.CONFLICT);
    assertThatActionFails(() -> actions.reboot(d.uuid(), Duration.ofDays(2)), ServerActions.ActionException.Kind.INVALID);
    assertThatActionFails(() -> actions.reboot(UUID.randomUUID(), Duration.ZERO), ServerActions.ActionException.Kind.NOT_FOUND);
    assertThat(daemon.fleet().running().get(d.uuid()).cnAgent()).isSameAs(before);

    actions.reboot(d.uuid(), Duration.ofMillis(200));
    await(() -> "running".equals(actions.stateOf(d.uuid())), "the CN back from its reboot");
    assertThat(daemon.fleet().running().get(d.uuid()).cnAgent()).isNotSameAs(before);
    assertThat(daemon.fleet().running().get(d.uuid()).cnAgent().port()).isEqualTo(before.port());
  }

  /** A factory reset boots the CN with no VMs and not set up; setup boots it set up, under a new hostname. */
  @Test
  void factoryReset_thenSetUp_rewriteSysinfoAndWipeVms_whileTheCnIsDown() throws Exception {
    ServerDirectory d = makeServer();
    startDaemon();
    await(() -> !sysinfoPosts(d.uuid()).isEmpty(), "the first registration");
    ServerActions actions = daemon.fleet().actions();
    String vm = UUID.randomUUID().toString();
    daemon.fleet().running().get(d.uuid()).vms().create(new java.util.LinkedHashMap<>(Map.of("uuid", vm,
        "brand", "joyent-minimal", "owner_uuid", UUID.randomUUID().toString(), "max_physical_memory", 128)));
    assertThat(d.vmsDir()).isNotEmptyDirectory();
    assertThatActionFails(() -> actions.setUp(d.uuid(), "cn-x", Duration.ZERO), ServerActions.ActionException.Kind.CONFLICT);
    assertThat(d.readSysinfo()).containsEntry("Setup", "true");

    actions.factoryReset(d.uuid(), Duration.ofMillis(200));
    assertThat(actions.stateOf(d.uuid())).isEqualTo("rebooting");
    await(() -> "running".equals(actions.stateOf(d.uuid())), "the CN back from its reset");
    assertThat(d.readSysinfo()).containsEntry("Setup", "false");
    assertThat(d.vmsDir()).isEmptyDirectory();
    assertThat(daemon.fleet().running().get(d.uuid()).vms().exists(vm)).isFalse();
    int posts = sysinfoPosts(d.uuid()).size();

    actions.setUp(d.uuid(), "cn-x", Duration.ofMillis(200));
    await(() -> "running".equals(actions.stateOf(d.uuid())) && sysinfoPosts(d.uuid()).size() > posts,
        "the CN back set up");
    assertThat(d.readSysinfo()).containsEntry("Setup", "true").containsEntry("Hostname", "cn-x");
    assertThat(Json.parseObject(sysinfoPosts(d.uuid()).get(sysinfoPosts(d.uuid()).size() - 1).getBodyAsString()))
        .extracting(b -> ((Map<?, ?>) b.get("sysinfo")).get("Setup")).isEqualTo("true");
  }

  @Test
  void nextBootTime_isNow_butAlwaysLaterThanTheLastOne() {
    assertThat(CnFactory.nextBootTime("1000", 5000)).isEqualTo(5000);
    assertThat(CnFactory.nextBootTime("5000", 5000)).isEqualTo(5001);
    assertThat(CnFactory.nextBootTime(null, 5000)).isEqualTo(5000);
    assertThat(CnFactory.nextBootTime("garbage", 5000)).isEqualTo(5000);
  }

  private interface Action {
    void run() throws ServerActions.ActionException;
  }

  private static void assertThatActionFails(Action a, ServerActions.ActionException.Kind kind) {
    try {
      a.run();
      throw new AssertionError("expected " + kind);
    } catch (ServerActions.ActionException e) {
      assertThat(e.kind()).isEqualTo(kind);
    }
  }
}
