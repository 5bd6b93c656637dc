package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.testing.ManualTimer;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.NapiApi;
import com.joyent.mockcloud.vm.ServerIdentity;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The VM-list debounce of spec §2.12 on a recording scheduler and a fake clock: first pass at
 * once, later ones at least {@code vmsDebounce} apart, requests in between coalesce. Nothing
 * runs on a real thread and nothing is sent (the worker only records what would start).
 */
class VmsDebounceTest {
  @TempDir Path tmp;
  private VmStore store;
  private final ManualTimer time = new ManualTimer();
  private final List<Runnable> started = new ArrayList<>();
  private final Executor recordingWorker = started::add;
  private ServerVms vms;
  private CnSync sync;

  @BeforeEach
  void setUp() {
    store = VmStore.builder().executor(Runnable::run).watchMode(VmStore.WatchMode.OFF).build();
    String cn = UUID.randomUUID().toString();
    vms = store.openServer(cn, tmp.resolve(cn), new ServerIdentity(cn, "coal", "20190718T003512Z"));
    NetAgentOptions o = NetAgentOptions.fast();
    time.advance(Duration.ofSeconds(1_000)); // a loop that has run a while: no reading is 0
    CnLoop loop = new CnLoop(cn, time);
    URI napi = URI.create("http://127.0.0.1:9/" + UUID.randomUUID()); // never contacted
    NapiApi http = new NapiApi(JsonHttpClient.to(com.joyent.mockcloud.http.OutboundHttp.standalone(), napi, "NAPI")
        .userAgent("t").timeout(Duration.ofSeconds(1)).gate(com.joyent.mockcloud.triton.RequestGate.singleLane(1000))
        .startOn(recordingWorker).build(), null);
    sync = new CnSync(cn, NetAgentHarness.ADMIN.toString(), loop, o, vms,
        new ServerDirectory(UUID.fromString(cn), tmp.resolve(cn)), http, recordingWorker);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private String vmWithNic() {
    return NetAgentHarness.createVm(vms, "running", List.of(NetAgentHarness.vmNic(FakeNapi.newMac(), "10.0.0.9", true)));
  }

  @Test
  void firstPassImmediate_thenAtLeastDebounceApart_requestsCoalesce() {
    vmWithNic();
    sync.begin(); // sysinfo read handed to the worker; VM pass at once
    time.runDue();
    assertThat(sync.nics).hasSize(1);
    int before = time.pending();

    time.advance(Duration.ofMillis(10));
    vmWithNic();
    sync.requestVmsUpdate();
    sync.requestVmsUpdate();
    sync.requestVmsUpdate();
    time.runDue();
    assertThat(sync.nics).hasSize(1); // not yet: 40 ms of the 50 ms debounce left
    assertThat(time.pending()).isEqualTo(before + 1);
    assertThat(time.untilNext()).isEqualTo(Duration.ofMillis(40));

    time.advance(Duration.ofMillis(40));
    assertThat(sync.nics).hasSize(2);

    time.advance(Duration.ofMillis(500)); // long after: the next request runs at once again
    vmWithNic();
    sync.requestVmsUpdate();
    time.runDue();
    assertThat(sync.nics).hasSize(3);
    assertThat(time.pending()).isEqualTo(before);
  }

  @Test
  void requestsBeforeStartUp_areIgnored_theFirstPassSeesEverything() {
    vmWithNic();
    sync.requestVmsUpdate();
    time.runDue();
    assertThat(sync.nics).isEmpty();
    vmWithNic();
    sync.begin();
    time.runDue();
    assertThat(sync.nics).hasSize(2);
  }
}
