package com.joyent.mockcloud.netagent;

import static com.joyent.mockcloud.netagent.NetAgentHarness.await;
import static com.joyent.mockcloud.netagent.NetAgentHarness.awaitSettled;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNic;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNicOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.fleet.DaemonThreads;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.vm.ServerIdentity;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The changefeed modes against the sandbox NAPI: what NAPI sees of each (one registration for
 * the process in mode shared, one per CN in per-cn, none when off), and that the NAPI state a
 * VM's life leaves behind does not depend on the mode.
 */
class ChangefeedModesSandboxTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final UUID CN1 = UUID.fromString("5e4a0001-0000-4000-8000-000000000001");
  private static final UUID CN2 = UUID.fromString("5e4a0001-0000-4000-8000-000000000002");
  private static final UUID CN3 = UUID.fromString("5e4a0001-0000-4000-8000-000000000003");
  private static final String VM1 = "7e4a0001-0000-4000-8000-0000000000a1";
  private static final String VM2 = "7e4a0001-0000-4000-8000-0000000000a2";
  private static final String MAC1 = "90:b8:d0:5e:00:a1";
  private static final String MAC2 = "90:b8:d0:5e:00:a2";

  @TempDir Path tmp;

  /** A sandbox and net-agents for the given CNs in one mode, in a root of their own. */
  private final class Run implements AutoCloseable {
    final Sandbox sb = Sandbox.start(SandboxOptions.defaults());
    final DaemonThreads threads = new DaemonThreads(1, 4);
    final VmStore store = VmStore.builder().executor(threads.taskPool()).scheduler(threads.scheduler())
        .watchMode(VmStore.WatchMode.OFF).build();
    final SharedChangefeeds feeds;
    final Map<UUID, ServerVms> vms = new LinkedHashMap<>();
    final List<NetAgent> agents = new ArrayList<>();
    final ChangefeedMode mode;

    Run(ChangefeedMode mode, UUID... cns) throws Exception {
      this.mode = mode;
      Path root = tmp.resolve(mode.flag());
      NetAgentOptions o = NetAgentOptions.fast().withChangefeed(mode);
      Settings settings = new Settings(root, "coal", "example.com", UUID.fromString(sb.adminUuid()), "127.0.0.1",
          null, null, URI.create(sb.napiUrl()), null, null);
      feeds = new SharedChangefeeds(root, threads.netAgentLoop(), threads.taskPool(),
          threads.tritonApis(settings, o.maxConcurrentRequests()), o);
      int i = 0;
      for (UUID cn : cns) {
        i++;
        ServerDirectory d = NetAgentHarness.writeServer(root, cn, String.format("00:10:fe:5e:00:%02x", i),
            "10.99.0." + (100 + i), String.format("00:10:fe:5e:01:%02x", i));
        ServerVms v = store.openServer(cn.toString(), d.dir(), ServerIdentity.fromSysinfo(d.readSysinfo()));
        vms.put(cn, v);
        NetAgent a = new NetAgent(d, v, settings, threads.netAgentLoop(), threads.taskPool(),
            threads.tritonApis(settings, o.maxConcurrentRequests()).napi(o.userAgent(d.uuid().toString()),
                o.requestTimeout()), o, feeds);
        agents.add(a);
        a.start();
      }
      for (NetAgent a : agents) {
        awaitSettled(a);
        if (mode != ChangefeedMode.OFF) {
          await(() -> a.stats().changefeedConnected(), "changefeed connected");
        }
      }
      quiet();
    }

    /** Waits until no agent has sent a request for 400 ms. */
    void quiet() throws Exception {
      long[] last = {-1, System.currentTimeMillis()};
      await(() -> {
        long n = agents.stream().mapToLong(a -> a.stats().requests()).sum();
        long now = System.currentTimeMillis();
        if (n != last[0]) {
          last[0] = n;
          last[1] = now;
        }
        return now - last[1] >= 400;
      }, "the net-agents to go quiet");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> stats() throws Exception {
      HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(sb.napiUrl() + "/changefeeds/stats"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
      return (Map<String, Object>) Json.parse(r.body());
    }

    /** An operator's change through NAPI's API (published on the changefeed). */
    void putNic(String mac, Map<String, Object> body) throws Exception {
      HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(sb.napiUrl() + "/nics/" + mac.replace(":", "")))
          .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString(Json.compact(body))).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    }

    String napiState(String mac) {
      Map<String, Object> n = sb.napi().nics().find(mac);
      return n == null ? null : (String) n.get("state");
    }

    /** NAPI's NICs and networks, without what differs between two sandboxes by nature (uuids, times). */
    Map<String, Object> napiSnapshot() {
      Map<String, String> netNames = new TreeMap<>();
      Map<String, Object> networks = new TreeMap<>();
      for (Map<String, Object> n : sb.napi().nics().networks(x -> true)) {
        netNames.put((String) n.get("uuid"), (String) n.get("name"));
        Map<String, Object> copy = new TreeMap<>(n);
        copy.remove("uuid");
        networks.put((String) n.get("name"), copy);
      }
      Map<String, Object> nics = new TreeMap<>();
      for (Map<String, Object> n : sb.napi().nics().list(x -> true)) {
        Map<String, Object> copy = new TreeMap<>(n);
        copy.remove("created_timestamp");
        copy.remove("modified_timestamp");
        if (copy.get("network_uuid") instanceof String u) {
          copy.put("network_uuid", netNames.getOrDefault(u, u));
        }
        nics.put((String) n.get("mac"), copy);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("nics", nics);
      out.put("networks", networks);
      return out;
    }

    @Override
    public void close() {
      agents.forEach(NetAgent::stop);
      feeds.close();
      store.close();
      threads.close();
      sb.close();
    }
  }

  private static Map<String, Object> vm(String uuid, String mac, String ip) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", uuid);
    p.put("brand", "joyent-minimal");
    p.put("owner_uuid", NetAgentHarness.OWNER);
    p.put("state", "running");
    p.put("nics", List.of(vmNic(mac, ip, true)));
    return p;
  }

  /** create, an operator's flag in NAPI, stop, start, destroy: NAPI's state after each step. */
  private List<Map<String, Object>> lifecycle(ChangefeedMode mode) throws Exception {
    List<Map<String, Object>> steps = new ArrayList<>();
    try (Run run = new Run(mode, CN1, CN2)) {
      ServerVms v1 = run.vms.get(CN1);
      ServerVms v2 = run.vms.get(CN2);
      v1.create(vm(VM1, MAC1, "10.88.88.21"));
      v2.create(vm(VM2, MAC2, "10.88.88.22"));
      await(() -> "running".equals(run.napiState(MAC1)) && "running".equals(run.napiState(MAC2)), "created, running");
      run.agents.forEach(a -> {
        try {
          awaitSettled(a);
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      run.quiet();
      steps.add(run.napiSnapshot());

      run.putNic(MAC1, Map.of("allow_ip_spoofing", true));
      if (mode != ChangefeedMode.OFF) { // through the changefeed: NIC refreshes are an hour apart here
        await(() -> Boolean.TRUE.equals(vmNicOf(v1, VM1, MAC1).get("allow_ip_spoofing")), "the flag in the VM");
      }
      run.quiet();
      steps.add(run.napiSnapshot());

      v1.stop(VM1);
      await(() -> "stopped".equals(run.napiState(MAC1)), "stopped in NAPI");
      run.quiet();
      steps.add(run.napiSnapshot());

      v1.start(VM1);
      await(() -> "running".equals(run.napiState(MAC1)), "running again in NAPI");
      run.quiet();
      steps.add(run.napiSnapshot());

      v1.delete(VM1);
      v2.delete(VM2);
      await(() -> run.napiState(MAC1) == null && run.napiState(MAC2) == null, "the NICs gone from NAPI");
      run.quiet();
      steps.add(run.napiSnapshot());
    }
    return steps;
  }

  @Test
  void sharedMode_threeCns_sandboxSeesOneListenerAndOneRegistration() throws Exception {
    try (Run run = new Run(ChangefeedMode.SHARED, CN1, CN2, CN3)) {
      assertThat(run.stats()).containsEntry("listeners", 1).containsEntry("registrations", 1);
      assertThat(run.feeds.cns()).isEqualTo(3);
    }
  }

  @Test
  void perCnMode_threeCns_sandboxSeesThreeRegistrations() throws Exception {
    try (Run run = new Run(ChangefeedMode.PER_CN, CN1, CN2, CN3)) {
      assertThat(run.stats()).containsEntry("listeners", 3).containsEntry("registrations", 3);
    }
  }

  @Test
  void offMode_sandboxSeesNoListener() throws Exception {
    try (Run run = new Run(ChangefeedMode.OFF, CN1, CN2)) {
      assertThat(run.stats()).containsEntry("listeners", 0).containsEntry("registrations", 0);
    }
  }

  @Test
  void createStopStartDestroy_leavesTheSameNapiState_perCnAndShared() throws Exception {
    List<Map<String, Object>> perCn = lifecycle(ChangefeedMode.PER_CN);
    List<Map<String, Object>> shared = lifecycle(ChangefeedMode.SHARED);
    assertThat(perCn).hasSize(5);
    @SuppressWarnings("unchecked")
    Map<String, Object> afterFlag = (Map<String, Object>) ((Map<String, Object>) perCn.get(1).get("nics")).get(MAC1);
    assertThat(afterFlag).containsEntry("allow_ip_spoofing", true).containsEntry("state", "running");
    for (int i = 0; i < perCn.size(); i++) {
      assertThat(Json.compact(shared.get(i))).as("NAPI after step " + (i + 1)).isEqualTo(Json.compact(perCn.get(i)));
    }
  }
}
