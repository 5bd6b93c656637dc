package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.StandardAgents;
import com.joyent.mockcloud.server.Sysinfo;
import com.joyent.mockcloud.util.NamedThreads;
import com.joyent.mockcloud.vm.MachineCreatePayload;
import com.joyent.mockcloud.vm.ServerIdentity;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmFileSystem;
import com.joyent.mockcloud.vm.VmStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a benchmark fleet straight to disk: N server directories as create-server makes
 * them (admin IPs made up in 10.128.0.0/9 instead of asked from NAPI: the benchmark measures
 * run-servers, not create-server) with M joyent-minimal VMs each, created through the VM
 * store as machine_create would, without fsync (the files are scratch). Also lists the NICs
 * (admin NICs and VM NICs) that NAPI holds in a datacenter where these CNs have run before, so
 * the benchmark can seed them: a restart of run-servers then measures steady-state start-up,
 * not 100,000 first-time NIC creations.
 */
final class FleetGenerator {
  private static final String ADMIN = SandboxOptions.DEFAULT_ADMIN_UUID;
  private FleetGenerator() {}

  /** The network VM NICs are on (NAPI's admin network of the receiver), or null for NICs without IPs. */
  /** The admin network as NAPI has it; VMs get its resolvers, so net-agents find nothing to fix. */
  record VmNetwork(String uuid, String netmask, long firstIp, List<String> resolvers) {}

  /** The generated servers, and the NICs NAPI would hold for them in a datacenter that has run a while. */
  record Generated(List<UUID> servers, List<Map<String, Object>> napiNics) {}

  static Generated generate(Path root, int servers, int vmsPerServer, String datacenter, VmNetwork net)
      throws Exception {
    Path serversDir = root.resolve("servers");
    Files.createDirectories(serversDir);
    List<UUID> uuids = new ArrayList<>();
    Queue<Map<String, Object>> nics = new ConcurrentLinkedQueue<>();
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads, NamedThreads.bench("generate"));
    try (VmStore store = VmStore.builder().fileSystem(VmFileSystem.NO_FSYNC).executor(Runnable::run)
        .watchMode(VmStore.WatchMode.OFF).build()) {
      List<Future<UUID>> done = new ArrayList<>();
      for (int i = 0; i < servers; i++) {
        int index = i;
        done.add(pool.submit(() -> makeServer(store, serversDir, index, vmsPerServer, datacenter, net, nics)));
      }
      for (Future<UUID> f : done) {
        uuids.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    return new Generated(uuids, List.copyOf(nics));
  }

  private static UUID makeServer(VmStore store, Path serversDir, int index, int vms, String dc, VmNetwork net,
      Queue<Map<String, Object>> napiNics) throws IOException {
    Random random = new Random(index);
    UUID uuid = new UUID(random.nextLong() & ~0xF000L | 0x4000L, random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L);
    ServerDirectory d = new ServerDirectory(uuid, serversDir.resolve(uuid.toString()));
    Files.createDirectories(d.vmsDir());
    StandardAgents.install(d.agentsDir());
    String ip = "10." + (128 + (index >> 16 & 0x7f)) + "." + (index >> 8 & 0xff) + "." + (index & 0xff);
    String adminMac = Sysinfo.randomMac(random);
    String spareMac = Sysinfo.randomMac(random);
    Map<String, Object> sysinfo = Sysinfo.build(new Sysinfo.Identity(uuid, Sysinfo.defaultHostname(uuid), dc, ip,
        adminMac, spareMac, "20190718T003512Z", Instant.now(),
        HardwareProfile.STANDARD), random);
    d.writeSysinfo(sysinfo, 4);
    if (net != null) {
      napiNics.add(napiNic(adminMac, "server", uuid.toString(), null, ip, net, List.of("admin")));
      napiNics.add(napiNic(spareMac, "server", uuid.toString(), null, null, null, List.of()));
    }
    if (vms > 0) {
      ServerVms server = store.openServer(uuid.toString(), d.dir(), ServerIdentity.fromSysinfo(sysinfo));
      for (int v = 0; v < vms; v++) {
        Map<String, Object> params = vmParams(random, uuid, index, v, net);
        server.create(MachineCreatePayload.fromTaskParams(params).payload());
        if (net != null) {
          @SuppressWarnings("unchecked")
          Map<String, Object> nic = ((List<Map<String, Object>>) params.get("nics")).get(0);
          napiNics.add(napiNic((String) nic.get("mac"), "zone", (String) params.get("uuid"), uuid.toString(),
              (String) nic.get("ip"), net, List.of()));
        }
      }
      store.closeServer(uuid.toString());
    }
    return uuid;
  }

  /** A NIC as NAPI holds it once booter, provisioning and net-agent have been through. */
  private static Map<String, Object> napiNic(String mac, String type, String belongsTo, String cn, String ip,
      VmNetwork net, List<String> tagsProvided) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("mac", mac);
    n.put("belongs_to_type", type);
    n.put("belongs_to_uuid", belongsTo);
    n.put("owner_uuid", ADMIN);
    if (cn != null) { // VM NICs only: net-agent sends no cn_uuid for the CN's own NICs
      n.put("cn_uuid", cn);
      n.put("primary", true);
    }
    if (ip != null) {
      n.put("ip", ip);
      n.put("network_uuid", net.uuid());
    }
    n.put("state", "running");
    if (!tagsProvided.isEmpty()) {
      n.put("nic_tags_provided", tagsProvided);
    }
    return n;
  }

  /** A typical small provision: joyent-minimal, 256 MiB, one admin NIC. */
  static Map<String, Object> vmParams(Random random, UUID server, int serverIndex, int vmIndex, VmNetwork net) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", UUID.randomUUID().toString());
    p.put("owner_uuid", ADMIN);
    p.put("brand", "joyent-minimal");
    p.put("alias", "bench-" + serverIndex + "-" + vmIndex);
    p.put("image_uuid", "2b683a82-a066-11e3-97ab-2faa44701c5a");
    p.put("billing_id", "f3736d0c-2d11-4bd6-9ba4-1f8d6b3f3b73");
    p.put("cpu_cap", 100);
    p.put("max_physical_memory", 256);
    p.put("max_swap", 512);
    p.put("quota", 10);
    p.put("ram", 256);
    Map<String, Object> nic = new LinkedHashMap<>();
    nic.put("mac", String.format("90:b8:d0:%02x:%02x:%02x", random.nextInt(256), random.nextInt(256), random.nextInt(256)));
    nic.put("primary", true);
    if (net != null) {
      // One address per VM, unique across the fleet (task-mix creates use indexes from 100 up).
      long ip = net.firstIp() + (long) serverIndex * 200 + vmIndex;
      nic.put("ip", (ip >> 24 & 0xff) + "." + (ip >> 16 & 0xff) + "." + (ip >> 8 & 0xff) + "." + (ip & 0xff));
      nic.put("netmask", net.netmask());
      nic.put("network_uuid", net.uuid());
    }
    nic.put("vlan_id", 0);
    nic.put("nic_tag", "admin");
    nic.put("mtu", 1500);
    p.put("nics", List.of(nic));
    p.put("customer_metadata", new LinkedHashMap<>());
    Map<String, Object> tags = new LinkedHashMap<>();
    if (vmIndex % 2 == 0) {
      // Half the VMs firewalled, as web or db, for the bench's FWAPI rules (Bench.seedFwapiRules).
      p.put("firewall_enabled", true);
      tags.put("role", vmIndex % 4 == 0 ? "web" : "db");
    }
    p.put("tags", tags);
    p.put("resolvers", net == null ? List.of("10.99.99.11") : net.resolvers());
    p.put("server_uuid", server.toString());
    return p;
  }
}
