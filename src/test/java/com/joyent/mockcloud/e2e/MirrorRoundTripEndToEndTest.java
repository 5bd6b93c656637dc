package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.mirror.MirrorArchive;
import com.joyent.mockcloud.mirror.MirrorDiff;
import com.joyent.mockcloud.mirror.MirrorExporter;
import com.joyent.mockcloud.mirror.MirrorImporter;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.vm.MachineCreatePayload;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmStore;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The round trip: a sandbox with 20 CNs of three hardware profiles, 200 VMs of five
 * brands running and stopped, an extra nic tag, network and pool is exported, imported into a
 * second sandbox's root and NAPI, and the second sandbox's export compares equal but for the
 * differences the import makes by design.
 */
class MirrorRoundTripEndToEndTest {
  private static final List<HardwareProfile> PROFILES = List.of(HardwareProfile.STANDARD, HardwareProfile.SMALL,
      HardwareProfile.LARGE_STORAGE);
  private static final List<String> BRANDS = List.of("joyent-minimal", "joyent", "lx", "kvm", "bhyve");
  private static final String IMAGE = "2b683a82-a066-11e3-97ab-2faa44701c5a";
  @TempDir Path tmp;
  private final List<SandboxFleet> fleets = new ArrayList<>();

  @AfterEach
  void tearDown() {
    fleets.forEach(SandboxFleet::close);
  }

  @Test
  void exportImportExport_comparesEqualButByDesign() throws Exception {
    SandboxFleet a = new SandboxFleet(tmp.resolve("a"));
    fleets.add(a);
    Map<String, Object> storage = populate(a);
    a.start();
    awaitSynced(a.sandbox, a.settings.root(), 20, 200);
    MirrorArchive exported = export(a.sandbox);
    assertThat(exported.section("servers")).hasSize(20);
    assertThat(exported.section("vms")).hasSize(200);
    assertThat(exported.section("networks")).extracting(n -> n.get("name")).contains("storage", "external", "admin");
    assertThat(exported.section("network_pools")).extracting(n -> n.get("name")).containsExactly("customer-pool");
    Path file = tmp.resolve("a.json.gz");
    exported.write(file);

    SandboxFleet b = new SandboxFleet(tmp.resolve("b"));
    fleets.add(b);
    Files.createDirectories(b.settings.root().resolve("servers"));
    b.start();
    MirrorImporter.Result r = importInto(b, MirrorArchive.read(file));
    assertThat(r.serversCreated()).isEqualTo(20);
    assertThat(r.vmsWritten()).isEqualTo(200);
    assertThat(r.networksCreated()).isEqualTo(1); // storage; admin and external the target has
    assertThat(r.poolsCreated()).isEqualTo(1);
    awaitSynced(b.sandbox, b.settings.root(), 20, 200);
    assertThat(b.sandbox.napi().nics().get(storageVmMac(exported, storage))).isNotNull();

    List<MirrorDiff.Difference> diffs = MirrorDiff.compare(exported, export(b.sandbox));
    assertThat(diffs.stream().filter(d -> !d.byDesign()).map(Object::toString)).isEmpty();
    // The networks the target already had keep its uuids; the admin addresses are its own.
    assertThat(diffs).anySatisfy(d -> assertThat(d.path()).isEqualTo("networks[admin].uuid"));

    // Again: everything is there already, nothing is created or changed.
    MirrorImporter.Result again = importInto(b, MirrorArchive.read(file));
    assertThat(again.serversCreated()).isZero();
    assertThat(again.serversKept()).isEqualTo(20);
    assertThat(again.nicsCreated()).isZero();
    assertThat(again.vmsWritten()).isZero();
    assertThat(again.vmsKept()).isEqualTo(200);
  }

  private static MirrorImporter.Result importInto(SandboxFleet b, MirrorArchive archive) throws Exception {
    Sandbox sb = b.sandbox;
    return new MirrorImporter(archive, new ServerRoot(b.settings.root()), client(sb.napiUrl(), "NAPI"),
        client(sb.cnapiUrl(), "CNAPI"), new MirrorImporter.Options(sb.adminUuid(), sb.datacenter(), false),
        line -> { }).run();
  }

  static MirrorArchive export(Sandbox sb) throws Exception {
    return new MirrorExporter(client(sb.cnapiUrl(), "CNAPI"), client(sb.vmapiUrl(), "VMAPI"),
        client(sb.napiUrl(), "NAPI"), null, Clock.systemUTC(), line -> { }).export();
  }

  static JsonHttpClient client(String url, String api) {
    return JsonHttpClient.to(OutboundHttp.standalone(), URI.create(url), api).userAgent("mirror-test").build();
  }

  /** Every CN registered with its agent address, every VM in VMAPI and every VM NIC in NAPI. */
  static void awaitSynced(Sandbox sb, Path root, int servers, int vms) throws Exception {
    List<String> uuids = new ArrayList<>();
    for (var d : new ServerRoot(root).list()) {
      uuids.add(d.uuid().toString());
    }
    assertThat(uuids).hasSize(servers);
    Await.require(Duration.ofSeconds(60), () -> {
      long registered = uuids.stream().map(u -> sb.cnapi().servers().sysinfo(u))
          .filter(si -> si != null && si.containsKey("CN Agent Port")).count();
      long inVmapi = sb.vmapi().vms().list(v -> !"destroyed".equals(v.get("state"))).size();
      long vmNics = sb.napi().nics().list(n -> "zone".equals(n.get("belongs_to_type"))).size();
      return registered == servers && inVmapi == vms && vmNics == vms && netAgentsCaughtUp(sb);
    }, servers + " CNs registered, " + vms + " VMs in VMAPI and their NICs in NAPI, net-agent caught up");
  }

  /**
   * A VM is created without its NICs' gateway and mtu; net-agent writes them, and the VM's
   * resolvers, from NAPI a moment later. Until it has, VMAPI's copy differs from NAPI's.
   */
  @SuppressWarnings("unchecked")
  private static boolean netAgentsCaughtUp(Sandbox sb) {
    for (Map<String, Object> vm : sb.vmapi().vms().list(v -> !"destroyed".equals(v.get("state")))) {
      for (Map<String, Object> nic : (List<Map<String, Object>>) vm.getOrDefault("nics", List.of())) {
        Map<String, Object> held = sb.napi().nics().get((String) nic.get("mac"));
        if (held == null) {
          return false;
        }
        for (String k : List.of("gateway", "mtu")) {
          if (held.get(k) != null && !held.get(k).equals(nic.get(k))) {
            return false;
          }
        }
        if (held.get("resolvers") instanceof List<?> r && !r.isEmpty()
            && !(vm.get("resolvers") instanceof List<?> have && have.containsAll(r))) {
          return false;
        }
      }
    }
    return true;
  }

  private static String storageVmMac(MirrorArchive archive, Map<String, Object> storage) {
    return archive.section("nics").stream().filter(n -> storage.get("uuid").equals(n.get("network_uuid")))
        .map(n -> (String) n.get("mac")).findFirst().orElseThrow();
  }

  /** 20 CNs, 200 VMs, the storage tag and network and a pool; returns the storage network. */
  private static Map<String, Object> populate(SandboxFleet a) throws Exception {
    String napi = a.sandbox.napiUrl();
    assertThat(JsonCalls.send("POST", napi + "/nic_tags", Map.of("name", "storage", "mtu", 9000)).statusCode())
        .isEqualTo(200);
    Map<String, Object> net = new LinkedHashMap<>();
    net.put("name", "storage");
    net.put("subnet", "10.77.0.0/22");
    net.put("provision_start_ip", "10.77.0.10");
    net.put("provision_end_ip", "10.77.3.250");
    net.put("nic_tag", "storage");
    net.put("vlan_id", 77);
    net.put("mtu", 9000);
    Map<String, Object> storage = JsonCalls.json(JsonCalls.send("POST", napi + "/networks", net));
    String external = a.sandbox.napi().externalNetworkUuid();
    assertThat(JsonCalls.send("POST", napi + "/network_pools", Map.of("name", "customer-pool",
        "networks", List.of(external, storage.get("uuid")))).statusCode()).isEqualTo(200);

    Path root = a.settings.root();
    int vmIndex = 0;
    try (VmStore store = VmStore.builder().executor(Runnable::run).watchMode(VmStore.WatchMode.OFF).build()) {
      for (int i = 0; i < 20; i++) {
        Map<String, Object> traits = i % 5 == 0 ? Map.of("ssd", true) : null;
        UUID server = a.creator.create(new ServerCreator.Request(null, "mirror-cn-" + i, PROFILES.get(i % 3),
            traits)).uuid();
        ServerVms vms = store.openServer(server.toString(), new ServerRoot(root).directoryOf(server).dir());
        for (int v = 0; v < 10; v++, vmIndex++) {
          String uuid = vms.create(MachineCreatePayload.fromTaskParams(vm(vmIndex, server, storage, external)).payload());
          if (vmIndex % 3 == 0) {
            vms.stop(uuid);
          }
        }
        store.closeServer(server.toString());
      }
    }
    return storage;
  }

  /** VM n: a brand in turn, on external (n < 50) or storage, with tags and metadata. */
  private static Map<String, Object> vm(int n, UUID server, Map<String, Object> storage, String external) {
    String brand = BRANDS.get(n % BRANDS.size());
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", UUID.randomUUID().toString());
    p.put("owner_uuid", "6a8bd7a1-3a46-4e2b-bd1a-9a8f3c1e0f" + String.format("%02d", n % 7));
    p.put("brand", brand);
    p.put("alias", "mirror-" + n);
    p.put("ram", 256 + 128 * (n % 4));
    p.put("max_physical_memory", 256 + 128 * (n % 4));
    p.put("quota", 10);
    p.put("cpu_cap", 100);
    p.put("tags", Map.of("role", n % 2 == 0 ? "web" : "db"));
    p.put("customer_metadata", Map.of("user-script", "#!/bin/sh\necho " + n));
    if (brand.equals("kvm") || brand.equals("bhyve")) {
      p.put("disks", List.of(Map.of("image_uuid", IMAGE, "boot", true, "model", "virtio"),
          Map.of("size", 10240, "model", "virtio")));
    } else {
      p.put("image_uuid", IMAGE);
    }
    Map<String, Object> nic = new LinkedHashMap<>();
    nic.put("mac", String.format("90:b8:d0:4d:%02x:%02x", n >> 8, n & 0xff));
    nic.put("primary", true);
    nic.put("vlan_id", n < 50 ? 0 : 77);
    if (n < 50) {
      nic.put("ip", "10.88.88." + (100 + n));
      nic.put("netmask", "255.255.255.0");
      nic.put("gateway", "10.88.88.1");
      nic.put("nic_tag", "external");
      nic.put("network_uuid", external);
    } else {
      int host = 100 + n;
      nic.put("ip", "10.77." + (host >> 8) + "." + (host & 0xff));
      nic.put("netmask", "255.255.252.0");
      nic.put("nic_tag", "storage");
      nic.put("mtu", 9000);
      nic.put("network_uuid", storage.get("uuid"));
    }
    p.put("nics", List.of(nic));
    p.put("server_uuid", server.toString());
    return p;
  }
}
