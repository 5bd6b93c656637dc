package com.joyent.mockcloud.netagent;

import static com.joyent.mockcloud.netagent.NetAgentHarness.await;
import static com.joyent.mockcloud.netagent.NetAgentHarness.awaitSettled;
import static com.joyent.mockcloud.netagent.NetAgentHarness.createVm;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNic;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.triton.RequestGate;
import com.joyent.mockcloud.vm.ServerVms;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NAPI down or unreachable (spec §2.12 retries; conformance 35), and many CNs at once. */
class NapiOutageTest {
  @TempDir Path tmp;
  private NetAgentHarness h;

  @BeforeEach
  void setUp() {
    h = new NetAgentHarness(tmp);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void napiAnswers500_retriesAboutEveryNapiRetry_thenConverges() throws Exception {
    ServerDirectory d = h.newServer(FakeNapi.newMac(), "10.199.0.43", FakeNapi.newMac());
    ServerVms vms = h.vmsOf(d);
    String mac = FakeNapi.newMac();
    createVm(vms, "running", List.of(vmNic(mac, "10.88.88.90", true)));
    h.napi.down = true;
    NetAgent agent = h.start(d); // napiRetry is 100 ms in the fast options
    await(() -> h.napi.requests("GET", "/nics/" + mac.replace(":", "")).size() >= 3 && agent.stats().failures() > 4
        && agent.stats().retries() > 4, "tries while NAPI is down");
    List<FakeNapi.Received> tries = h.napi.requests("GET", "/nics/" + mac.replace(":", ""));
    assertThat(tries.size()).isBetween(3, 9);
    for (int i = 1; i < tries.size(); i++) {
      assertThat(tries.get(i).atMillis() - tries.get(i - 1).atMillis()).isGreaterThanOrEqualTo(90);
    }
    assertThat(agent.stats().failures()).isGreaterThan(4);
    assertThat(agent.stats().retries()).isGreaterThan(4);
    h.napi.down = false;
    await(() -> h.napi.nics.containsKey(mac), "the NIC once NAPI is back");
    awaitSettled(agent);
    await(() -> agent.stats().changefeedConnected(), "the changefeed once NAPI is back");
  }

  @Test
  void napiUnreachable_noCrash_stopIsClean() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ServerDirectory d = h.newServer(FakeNapi.newMac(), "10.199.0.44", FakeNapi.newMac());
    Settings nowhere = new Settings(tmp, "coal", "example.com", NetAgentHarness.ADMIN, "127.0.0.1", null, null,
        URI.create("http://127.0.0.1:" + port), null, null);
    NetAgent agent = new NetAgent(d, h.vmsOf(d), nowhere, h.threads.netAgentLoop(), h.threads.taskPool(),
        h.threads.tritonApis(nowhere, NetAgentOptions.fast().maxConcurrentRequests())
            .napi(NetAgentOptions.fast().userAgent(d.uuid().toString()), NetAgentOptions.fast().requestTimeout()),
        NetAgentOptions.fast());
    long t0 = System.nanoTime();
    agent.start();
    assertThat(System.nanoTime() - t0).isLessThan(200_000_000L); // start() never waits for the network
    await(() -> agent.stats().failures() >= 3, "failures counted");
    agent.stop();
    long after = agent.stats().requests();
    h.awaitQuiet();
    assertThat(agent.stats().requests()).isEqualTo(after);
  }

  @Test
  void manyCnsStartingTogether_neverExceedTheRequestBound() throws Exception {
    List<NetAgent> agents = new ArrayList<>();
    NetAgentOptions o = NetAgentOptions.fast().withMaxConcurrentRequests(3);
    for (int i = 0; i < 60; i++) {
      ServerDirectory d = h.newServer(FakeNapi.newMac(), "10.199.1." + i, FakeNapi.newMac());
      agents.add(h.agent(d, o));
    }
    agents.forEach(NetAgent::start);
    for (NetAgent a : agents) {
      awaitSettled(a);
    }
    RequestGate gate = h.threads.napiGate(URI.create(h.napi.url()), 3);
    assertThat(gate.maxInFlight()).isLessThanOrEqualTo(3);
    assertThat(h.napi.requests("POST", "/nics")).hasSize(120);
    Map<String, Long> perCn = new java.util.HashMap<>();
    for (FakeNapi.Received r : h.napi.received(r -> r.method().equals("POST"))) {
      perCn.merge(r.header("user-agent"), 1L, Long::sum);
    }
    assertThat(perCn).hasSize(60).allSatisfy((ua, n) -> assertThat(n).isEqualTo(2L));
  }
}
