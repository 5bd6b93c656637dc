package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.vm.ServerIdentity;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmStore;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.NapiApi;
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
  private final CnLoopTest.RecordingScheduler scheduler = new CnLoopTest.RecordingScheduler();
  private final CnLoopTest.FakeClock clock = new CnLoopTest.FakeClock();
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
    CnLoop loop = new CnLoop(cn, scheduler, clock);
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
    assertThat(sync.nics).hasSize(1);
    int before = scheduler.scheduled.size();

    clock.now += 10;
    vmWithNic();
    sync.requestVmsUpdate();
    sync.requestVmsUpdate();
    sync.requestVmsUpdate();
    assertThat(sync.nics).hasSize(1); // not yet: 40 ms of the 50 ms debounce left
    assertThat(scheduler.scheduled).hasSize(before + 1);
    assertThat(scheduler.delays.get(before)).isEqualTo(40L);

    clock.now += 40;
    scheduler.scheduled.get(before).run();
    assertThat(sync.nics).hasSize(2);

    clock.now += 500; // long after: the next request runs at once again
    vmWithNic();
    sync.requestVmsUpdate();
    assertThat(sync.nics).hasSize(3);
    assertThat(scheduler.scheduled).hasSize(before + 1);
  }

  @Test
  void requestsBeforeStartUp_areIgnored_theFirstPassSeesEverything() {
    vmWithNic();
    sync.requestVmsUpdate();
    assertThat(sync.nics).isEmpty();
    vmWithNic();
    sync.begin();
    assertThat(sync.nics).hasSize(2);
  }
}
