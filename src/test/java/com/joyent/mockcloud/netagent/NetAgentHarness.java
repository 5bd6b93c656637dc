package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.fleet.DaemonThreads;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.triton.NapiApi;
import com.joyent.mockcloud.vm.ServerIdentity;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmStore;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Fixtures for net-agent tests (TestElf-style): shared threads, a VM store, a fake NAPI, mock
 * CN directories and agents with fast timings; plus {@link #await}, which polls with a deadline.
 */
final class NetAgentHarness implements Closeable {
  static final UUID ADMIN = UUID.fromString("930896af-bf8c-48d4-885c-6573a94b1853");
  static final String OWNER = "a0e1b5e4-5b6f-4c7a-8b9c-0d1e2f3a4b5c";
  static final String EXTERNAL = "dddddddd-0000-4000-8000-0000000e0001";

  final Path root;
  final DaemonThreads threads = new DaemonThreads(1, 4);
  final VmStore store;
  final FakeNapi napi = new FakeNapi();
  final Settings settings;
  private final List<NetAgent> agents = new ArrayList<>();
  private final List<SharedChangefeeds> sharedFeeds = new ArrayList<>();

  NetAgentHarness(Path root) {
    this.root = root;
    this.store = VmStore.builder().executor(threads.taskPool()).scheduler(threads.scheduler())
        .watchMode(VmStore.WatchMode.OFF).build();
    this.settings = new Settings(root, "coal", "example.com", ADMIN, "127.0.0.1", null, null,
        URI.create(napi.url()), null, null);
    napi.networks.put(EXTERNAL, FakeNapi.network(EXTERNAL, "external", "10.88.88.0/24", "255.255.255.0",
        "10.88.88.1", List.of("8.8.8.8"), "external"));
  }

  /** A CN directory as create-server leaves it, with the given dnet0/dnet1 MACs. */
  ServerDirectory newServer(String adminMac, String adminIp, String spareMac) throws IOException {
    return newServer(UUID.randomUUID(), adminMac, adminIp, spareMac);
  }

  ServerDirectory newServer(UUID uuid, String adminMac, String adminIp, String spareMac) throws IOException {
    return writeServer(root, uuid, adminMac, adminIp, spareMac);
  }

  /** A CN directory under {@code root} as create-server leaves it, with the given dnet0/dnet1 MACs. */
  static ServerDirectory writeServer(Path root, UUID uuid, String adminMac, String adminIp, String spareMac)
      throws IOException {
    Path dir = root.resolve("servers").resolve(uuid.toString());
    Files.createDirectories(dir.resolve("vms"));
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("System Type", "Virtual");
    Map<String, Object> nics = new LinkedHashMap<>();
    nics.put("dnet0", nic(adminIp, List.of("admin"), adminMac));
    nics.put("dnet1", nic("", List.of(), spareMac));
    s.put("Network Interfaces", nics);
    s.put("Virtual Network Interfaces", new LinkedHashMap<>());
    s.put("Link Aggregations", new LinkedHashMap<>());
    s.put("Datacenter Name", "coal");
    s.put("UUID", uuid.toString());
    s.put("Admin IP", adminIp);
    s.put("Live Image", "20190718T003512Z");
    ServerDirectory d = new ServerDirectory(uuid, dir);
    d.writeSysinfo(s, 4);
    return d;
  }

  static Map<String, Object> nic(String ip, List<String> names, String mac) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("ip4addr", ip);
    n.put("Link Status", "up");
    n.put("NIC Names", names);
    n.put("MAC Address", mac);
    return n;
  }

  ServerVms vmsOf(ServerDirectory d) throws IOException {
    return store.openServer(d.uuid().toString(), d.dir(), ServerIdentity.fromSysinfo(d.readSysinfo()));
  }

  /** The CN's NAPI view, as the fleet makes it. */
  NapiApi napiOf(ServerDirectory d, NetAgentOptions options) {
    return threads.tritonApis(settings, options.maxConcurrentRequests()).napi(options.userAgent(d.uuid().toString()),
        options.requestTimeout());
  }

  NetAgent agent(ServerDirectory d, NetAgentOptions options) throws IOException {
    NetAgent a = new NetAgent(d, vmsOf(d), settings, threads.netAgentLoop(), threads.taskPool(),
        napiOf(d, options), options);
    agents.add(a);
    return a;
  }

  /** The process's shared changefeeds (mode shared), closed with the harness after the agents. */
  SharedChangefeeds sharedFeeds(NetAgentOptions options) {
    SharedChangefeeds f = new SharedChangefeeds(root, threads.netAgentLoop(), threads.taskPool(),
        threads.tritonApis(settings, options.maxConcurrentRequests()), options);
    sharedFeeds.add(f);
    return f;
  }

  /** An agent in mode shared (options' changefeed is set to it), its items from {@code feeds}. */
  NetAgent sharedAgent(ServerDirectory d, NetAgentOptions options, SharedChangefeeds feeds) throws IOException {
    NetAgent a = new NetAgent(d, vmsOf(d), settings, threads.netAgentLoop(), threads.taskPool(),
        napiOf(d, options), options.withChangefeed(ChangefeedMode.SHARED), feeds);
    agents.add(a);
    return a;
  }

  NetAgent start(ServerDirectory d) throws IOException {
    NetAgent a = agent(d, NetAgentOptions.fast());
    a.start();
    return a;
  }

  /** A VM NIC on the external network, as VMAPI would put it in a machine_create payload. */
  static Map<String, Object> vmNic(String mac, String ip, boolean primary) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("mac", mac);
    n.put("ip", ip);
    n.put("netmask", "255.255.255.0");
    n.put("nic_tag", "external");
    n.put("vlan_id", 0);
    if (primary) {
      n.put("primary", true);
    }
    return n;
  }

  /** The NAPI record VMAPI would have made for that NIC before the VM reached the CN. */
  Map<String, Object> napiNicFor(String mac, String ip, String vm, String state) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("belongs_to_type", "zone");
    n.put("belongs_to_uuid", vm);
    n.put("owner_uuid", OWNER);
    n.put("ip", ip);
    n.put("network_uuid", EXTERNAL);
    n.put("nic_tag", "external");
    n.put("vlan_id", 0);
    n.put("primary", true);
    n.put("state", state);
    n.put("mac", mac);
    return n;
  }

  static String createVm(ServerVms vms, String state, List<Map<String, Object>> nics) {
    String uuid = UUID.randomUUID().toString();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", uuid);
    p.put("brand", "joyent-minimal");
    p.put("owner_uuid", OWNER);
    p.put("state", state);
    p.put("nics", nics);
    vms.create(p);
    return uuid;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> vmNicOf(ServerVms vms, String vm, String mac) {
    for (Object o : (List<Object>) vms.load(vm).getOrDefault("nics", List.of())) {
      Map<String, Object> n = (Map<String, Object>) o;
      if (mac.equals(n.get("mac"))) {
        return n;
      }
    }
    return null;
  }

  static Map<String, Object> readVmFile(ServerDirectory d, String vm) throws IOException {
    return Json.parseObject(Files.readAllBytes(d.vmsDir().resolve(vm + ".json")));
  }

  static void await(BooleanSupplier c, String what) throws InterruptedException {
    if (!Await.until(Duration.ofSeconds(10), c)) {
      throw new AssertionError("timed out waiting for " + what);
    }
  }

  /** Waits until every tracked NIC of the agent is in step (WAITING) and nothing is in flight. */
  static void awaitSettled(NetAgent a) throws Exception {
    await(() -> {
      try {
        Map<String, String> s = a.nicStates().get();
        return !s.isEmpty() && s.values().stream().allMatch("WAITING"::equals);
      } catch (Exception e) {
        return false;
      }
    }, "every NIC in step");
  }

  /**
   * Waits until NAPI has heard nothing for 300 ms since this was called: a NIC can look settled
   * while the VM write that followed its creation still has a re-check (a GET) on its way, and
   * a request that must not come has no event to wait for but this window.
   */
  void awaitQuiet() throws Exception {
    long since = System.currentTimeMillis();
    await(() -> {
      List<FakeNapi.Received> all = napi.received(r -> true);
      long last = all.isEmpty() ? since : Math.max(since, all.get(all.size() - 1).atMillis());
      return System.currentTimeMillis() - last > 300;
    }, "NAPI to hear nothing for 300 ms");
  }

  @Override
  public void close() {
    agents.forEach(NetAgent::stop);
    sharedFeeds.forEach(SharedChangefeeds::close);
    store.close();
    napi.close();
    threads.close();
  }
}
