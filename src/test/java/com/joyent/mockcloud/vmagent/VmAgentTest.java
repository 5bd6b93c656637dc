package com.joyent.mockcloud.vmagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.fleet.DaemonThreads;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.VmapiApi;
import com.joyent.mockcloud.vm.ServerIdentity;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conformance cases C.45–C.58 of spec vmadm-and-vm-agent.md §6 against a fake VMAPI. */
class VmAgentTest {
  @TempDir Path tmp;
  private final String server = UUID.randomUUID().toString();
  private DaemonThreads threads;
  private VmStore store;
  private ServerVms vms;
  private FakeVmapi vmapi;
  private final List<VmAgent> agents = new ArrayList<>();

  @BeforeEach
  void setUp() {
    threads = new DaemonThreads(1, 2);
    store = VmStore.builder().executor(threads.taskPool()).scheduler(threads.scheduler())
        .watchMode(VmStore.WatchMode.OFF).build();
    vms = store.openServer(server, tmp.resolve(server), new ServerIdentity(server, "coal", "20190718T003512Z"));
    vmapi = new FakeVmapi();
  }

  @AfterEach
  void tearDown() {
    agents.forEach(VmAgent::stop);
    store.close();
    vmapi.close();
    threads.close();
  }

  private VmAgent startAgent() {
    VmAgentOptions o = new VmAgentOptions("1.9.0", Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(5));
    VmAgent a = new VmAgent(server, vms, new VmapiApi(JsonHttpClient.to(threads.httpClient(), URI.create(vmapi.url()), "VMAPI")
        .userAgent(o.userAgent(server)).build()), threads.timer(), o);
    agents.add(a);
    a.start();
    return a;
  }

  private String createVm(boolean dni) {
    String uuid = UUID.randomUUID().toString();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", uuid);
    p.put("brand", "joyent-minimal");
    p.put("owner_uuid", UUID.randomUUID().toString());
    p.put("nics", List.of());
    if (dni) {
      p.put("do_not_inventory", true);
    }
    vms.create(p);
    return uuid;
  }

  private static void await(BooleanSupplier c, String what) throws InterruptedException {
    if (!Await.until(Duration.ofSeconds(10), c)) {
      throw new AssertionError("timed out waiting for " + what);
    }
  }

  private List<FakeVmapi.Received> bulkPuts() {
    return vmapi.received(r -> r.method().equals("PUT") && r.uri().equals("/vms?server_uuid=" + server));
  }

  @Test
  @SuppressWarnings("unchecked")
  void start_vmapiEmpty_listsThenOneBulkPutWithFullVms() throws Exception {
    String a = createVm(false);
    String b = createVm(false);
    VmAgent agent = startAgent();
    await(agent::isReady, "start-up");
    List<FakeVmapi.Received> gets = vmapi.received(r -> r.method().equals("GET"));
    assertThat(gets).extracting(FakeVmapi.Received::uri).containsExactly("/vms?server_uuid=" + server + "&state=active");
    assertThat(bulkPuts()).hasSize(1);
    Map<String, Object> sent = (Map<String, Object>) ((Map<String, Object>) bulkPuts().get(0).body()).get("vms");
    assertThat(sent.keySet()).containsExactlyInAnyOrder(a, b);
    assertThat(sent.get(a)).isEqualTo(vms.load(a));
    assertThat(gets.get(0).userAgent()).matches("vm-agent/1\\.9\\.0 \\(java/\\S+\\) server/" + server);
  }

  @Test
  @SuppressWarnings("unchecked")
  void start_vmOnlyInVmapi_isSentAsDestroyed() throws Exception {
    String ghost = UUID.randomUUID().toString();
    vmapi.vms.put(ghost, new LinkedHashMap<>(Map.of("uuid", ghost, "server_uuid", server, "state", "running",
        "zone_state", "running", "brand", "joyent")));
    await(startAgent()::isReady, "start-up");
    Map<String, Object> sent = (Map<String, Object>) ((Map<String, Object>) bulkPuts().get(0).body()).get("vms");
    assertThat((Map<String, Object>) sent.get(ghost)).containsEntry("state", "destroyed")
        .containsEntry("zone_state", "destroyed").containsEntry("brand", "joyent");
  }

  @Test
  void restart_vmapiAlreadyInStep_sendsNoPut() throws Exception {
    createVm(false);
    VmAgent first = startAgent();
    await(first::isReady, "first start-up");
    first.stop();
    int putsBefore = vmapi.received(r -> r.method().equals("PUT")).size();
    VmAgent second = startAgent();
    await(second::isReady, "second start-up");
    assertThat(vmapi.received(r -> r.method().equals("GET"))).hasSize(2);
    // VMAPI holds what was PUT (incl. datasets [] which VMAPI defaults anyway): nothing to send.
    assertThat(vmapi.received(r -> r.method().equals("PUT"))).hasSize(putsBefore);
  }

  @Test
  void dniVm_isNeverSent() throws Exception {
    String dni = createVm(true);
    VmAgent agent = startAgent();
    await(agent::isReady, "start-up");
    assertThat(bulkPuts()).isEmpty(); // nothing else to send
    vms.update(dni, Map.of("alias", "x"));
    vms.delete(dni);
    String other = createVm(false);
    await(() -> !vmapi.puts(other).isEmpty(), "the PUT of another VM");
    assertThat(vmapi.puts(dni)).isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void afterStart_createStopDelete_eachArriveAsOnePut() throws Exception {
    VmAgent agent = startAgent();
    await(agent::isReady, "start-up");
    String c = createVm(false);
    await(() -> vmapi.puts(c).size() == 1, "create PUT");
    assertThat((Map<String, Object>) vmapi.puts(c).get(0).body()).containsEntry("state", "running")
        .containsEntry("uuid", c).containsEntry("zonename", c);

    vms.stop(c);
    await(() -> vmapi.puts(c).size() == 2, "stop PUT");
    assertThat((Map<String, Object>) vmapi.puts(c).get(1).body()).containsEntry("state", "stopped")
        .containsEntry("autoboot", false);

    vms.delete(c);
    await(() -> vmapi.puts(c).size() == 3, "delete PUT");
    assertThat((Map<String, Object>) vmapi.puts(c).get(2).body()).containsEntry("state", "destroyed")
        .containsEntry("zone_state", "destroyed").containsEntry("brand", "joyent-minimal");
    assertThat(vmapi.vms.get(c)).containsKey("destroyed");
  }

  @Test
  @SuppressWarnings("unchecked")
  void vmapiDown_changesAreDelayedNotLost_latestStateWins() throws Exception {
    String a = createVm(false);
    VmAgent agent = startAgent();
    await(agent::isReady, "start-up");
    vmapi.down = true;
    vms.stop(a);
    vms.update(a, Map.of("alias", "one"));
    vms.update(a, Map.of("alias", "two"));
    String b = createVm(false);
    String c = createVm(false);
    vms.delete(c);
    // Refused while down: a's and b's PUTs failed at least twice each (so retried once).
    await(() -> vmapi.puts(a).size() >= 2 && vmapi.puts(b).size() >= 2, "PUTs refused while VMAPI is down");
    vmapi.down = false;
    await(() -> "two".equals(vmapi.vms.get(a) == null ? null : vmapi.vms.get(a).get("alias")), "a's latest state");
    await(() -> vmapi.vms.containsKey(b), "b");
    assertThat(vmapi.vms.get(a)).containsEntry("state", "stopped");
    // c was created and deleted while VMAPI was down. As in the reference (spec 4.5), whether
    // anything is sent depends on whether the queue worker loaded c before it vanished; either
    // way VMAPI must never be left thinking c exists.
    await(agent::isIdle, "every change sent");
    if (vmapi.vms.containsKey(c)) {
      assertThat(vmapi.vms.get(c)).containsEntry("state", "destroyed");
    }
    long okPutsOfA = vmapi.puts(a).stream().filter(r -> "two".equals(((Map<String, Object>) r.body()).get("alias"))).count();
    assertThat(okPutsOfA).isGreaterThanOrEqualTo(1);
    assertThat(agent.pendingDeletes()).isEmpty();
  }

  @Test
  void oneVmRejected_othersStillGoThrough() throws Exception {
    VmAgent agent = startAgent();
    await(agent::isReady, "start-up");
    String bad = createVm(false);
    vmapi.rejected.add(bad);
    String good = createVm(false);
    await(() -> vmapi.vms.containsKey(good), "the good VM");
    await(() -> vmapi.puts(bad).size() >= 3, "retries of the rejected VM");
  }

  @Test
  void initialListFails_retriesWithGrowingGaps() throws Exception {
    vmapi.getFailuresLeft = 4;
    createVm(false);
    VmAgent agent = startAgent();
    await(agent::isReady, "start-up");
    List<FakeVmapi.Received> gets = vmapi.received(r -> r.method().equals("GET"));
    assertThat(gets).hasSize(5);
    long prevGap = 0;
    for (int i = 1; i < gets.size(); i++) {
      long gap = gets.get(i).atMillis() - gets.get(i - 1).atMillis();
      assertThat(gap).isGreaterThanOrEqualTo(Math.min(prevGap, 400) - 30);
      prevGap = gap;
    }
    assertThat(bulkPuts()).hasSize(1);
  }

  @Test
  void eventsDuringStartup_arePutOnceAfterIt() throws Exception {
    vmapi.getFailuresLeft = 2;
    VmAgent agent = startAgent();
    String a = createVm(false);
    vms.update(a, Map.of("alias", "x"));
    vms.update(a, Map.of("alias", "y"));
    await(agent::isReady, "start-up");
    await(agent::isIdle, "every change sent");
    // a is either in the bulk PUT or PUT once afterwards; never once per event.
    assertThat(vmapi.puts(a).size()).isLessThanOrEqualTo(1);
    assertThat(vmapi.vms.get(a)).containsEntry("alias", "y");
  }

  @Test
  void morePagesThanOne_areAllRead() throws Exception {
    for (int i = 0; i < 1001; i++) {
      String u = String.format("00000000-0000-4000-8000-%012d", i);
      vmapi.vms.put(u, new LinkedHashMap<>(Map.of("uuid", u, "server_uuid", server, "state", "running")));
    }
    VmAgent agent = startAgent();
    await(agent::isReady, "start-up");
    assertThat(vmapi.received(r -> r.method().equals("GET"))).extracting(FakeVmapi.Received::uri).containsExactly(
        "/vms?server_uuid=" + server + "&state=active",
        "/vms?server_uuid=" + server + "&state=active&limit=1000&offset=1000");
    assertThat(Json.compact(bulkPuts().get(0).body())).contains("00000000-0000-4000-8000-000000001000");
  }
}
