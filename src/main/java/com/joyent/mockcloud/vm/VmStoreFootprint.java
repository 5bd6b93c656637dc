package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.io.FileTrees;
import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Measures the heap cost of the in-memory view: writes {@code N} typical joyent-minimal VMs with
 * one NIC (as cn-agent creates them, after their first state change so the derived fields have
 * leaked into the file, spec §1.7) spread 10 per server, opens every server in one store, forces
 * GC and prints heap-used growth per VM. Usage (see docs/vm-store.md):
 *
 * <pre>
 * java -Xmx2g -cp target/classes:$(cat cp.txt) VmStoreFootprint [vms] [vmsPerServer]
 * </pre>
 */
public final class VmStoreFootprint {
  private VmStoreFootprint() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int perServer = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path root = Files.createTempDirectory("vmstore-footprint");
    List<String> servers = new ArrayList<>();
    long fileBytes = 0;
    for (int i = 0; i < n; i++) {
      if (i % perServer == 0) {
        servers.add(UUID.randomUUID().toString());
      }
      String server = servers.get(servers.size() - 1);
      Path dir = root.resolve(server).resolve("vms");
      Files.createDirectories(dir);
      String uuid = UUID.randomUUID().toString();
      byte[] bytes = Json.prettyBytes(typicalVm(uuid, server), 2);
      fileBytes += bytes.length;
      Files.write(dir.resolve(uuid + ".json"), bytes);
    }

    VmStore store = VmStore.builder().executor(Runnable::run).watchMode(VmStore.WatchMode.OFF).build();
    long before = usedHeap();
    List<ServerVms> open = new ArrayList<>();
    for (String s : servers) {
      open.add(store.openServer(s, root.resolve(s), new ServerIdentity(s, "coal", "20190718T003512Z")));
    }
    long after = usedHeap();
    long blobBytes = 0;
    long viewBytes = 0;
    int count = 0;
    for (ServerVms s : open) {
      count += s.size();
      blobBytes += s.blobBytes();
      viewBytes += s.vms().values().stream().mapToLong(v -> Json.compactBytes(v).length).sum();
    }
    long t0 = System.nanoTime();
    int rounds = 5;
    for (int r = 0; r < rounds; r++) {
      for (ServerVms s : open) {
        s.vms();
      }
    }
    double microsPerView = (System.nanoTime() - t0) / 1000.0 / rounds / count;
    System.out.printf("vms=%d servers=%d vmsPerServer=%d%n", count, servers.size(), perServer);
    System.out.printf("file bytes/VM (pretty, on disk)   = %d%n", fileBytes / n);
    System.out.printf("view bytes/VM (compact JSON)      = %d%n", viewBytes / n);
    System.out.printf("blob bytes/VM (in memory)         = %d%n", blobBytes / n);
    System.out.printf("heap bytes/VM (incl. per-server)  = %d%n", (after - before) / n);
    System.out.printf("heap total                        = %.1f MiB%n", (after - before) / 1048576.0);
    System.out.printf("read cost                         = %.1f us per full view%n", microsPerView);
    store.close();
    FileTrees.deleteTree(root);
  }

  /** A joyent-minimal VM with one NIC, as cn-agent writes it, after a first stop/start. */
  static Map<String, Object> typicalVm(String uuid, String server) {
    Map<String, Object> nic = new LinkedHashMap<>();
    nic.put("mac", String.format("90:b8:d0:%02x:%02x:%02x", uuid.charAt(0) & 0xff, uuid.charAt(1) & 0xff, uuid.charAt(2) & 0xff));
    nic.put("primary", true);
    nic.put("ip", "10.99.99." + (uuid.charAt(3) & 0x7f));
    nic.put("netmask", "255.255.255.0");
    nic.put("vlan_id", 0);
    nic.put("nic_tag", "admin");
    nic.put("mtu", 1500);
    nic.put("network_uuid", "54f38ed1-bf03-4c6c-8b56-6182145ffc80");
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("uuid", uuid);
    params.put("owner_uuid", "930896af-bf8c-48d4-885c-6573a94b1853");
    params.put("brand", "joyent-minimal");
    params.put("alias", "vm-" + uuid.substring(0, 8));
    params.put("image_uuid", "2b683a82-a066-11e3-97ab-2faa44701c5a");
    params.put("billing_id", "f3736d0c-2d11-4bd6-9ba4-1f8d6b3f3b73");
    params.put("cpu_cap", 100);
    params.put("max_lwps", 4000);
    params.put("max_physical_memory", 128);
    params.put("max_swap", 256);
    params.put("quota", 3);
    params.put("ram", 128);
    params.put("nics", List.of(nic));
    params.put("customer_metadata", Map.of());
    params.put("internal_metadata", Map.of());
    params.put("tags", Map.of());
    params.put("resolvers", List.of("10.99.99.11"));
    params.put("server_uuid", server);
    Map<String, Object> vm = VmCreate.apply(MachineCreatePayload.fromTaskParams(params).payload(),
        "2019-07-18T01:02:03.456Z");
    // What the file holds after the first mutation: the loaded view written back.
    return VmView.augment(vm, 1563411723456L, new ServerIdentity(server, "coal", "20190718T003512Z"));
  }

  private static long usedHeap() throws InterruptedException {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
