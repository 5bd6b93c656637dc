package com.joyent.mockcloud.netagent;

import static com.joyent.mockcloud.netagent.NetAgentHarness.await;
import static com.joyent.mockcloud.netagent.NetAgentHarness.awaitSettled;
import static com.joyent.mockcloud.netagent.NetAgentHarness.createVm;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNic;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.vm.ServerVms;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The changefeed client and life without it (spec §2.4, §2.12; conformance 15, 16, 36–39). */
class ChangefeedTest {
  @TempDir Path tmp;
  private NetAgentHarness h;
  private ServerDirectory d;
  private String cn;
  private ServerVms vms;

  @BeforeEach
  void setUp() throws Exception {
    h = new NetAgentHarness(tmp);
    d = h.newServer(FakeNapi.newMac(), "10.199.0.42", FakeNapi.newMac());
    cn = d.uuid().toString();
    vms = h.vmsOf(d);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void handshake_probesThenUpgradesThenRegistersWithInstanceUuid() throws Exception {
    NetAgent agent = h.start(d);
    await(() -> agent.stats().changefeedConnected(), "changefeed");
    Path file = d.agentsDir().resolve("net-agent/instance_uuid");
    String content = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(content).matches("[0-9a-f-]{36}\n");
    String instance = content.trim();
    assertThat(agent.instanceUuid()).isEqualTo(instance);

    List<FakeNapi.Received> cf = h.napi.received(r -> r.path().startsWith("/changefeeds"));
    assertThat(cf).extracting(FakeNapi.Received::path).containsExactly("/changefeeds", "/changefeeds#upgrade");
    assertThat(cf).allSatisfy(r -> assertThat(r.header("accept-version")).isEqualTo("~2"));
    assertThat(cf.get(1).header("user-agent")).endsWith("server/" + cn);
    assertThat(Json.compact(h.napi.feeds.get(0).registrations().get(0))).isEqualTo("{\"instance\":\"" + instance
        + "\",\"service\":\"net-agent\",\"resources\":["
        + "{\"resource\":\"network\",\"subResources\":[\"create\",\"delete\",\"gateway\",\"resolvers\",\"routes\"]},"
        + "{\"resource\":\"nic\",\"subResources\":[\"create\",\"delete\",\"allow_dhcp_spoofing\",\"allow_ip_spoofing\","
        + "\"allow_mac_spoofing\",\"allow_restricted_traffic\",\"allow_unfiltered_promisc\"]},"
        + "{\"resource\":\"aggregation\",\"subResources\":[\"create\",\"delete\"]}]}");
    await(() -> h.napi.heartbeats.get() >= 2, "heartbeats"); // every 200 ms with the fast options
  }

  @Test
  void publisherNeverBootstraps_clientDropsTheSocketAndReconnects() throws Exception {
    h.napi.bootstrap = false;
    NetAgentOptions o = NetAgentOptions.fast().toBuilder().requestTimeout(Duration.ofMillis(500))
        .changefeed(ChangefeedMode.PER_CN).build();
    NetAgent agent = h.agent(d, o);
    agent.start();
    await(() -> h.napi.received(r -> r.path().equals("/changefeeds#upgrade")).size() >= 2, "a second upgrade");
    assertThat(agent.stats().changefeedConnected()).isFalse();
    h.napi.bootstrap = true;
    await(() -> agent.stats().changefeedConnected(), "connected once the publisher answers");
  }

  @Test
  void existingInstanceUuid_isReused() throws Exception {
    String instance = UUID.randomUUID().toString();
    Files.createDirectories(d.agentsDir().resolve("net-agent"));
    Files.writeString(d.agentsDir().resolve("net-agent/instance_uuid"), instance + "\n");
    NetAgent agent = h.start(d);
    await(() -> agent.stats().changefeedConnected(), "changefeed");
    assertThat(h.napi.feeds.get(0).registrations().get(0)).containsEntry("instance", instance);
  }

  @Test
  void socketDropped_reconnectsAndRefetchesEverything() throws Exception {
    NetAgent agent = h.start(d);
    String mac = FakeNapi.newMac();
    createVm(vms, "running", List.of(vmNic(mac, "10.88.88.80", true)));
    await(() -> h.napi.nics.containsKey(mac), "created");
    awaitSettled(agent);
    await(() -> agent.stats().changefeedConnected(), "changefeed");
    h.awaitQuiet(); // the start-up reads are over
    h.napi.clearReceived();
    h.napi.dropChangefeeds();
    await(() -> h.napi.feeds.size() == 1 && agent.stats().changefeedConnected(), "reconnected");
    await(() -> h.napi.received(r -> r.method().equals("GET") && r.path().startsWith("/nics/")).size() >= 3,
        "every NIC re-read");
    await(() -> h.napi.received(r -> r.path().startsWith("/networks/")).size() >= 2, "every network re-read");
    assertThat(h.napi.received(r -> r.path().startsWith("/nics/")).stream().map(FakeNapi.Received::path).distinct())
        .hasSize(3);
  }

  @Test
  void nicCreateItem_forThisCn_startsTracking_forAnotherCn_isIgnored() throws Exception {
    NetAgent agent = h.start(d);
    awaitSettled(agent);
    await(() -> agent.stats().changefeedConnected(), "changefeed");
    String mine = FakeNapi.newMac();
    String theirs = FakeNapi.newMac();
    Map<String, Object> a = h.napiNicFor(mine, "10.88.88.81", UUID.randomUUID().toString(), "provisioning");
    a.put("cn_uuid", cn);
    Map<String, Object> b = h.napiNicFor(theirs, "10.88.88.82", UUID.randomUUID().toString(), "provisioning");
    b.put("cn_uuid", UUID.randomUUID().toString());
    h.napi.putNic(a);
    h.napi.putNic(b);
    h.napi.publishNic(mine, List.of("create"));
    h.napi.publishNic(theirs, List.of("create"));
    await(() -> !h.napi.requests("GET", "/nics/" + mine.replace(":", "")).isEmpty(), "GET of this CN's NIC");
    h.awaitQuiet();
    assertThat(h.napi.received(r -> r.path().contains(theirs.replace(":", "")))).isEmpty();
    assertThat(agent.nicStates().get()).containsEntry(mine, "WAITING");
  }

  @Test
  void napiWithoutChangefeed_stillSyncs_andRefreshesPeriodically() throws Exception {
    h.napi.changefeed = false;
    NetAgentOptions o = NetAgentOptions.fast().toBuilder().nicRefresh(Duration.ofMillis(400))
        .networkRefresh(Duration.ofMillis(200)).changefeedAbsentRetry(Duration.ofHours(1))
        .changefeed(ChangefeedMode.PER_CN).build();
    NetAgent agent = h.agent(d, o);
    agent.start();
    String mac = FakeNapi.newMac();
    String vm = createVm(vms, "running", List.of(vmNic(mac, "10.88.88.83", true)));
    await(() -> h.napi.nics.containsKey(mac), "created without a changefeed");
    awaitSettled(agent);
    assertThat(agent.stats().changefeedConnected()).isFalse();
    await(() -> !h.napi.requests("GET", "/changefeeds").isEmpty(), "the probe");
    h.napi.clearReceived();
    // A change NAPI publishes nowhere: the periodic network refresh finds it.
    h.napi.networks.get(NetAgentHarness.EXTERNAL).put("resolvers", List.of("4.4.4.4"));
    await(() -> List.of("4.4.4.4").equals(vms.load(vm).get("resolvers")), "resolvers via periodic refresh");
    await(() -> h.napi.requests("GET", "/networks/" + NetAgentHarness.EXTERNAL).size() >= 3, "network polled");
    await(() -> h.napi.requests("GET", "/nics/" + mac.replace(":", "")).size() >= 2, "NIC polled");
    // A 404 to the probe is not retried on the reconnect back-off but after changefeedAbsentRetry.
    assertThat(h.napi.requests("GET", "/changefeeds")).isEmpty(); // cleared after the one probe
    assertThat(h.napi.received(r -> r.path().equals("/changefeeds#upgrade"))).isEmpty();
  }

  @Test
  void network404_stopsItsPeriodicFetches() throws Exception {
    String gone = "dddddddd-0000-4000-8000-0000000e0404";
    String mac = FakeNapi.newMac();
    String vm = UUID.randomUUID().toString();
    Map<String, Object> rec = h.napiNicFor(mac, "10.88.88.84", vm, "running");
    rec.put("network_uuid", gone);
    h.napi.putNic(rec);
    h.napi.changefeed = false;
    NetAgent agent = h.agent(d, NetAgentOptions.fast().withRefresh(Duration.ofHours(1), Duration.ofMillis(100)));
    agent.start();
    Map<String, Object> p = new java.util.LinkedHashMap<>();
    p.put("uuid", vm);
    p.put("brand", "joyent-minimal");
    p.put("owner_uuid", NetAgentHarness.OWNER);
    p.put("nics", List.of(vmNic(mac, "10.88.88.84", true)));
    vms.create(p);
    await(() -> !h.napi.requests("GET", "/networks/" + gone).isEmpty(), "network fetched once");
    // Three more periods (100 ms each) of the admin network's fetches: the gone one has none.
    int admin = h.napi.requests("GET", "/networks/" + FakeNapi.ADMIN_NETWORK).size();
    await(() -> h.napi.requests("GET", "/networks/" + FakeNapi.ADMIN_NETWORK).size() >= admin + 3,
        "the admin network fetched three more times");
    assertThat(h.napi.requests("GET", "/networks/" + gone)).hasSize(1);
  }
}
