package com.joyent.mockcloud.netagent;

import static com.joyent.mockcloud.netagent.NetAgentHarness.await;
import static com.joyent.mockcloud.netagent.NetAgentHarness.awaitSettled;
import static com.joyent.mockcloud.netagent.NetAgentHarness.createVm;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNic;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNicOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.testing.ManualTimer;
import com.joyent.mockcloud.vm.ServerVms;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mode shared: one changefeed socket for the process, each item handed only to the CNs it
 * concerns (docs/net-agent.md, "The changefeed"). Against the fake NAPI, which records every
 * request and registration.
 */
class SharedChangefeedTest {
  @TempDir Path tmp;
  private NetAgentHarness h;
  private SharedChangefeeds feeds;
  private final List<Cn> cns = new ArrayList<>();

  /** One mock CN: its directory, VMs, agent, and the VM and MAC it runs (null for the idle one). */
  private record Cn(ServerDirectory dir, ServerVms vms, NetAgent agent, String vm, String mac) {}

  @BeforeEach
  void setUp() {
    h = new NetAgentHarness(tmp);
    feeds = h.sharedFeeds(NetAgentOptions.fast());
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** Three CNs in mode shared: two with a running VM on the external network, the third without VMs. */
  private void startThree() throws Exception {
    for (int i = 0; i < 3; i++) {
      ServerDirectory d = h.newServer(FakeNapi.newMac(), "10.199.0." + (50 + i), FakeNapi.newMac());
      ServerVms vms = h.vmsOf(d);
      NetAgent a = h.sharedAgent(d, NetAgentOptions.fast(), feeds);
      a.start();
      String mac = i < 2 ? FakeNapi.newMac() : null;
      String vm = i < 2 ? createVm(vms, "running", List.of(vmNic(mac, "10.88.88." + (50 + i), true))) : null;
      cns.add(new Cn(d, vms, a, vm, mac));
    }
    for (Cn cn : cns) {
      if (cn.mac() != null) {
        await(() -> h.napi.nics.containsKey(cn.mac()), "the VM NIC created");
      }
      awaitSettled(cn.agent());
      await(() -> cn.agent().stats().changefeedConnected(), "connected");
    }
    h.awaitQuiet();
  }

  private long[] items() {
    return cns.stream().mapToLong(c -> c.agent().changefeedItems()).toArray();
  }

  private SharedChangefeed feed() {
    return feeds.forNapi(URI.create(h.napi.url()));
  }

  @Test
  void sharedMode_threeCns_oneSocketOneRegistration_asTheProcessInstance() throws Exception {
    startThree();
    assertThat(h.napi.feeds).hasSize(1);
    assertThat(h.napi.requests("GET", "/changefeeds")).hasSize(1);
    assertThat(h.napi.received(r -> r.path().equals("/changefeeds#upgrade"))).hasSize(1);
    String instance = Files.readString(tmp.resolve("net-agent/instance_uuid"), StandardCharsets.UTF_8);
    assertThat(instance).matches("[0-9a-f-]{36}\n");
    instance = instance.trim();
    assertThat(feeds.instanceUuid()).isEqualTo(instance);
    for (Cn cn : cns) {
      assertThat(cn.agent().instanceUuid()).isNotEqualTo(instance); // each CN keeps its own for per-cn runs
      assertThat(cn.agent().changefeedMode()).isEqualTo(ChangefeedMode.SHARED);
    }
    FakeNapi.Feed f = h.napi.feeds.get(0);
    assertThat(f.registrations()).hasSize(1);
    assertThat(Json.compact(f.registrations().get(0))).isEqualTo("{\"instance\":\"" + instance
        + "\",\"service\":\"net-agent\",\"resources\":" + Json.compact(Changefeed.RESOURCES) + "}");
    assertThat(f.headers().get("accept-version")).isEqualTo("~2");
    assertThat(f.headers().get("user-agent")).startsWith("net-agent/2.3.3 (java/").endsWith(" mockcloud/" + instance);
    assertThat(feeds.cns()).isEqualTo(3);
    await(() -> h.napi.heartbeats.get() >= 2, "heartbeats on the shared socket");
  }

  @Test
  void instanceUuid_isKeptAcrossRestartsOfTheProcess() throws Exception {
    ServerDirectory d1 = h.newServer(FakeNapi.newMac(), "10.199.0.60", FakeNapi.newMac());
    NetAgent first = h.sharedAgent(d1, NetAgentOptions.fast(), feeds);
    first.start();
    await(() -> first.stats().changefeedConnected(), "connected");
    String instance = feeds.instanceUuid();
    first.stop();
    feeds.close();

    SharedChangefeeds again = h.sharedFeeds(NetAgentOptions.fast());
    ServerDirectory d2 = h.newServer(FakeNapi.newMac(), "10.199.0.61", FakeNapi.newMac());
    NetAgent second = h.sharedAgent(d2, NetAgentOptions.fast(), again);
    second.start();
    await(() -> second.stats().changefeedConnected(), "connected again");
    assertThat(again.instanceUuid()).isEqualTo(instance);
    FakeNapi.Feed latest = h.napi.feeds.get(h.napi.feeds.size() - 1);
    assertThat(latest.registrations().get(0)).containsEntry("instance", instance);
  }

  @Test
  void nicChangedInNapi_reachesOnlyTheCnTrackingIt_withoutWaitingForARefresh() throws Exception {
    startThree();
    Cn a = cns.get(0);
    long[] before = items();
    h.napi.clearReceived();
    // nicRefresh is an hour in these options: only the changefeed can bring this over.
    h.napi.changeNic(a.mac(), Map.of("allow_ip_spoofing", true));
    await(() -> Boolean.TRUE.equals(vmNicOf(a.vms(), a.vm(), a.mac()).get("allow_ip_spoofing")),
        "the flag in the VM file of the CN that has the NIC");
    h.awaitQuiet();
    long[] after = items();
    assertThat(after[0]).isEqualTo(before[0] + 1);
    assertThat(after[1]).as("items handed to the other CN with a VM").isEqualTo(before[1]);
    assertThat(after[2]).as("items handed to the CN without VMs").isEqualTo(before[2]);
    assertThat(h.napi.received(r -> r.method().equals("GET") && r.path().startsWith("/nics/")))
        .extracting(FakeNapi.Received::path).containsOnly("/nics/" + a.mac().replace(":", ""));
    assertThat(feed().items).isGreaterThanOrEqualTo(1);
  }

  @Test
  void networkChanged_reachesTheCnsOnThatNetwork_only() throws Exception {
    startThree();
    long[] before = items();
    h.napi.changeNetwork(NetAgentHarness.EXTERNAL, Map.of("resolvers", List.of("1.1.1.1")));
    for (Cn cn : cns.subList(0, 2)) {
      await(() -> List.of("1.1.1.1").equals(cn.vms().load(cn.vm()).get("resolvers")), "new resolvers in the VM");
    }
    h.awaitQuiet();
    long[] after = items();
    assertThat(after[0]).isEqualTo(before[0] + 1);
    assertThat(after[1]).isEqualTo(before[1] + 1);
    assertThat(after[2]).as("the CN with no NIC on the external network").isEqualTo(before[2]);
  }

  @Test
  void nicCreatedForACn_reachesThatCnByItsCnUuid_whichStartsTrackingIt() throws Exception {
    startThree();
    Cn b = cns.get(1);
    long[] before = items();
    String mac = FakeNapi.newMac();
    Map<String, Object> rec = h.napiNicFor(mac, "10.88.88.90", UUID.randomUUID().toString(), "provisioning");
    rec.put("cn_uuid", b.dir().uuid().toString());
    h.napi.putNic(rec);
    h.napi.publishNic(mac, List.of("create"));
    await(() -> {
      try {
        return "WAITING".equals(b.agent().nicStates().get().get(mac));
      } catch (Exception e) {
        return false;
      }
    }, "the CN named by cn_uuid tracks the new NIC");
    h.awaitQuiet();
    long[] after = items();
    assertThat(after[1]).isEqualTo(before[1] + 1);
    assertThat(after[0]).isEqualTo(before[0]);
    assertThat(after[2]).isEqualTo(before[2]);
  }

  @Test
  void sharedSocketDropped_reconnects_andEveryCnReReadsWhatItTracks() throws Exception {
    startThree();
    Set<String> macs = new HashSet<>();
    for (Cn cn : cns) {
      macs.addAll(cn.agent().nicStates().get().keySet());
    }
    assertThat(macs).hasSize(3 * 2 + 2); // dnet0 and dnet1 of each CN, and the two VM NICs
    long bootstraps = feed().bootstraps;
    long deliveries = feed().bootstrapDeliveries;
    h.napi.clearReceived();
    h.napi.dropChangefeeds();
    await(() -> feed().bootstraps > bootstraps && feeds.connected(), "the shared socket back and bootstrapped");
    await(() -> {
      Set<String> read = new HashSet<>();
      for (FakeNapi.Received r : h.napi.received(r -> r.method().equals("GET") && r.path().startsWith("/nics/"))) {
        read.add(r.path().substring("/nics/".length()));
      }
      return macs.stream().allMatch(m -> read.contains(m.replace(":", "")));
    }, "every NIC of every CN re-read");
    await(() -> h.napi.requests("GET", "/networks/" + NetAgentHarness.EXTERNAL).size() >= 2, "external network re-read by both CNs on it");
    assertThat(h.napi.feeds).hasSize(1);
    assertThat(h.napi.received(r -> r.path().equals("/changefeeds#upgrade"))).hasSize(1);
    assertThat(feed().bootstrapDeliveries - deliveries).isEqualTo(3); // each CN told once
  }

  @Test
  void stoppedCn_leavesTheIndex_andTheOthersKeepGettingTheirItems() throws Exception {
    startThree();
    Cn a = cns.get(0);
    Cn b = cns.get(1);
    a.agent().stop();
    await(() -> feed().routes.size() == 2, "the stopped CN gone from the index");
    Map<String, Object> item = FakeNapi.item("nic", List.of("allow_ip_spoofing"), a.mac());
    item.put("cn_uuid", a.dir().uuid().toString());
    assertThat(feed().routes.route(item, s -> { })).isZero();
    assertThat(feed().routes.macs()).isEqualTo(2 * 2 + 1);
    h.napi.changeNic(b.mac(), Map.of("allow_mac_spoofing", true));
    await(() -> Boolean.TRUE.equals(vmNicOf(b.vms(), b.vm(), b.mac()).get("allow_mac_spoofing")), "still delivered");
    assertThat(h.napi.feeds).hasSize(1);
  }

  @Test
  void offMode_opensNoSocket_andStillSyncs() throws Exception {
    ServerDirectory d = h.newServer(FakeNapi.newMac(), "10.199.0.70", FakeNapi.newMac());
    ServerVms vms = h.vmsOf(d);
    NetAgent agent = h.agent(d, NetAgentOptions.fast().withChangefeed(ChangefeedMode.OFF));
    agent.start();
    String mac = FakeNapi.newMac();
    createVm(vms, "running", List.of(vmNic(mac, "10.88.88.70", true)));
    await(() -> h.napi.nics.containsKey(mac), "the VM NIC created");
    awaitSettled(agent);
    h.awaitQuiet();
    assertThat(h.napi.received(r -> r.path().startsWith("/changefeeds"))).isEmpty();
    assertThat(h.napi.feeds).isEmpty();
    assertThat(agent.stats().changefeedConnected()).isFalse();
    assertThat(agent.changefeedMode()).isEqualTo(ChangefeedMode.OFF);
  }

  @Test
  void sharedModeWithoutTheProcessFeeds_isRefused() throws Exception {
    ServerDirectory d = h.newServer(FakeNapi.newMac(), "10.199.0.71", FakeNapi.newMac());
    assertThatThrownBy(() -> new NetAgent(d, h.vmsOf(d), h.settings, h.threads.netAgentLoop(), h.threads.taskPool(),
        h.napiOf(d, NetAgentOptions.fast()),
        NetAgentOptions.fast().withChangefeed(ChangefeedMode.SHARED)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shared");
  }

  @Test
  void bootstrap_manyCns_isSpreadInSlicesOverTheStartSpread() {
    ManualTimer time = new ManualTimer();
    NetAgentOptions o = NetAgentOptions.fast().withStartSpread(Duration.ofSeconds(1));
    Executor inline = Runnable::run;
    SharedChangefeeds registry = new SharedChangefeeds(tmp, time, inline, null, o);
    SharedChangefeed f = registry.forNapi(URI.create("http://127.0.0.1:1"));
    for (int i = 0; i < 50; i++) {
      CnSync s = new CnSync(UUID.randomUUID().toString(), "admin", new CnLoop("cn" + i, time), o,
          null, null, null, null);
      f.routes.addCn(s);
    }
    f.bootstrap(List.of("nic", "network"), 0);
    // 1 s in 100 ms ticks: 5 CNs a tick, the first slice at once
    assertThat(f.bootstrapDeliveries).isEqualTo(5);
    for (int tick = 2; tick <= 10; tick++) {
      time.advance(Duration.ofMillis(SharedChangefeed.BOOTSTRAP_TICK_MS - 1));
      assertThat(f.bootstrapDeliveries).isEqualTo(5L * (tick - 1));
      time.advance(Duration.ofMillis(1));
      assertThat(f.bootstrapDeliveries).isEqualTo(5L * tick);
    }
    assertThat(time.untilNext()).as("the last slice armed nothing more").isNull();
    registry.close();
  }
}
