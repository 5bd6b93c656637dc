package com.joyent.mockcloud.mirror;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.io.FileTrees;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.server.StandardAgents;
import com.joyent.mockcloud.server.Sysinfo;
import com.joyent.mockcloud.triton.ApiException;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.util.NamedThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Turns a {@link MirrorArchive} into mock CNs under a mockcloud root and their objects in a
 * target NAPI (docs/mirror.md "Import"). First it reads the target and the root and collects
 * every conflict (a uuid or MAC the target holds as something else); any conflict stops the
 * import before anything is written. Then, in order: nic tags, networks, pools, NICs in NAPI,
 * then each CN's directory (built under {@code .staging/} and renamed into {@code servers/} in
 * one step), then the CNs' CNAPI settings when a CNAPI is given. Whatever the target already
 * holds of the archive is kept, so an import that stopped half-way is resumed by running it
 * again.
 */
public final class MirrorImporter {
  /** Keys of a VMAPI VM a VM file does not hold: the VM store derives them from the CN and the file. */
  private static final List<String> DERIVED_VM_KEYS = List.of("server_uuid", "datacenter_name", "platform_buildstamp",
      "zonename", "zoneid", "pid", "last_modified");
  private static final List<String> NIC_FLAGS = List.of("allow_dhcp_spoofing", "allow_ip_spoofing",
      "allow_mac_spoofing", "allow_restricted_traffic", "allow_unfiltered_promisc", "underlay", "model");
  private static final int PARALLEL_REQUESTS = 8;

  /**
   * @param adminUuid the target's admin user, owner of admin-network NICs
   * @param datacenter the mock CNs' {@code Datacenter Name}
   * @param newUuids fresh uuids (and MACs) for everything, instead of the archive's
   */
  public record Options(String adminUuid, String datacenter, boolean newUuids) {}

  /** What the import did; "kept" counts what the target or root already held. */
  public record Result(int nicTagsCreated, int networksCreated, int poolsCreated, int nicsCreated, int nicsKept,
      int serversCreated, int serversKept, int vmsWritten, int vmsKept, int vmsWithoutServer) {}

  /** The target holds some of the archive as something else; nothing was written. */
  public static final class ConflictException extends IOException {
    public ConflictException(List<String> conflicts) {
      super(conflicts.size() + " conflict(s) with the target, nothing imported: "
          + String.join("; ", conflicts.subList(0, Math.min(20, conflicts.size())))
          + (conflicts.size() > 20 ? "; …" : ""));
    }
  }

  private final MirrorArchive archive;
  private final ServerRoot root;
  private final JsonHttpClient napi;
  private final JsonHttpClient cnapi;
  private final Options options;
  private final Consumer<String> progress;
  private final Renames ids;

  /** @param cnapi null: the CNs' reserved, reservation_ratio, traits and comments are not set in CNAPI */
  public MirrorImporter(MirrorArchive archive, ServerRoot root, JsonHttpClient napi, JsonHttpClient cnapi,
      Options options, Consumer<String> progress) {
    this.archive = archive;
    this.root = root;
    this.napi = napi;
    this.cnapi = cnapi;
    this.options = options;
    this.progress = progress;
    this.ids = new Renames(options.newUuids());
  }

  public Result run() throws IOException {
    Plan plan = plan();
    if (!plan.conflicts.isEmpty()) {
      throw new ConflictException(plan.conflicts);
    }
    int tags = createNicTags(plan);
    int networks = createNetworks(plan);
    int pools = createPools(plan);
    Counts nics = createNics(plan);
    ServerCounts servers = writeServers(plan);
    return new Result(tags, networks, pools, nics.created(), nics.kept(), servers.created(), servers.kept(),
        servers.vmsWritten(), servers.vmsKept(), servers.vmsWithoutServer());
  }

  private record Counts(int created, int kept) {}

  private record ServerCounts(int created, int kept, int vmsWritten, int vmsKept, int vmsWithoutServer) {}

  // ---- planning: reads only ----

  private static final class Plan {
    final List<String> conflicts = new ArrayList<>();
    final Map<String, Map<String, Object>> targetTags = new HashMap<>();
    final Map<String, NetworkMapping> networks = new LinkedHashMap<>();
    final Map<String, String> sourceSubnets = new HashMap<>();
    final Map<String, Map<String, Object>> targetPoolsByUuid = new HashMap<>();
    final Map<String, Map<String, Object>> targetPoolsByName = new HashMap<>();
    final Map<String, Map<String, Object>> targetNics = new HashMap<>();
    /** Source MAC → the NIC as the target NAPI holds it (kept or created). */
    final Map<String, Map<String, Object>> placedNics = new ConcurrentHashMap<>();
    final Map<String, String> rootVms = new HashMap<>();
    /** Admin NICs a server's sysinfo names that the archive's NAPI list lacks: they are allocated too. */
    final List<Map<String, Object>> missingAdminNics = new ArrayList<>();
    Map<String, Object> targetAdmin;
  }

  /** The key of the target's admin network for admin NICs the archive has no network for. */
  private static final String TARGET_ADMIN = "(target admin network)";

  private Plan plan() throws IOException {
    Plan p = new Plan();
    for (Map<String, Object> t : ApiPages.list(napi, "/nic_tags")) {
      p.targetTags.put(String.valueOf(t.get("name")), t);
    }
    List<Map<String, Object>> targetNetworks = ApiPages.list(napi, "/networks");
    Map<String, Map<String, Object>> byUuid = new HashMap<>();
    Map<String, Map<String, Object>> byName = new HashMap<>();
    for (Map<String, Object> n : targetNetworks) {
      byUuid.put(String.valueOf(n.get("uuid")), n);
      byName.put(String.valueOf(n.get("name")), n);
    }
    p.targetAdmin = byName.get("admin");
    if (p.targetAdmin == null) {
      throw new IOException("the target NAPI (" + napi.base() + ") has no network named admin");
    }
    for (Map<String, Object> n : archive.section("networks")) {
      String uuid = String.valueOf(n.get("uuid"));
      String name = String.valueOf(n.get("name"));
      p.sourceSubnets.put(uuid, (String) n.get("subnet"));
      Map<String, Object> same = byUuid.get(ids.uuid(uuid));
      NetworkMapping m;
      if ("admin".equals(name) || "admin".equals(n.get("nic_tag"))) {
        m = new NetworkMapping(uuid, p.targetAdmin, NetworkMapping.Kind.ADMIN);
      } else if (same != null) {
        if (!Objects.equals(same.get("subnet"), n.get("subnet"))) {
          p.conflicts.add("network " + ids.uuid(uuid) + " is " + same.get("name") + " " + same.get("subnet")
              + " in the target, " + name + " " + n.get("subnet") + " in the archive");
          continue;
        }
        m = new NetworkMapping(uuid, same, NetworkMapping.Kind.SAME);
      } else if (byName.containsKey(name)) {
        Map<String, Object> t = byName.get(name);
        m = new NetworkMapping(uuid, t, Objects.equals(t.get("subnet"), n.get("subnet"))
            ? NetworkMapping.Kind.SAME : NetworkMapping.Kind.MOVED);
      } else {
        Map<String, Object> body = new LinkedHashMap<>();
        for (String k : List.of("name", "subnet", "gateway", "provision_start_ip", "provision_end_ip", "resolvers",
            "routes", "vlan_id", "nic_tag", "mtu", "description", "owner_uuids")) {
          if (n.get(k) != null) {
            body.put(k, n.get(k));
          }
        }
        body.put("uuid", ids.uuid(uuid));
        m = new NetworkMapping(uuid, body, NetworkMapping.Kind.CREATE);
      }
      p.networks.put(uuid, m);
    }
    for (Map<String, Object> pool : ApiPages.list(napi, "/network_pools")) {
      p.targetPoolsByUuid.put(String.valueOf(pool.get("uuid")), pool);
      p.targetPoolsByName.put(String.valueOf(pool.get("name")), pool);
    }
    for (String type : List.of("server", "zone", "other")) {
      for (Map<String, Object> nic : ApiPages.list(napi, "/nics?belongs_to_type=" + type)) {
        p.targetNics.put(String.valueOf(nic.get("mac")), nic);
      }
    }
    p.networks.put(TARGET_ADMIN, new NetworkMapping(TARGET_ADMIN, p.targetAdmin, NetworkMapping.Kind.ADMIN));
    Set<String> exportedMacs = new HashSet<>();
    archive.section("nics").forEach(nic -> exportedMacs.add(String.valueOf(nic.get("mac"))));
    for (Map<String, Object> server : archive.section("servers")) {
      String mac = adminMac(server);
      if (mac != null && exportedMacs.add(mac)) {
        Map<String, Object> nic = new LinkedHashMap<>();
        nic.put("mac", mac);
        nic.put("belongs_to_type", "server");
        nic.put("belongs_to_uuid", String.valueOf(server.get("uuid")));
        nic.put("owner_uuid", options.adminUuid());
        nic.put("network_uuid", TARGET_ADMIN);
        nic.put("nic_tags_provided", List.of("admin"));
        p.missingAdminNics.add(nic);
      }
    }
    List<Map<String, Object>> allNics = new ArrayList<>(archive.section("nics"));
    allNics.addAll(p.missingAdminNics);
    for (Map<String, Object> nic : allNics) {
      String mac = ids.mac(String.valueOf(nic.get("mac")));
      Map<String, Object> held = p.targetNics.get(mac);
      if (held != null && !Objects.equals(held.get("belongs_to_uuid"), ids.uuid((String) nic.get("belongs_to_uuid")))) {
        p.conflicts.add("NIC " + mac + " belongs to " + held.get("belongs_to_type") + " " + held.get("belongs_to_uuid")
            + " in the target, to " + nic.get("belongs_to_type") + " " + ids.uuid((String) nic.get("belongs_to_uuid"))
            + " in the archive");
      }
    }
    for (ServerDirectory d : root.list()) {
      if (!Files.isDirectory(d.vmsDir())) {
        continue;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(d.vmsDir(), "*.json")) {
        for (Path f : ds) {
          String name = f.getFileName().toString();
          p.rootVms.put(name.substring(0, name.length() - ".json".length()), d.uuid().toString());
        }
      }
    }
    for (Map<String, Object> vm : archive.section("vms")) {
      String uuid = ids.uuid(String.valueOf(vm.get("uuid")));
      String server = ids.uuid((String) vm.get("server_uuid"));
      String there = p.rootVms.get(uuid);
      if (there != null && !there.equals(server)) {
        p.conflicts.add("VM " + uuid + " is on mock CN " + there + " in " + root.serversDir() + ", on " + server
            + " in the archive");
      }
    }
    return p;
  }

  // ---- NAPI ----

  private int createNicTags(Plan p) throws IOException {
    int n = 0;
    for (Map<String, Object> t : archive.section("nic_tags")) {
      String name = String.valueOf(t.get("name"));
      if (p.targetTags.containsKey(name)) {
        continue;
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      if (t.get("mtu") != null) {
        body.put("mtu", t.get("mtu"));
      }
      p.targetTags.put(name, require(napi, "POST", "/nic_tags", body).bodyObject());
      n++;
    }
    progress.accept("nic tags created: " + n);
    return n;
  }

  private int createNetworks(Plan p) throws IOException {
    int n = 0;
    for (Map.Entry<String, NetworkMapping> e : p.networks.entrySet()) {
      NetworkMapping m = e.getValue();
      if (m.kind() != NetworkMapping.Kind.CREATE) {
        continue;
      }
      Map<String, Object> created = require(napi, "POST", "/networks", m.target()).bodyObject();
      e.setValue(new NetworkMapping(m.sourceUuid(), created, NetworkMapping.Kind.CREATE));
      n++;
    }
    progress.accept("networks created: " + n);
    return n;
  }

  private int createPools(Plan p) throws IOException {
    int n = 0;
    for (Map<String, Object> pool : archive.section("network_pools")) {
      String uuid = ids.uuid(String.valueOf(pool.get("uuid")));
      if (p.targetPoolsByUuid.containsKey(uuid) || p.targetPoolsByName.containsKey(String.valueOf(pool.get("name")))) {
        continue;
      }
      List<String> networks = new ArrayList<>();
      if (pool.get("networks") instanceof List<?> l) {
        for (Object o : l) {
          NetworkMapping m = p.networks.get(String.valueOf(o));
          networks.add(m != null ? m.targetUuid() : ids.uuid(String.valueOf(o)));
        }
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("uuid", uuid);
      body.put("name", pool.get("name"));
      body.put("networks", networks);
      for (String k : List.of("description", "owner_uuids")) {
        if (pool.get(k) != null) {
          body.put(k, pool.get(k));
        }
      }
      require(napi, "POST", "/network_pools", body);
      n++;
    }
    progress.accept("network pools created: " + n);
    return n;
  }

  /** NICs go out {@value #PARALLEL_REQUESTS} at a time. */
  private Counts createNics(Plan p) throws IOException {
    List<Map<String, Object>> toCreate = new ArrayList<>();
    int kept = 0;
    List<Map<String, Object>> allNics = new ArrayList<>(archive.section("nics"));
    allNics.addAll(p.missingAdminNics);
    for (Map<String, Object> nic : allNics) {
      String mac = String.valueOf(nic.get("mac"));
      Map<String, Object> held = p.targetNics.get(ids.mac(mac));
      if (held != null) {
        p.placedNics.put(mac, held);
        kept++;
      } else {
        toCreate.add(nic);
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_REQUESTS, new NamedThreads("mirror-import"));
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Map<String, Object> nic : toCreate) {
        done.add(pool.submit(() -> {
          p.placedNics.put(String.valueOf(nic.get("mac")), createNic(p, nic));
          return null;
        }));
      }
      int n = 0;
      for (Future<?> f : done) {
        await(f);
        if (++n % 5000 == 0) {
          progress.accept("NICs created: " + n + " of " + toCreate.size());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    progress.accept("NICs created: " + toCreate.size() + ", already there: " + kept);
    return new Counts(toCreate.size(), kept);
  }

  private Map<String, Object> createNic(Plan p, Map<String, Object> nic) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("mac", ids.mac(String.valueOf(nic.get("mac"))));
    body.put("belongs_to_type", nic.get("belongs_to_type"));
    body.put("belongs_to_uuid", ids.uuid((String) nic.get("belongs_to_uuid")));
    body.put("owner_uuid", nic.get("owner_uuid"));
    if (nic.get("cn_uuid") != null) {
      body.put("cn_uuid", ids.uuid((String) nic.get("cn_uuid")));
    }
    for (String k : List.of("primary", "state", "nic_tags_provided")) {
      if (nic.get(k) != null) {
        body.put(k, nic.get(k));
      }
    }
    for (String k : NIC_FLAGS) {
      if (nic.get(k) != null) {
        body.put(k, nic.get(k));
      }
    }
    NetworkMapping m = nic.get("network_uuid") instanceof String net ? p.networks.get(net) : null;
    if (m == null) {
      return require(napi, "POST", "/nics", body).bodyObject();
    }
    if (m.kind() == NetworkMapping.Kind.ADMIN) {
      body.put("owner_uuid", options.adminUuid());
    }
    String ip = m.translate((String) nic.get("ip"), p.sourceSubnets.get(m.sourceUuid()));
    if (ip == null) {
      return require(napi, "POST", "/networks/" + m.targetUuid() + "/nics", body).bodyObject();
    }
    Map<String, Object> withIp = new LinkedHashMap<>(body);
    withIp.put("network_uuid", m.targetUuid());
    withIp.put("ip", ip);
    ApiResponse r = napi.send("POST", "/nics", withIp);
    if (r.status() == 422 && ipTaken(r)) {
      // The address is someone else's in the target: the NIC gets the next free one instead.
      return require(napi, "POST", "/networks/" + m.targetUuid() + "/nics", body).bodyObject();
    }
    if (!r.isSuccessful()) {
      throw new ApiException(napi.apiName() + " POST /nics", r);
    }
    return r.bodyObject();
  }

  /** NAPI's 422 for an address already held: an {@code errors} element on {@code ip} with code Duplicate. */
  private static boolean ipTaken(ApiResponse r) {
    if (!(r.body() instanceof Map<?, ?> b) || !(b.get("errors") instanceof List<?> errors)) {
      return false;
    }
    return errors.stream().anyMatch(e -> e instanceof Map<?, ?> m && "ip".equals(m.get("field"))
        && "Duplicate".equals(m.get("code")));
  }

  // ---- the mock root ----

  private ServerCounts writeServers(Plan p) throws IOException {
    Map<String, List<Map<String, Object>>> vmsByServer = new HashMap<>();
    int orphans = 0;
    for (Map<String, Object> vm : archive.section("vms")) {
      if (vm.get("server_uuid") instanceof String s) {
        vmsByServer.computeIfAbsent(s, k -> new ArrayList<>()).add(vm);
      } else {
        orphans++;
      }
    }
    int created = 0;
    int kept = 0;
    int vmsWritten = 0;
    int vmsKept = 0;
    Path staging = root.root().resolve(".staging");
    for (Map<String, Object> server : archive.section("servers")) {
      String source = String.valueOf(server.get("uuid"));
      UUID uuid = UUID.fromString(ids.uuid(source));
      List<Map<String, Object>> vms = vmsByServer.getOrDefault(source, List.of());
      vmsByServer.remove(source);
      ServerDirectory target = root.directoryOf(uuid);
      if (Files.isDirectory(target.dir())) {
        kept++;
        // A CN already there keeps its files; VMs it lacks are added, each file atomically.
        for (Map<String, Object> vm : vms) {
          String vmUuid = ids.uuid(String.valueOf(vm.get("uuid")));
          if (p.rootVms.containsKey(vmUuid)) {
            vmsKept++;
          } else {
            Files.createDirectories(target.vmsDir());
            AtomicFiles.write(target.vmsDir().resolve(vmUuid + ".json"), Json.prettyBytes(vmFile(p, vm), 2));
            vmsWritten++;
          }
        }
        continue;
      }
      ServerDirectory staged = new ServerDirectory(uuid, staging.resolve(uuid.toString()));
      FileTrees.deleteTree(staged.dir());
      Files.createDirectories(staged.vmsDir());
      StandardAgents.install(staged.agentsDir());
      installExportedAgents(staged, server);
      staged.writeSysinfo(sysinfo(p, server, uuid), 4);
      if (server.get("traits") instanceof Map<?, ?> traits && !traits.isEmpty()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) traits;
        staged.writeTraits(t);
      }
      for (Map<String, Object> vm : vms) {
        String vmUuid = ids.uuid(String.valueOf(vm.get("uuid")));
        AtomicFiles.write(staged.vmsDir().resolve(vmUuid + ".json"), Json.prettyBytes(vmFile(p, vm), 2), false);
        vmsWritten++;
      }
      Files.createDirectories(root.serversDir());
      Files.move(staged.dir(), target.dir(), StandardCopyOption.ATOMIC_MOVE);
      created++;
      if (cnapi != null) {
        applyCnapiSettings(server, uuid, Json.parseObject(Files.readAllBytes(target.sysinfoFile())));
      }
      if (created % 500 == 0) {
        progress.accept("mock CNs written: " + created);
      }
    }
    for (List<Map<String, Object>> left : vmsByServer.values()) {
      orphans += left.size();
    }
    progress.accept("mock CNs written: " + created + ", already there: " + kept + "; VMs written: " + vmsWritten);
    return new ServerCounts(created, kept, vmsWritten, vmsKept, orphans);
  }

  /**
   * The agents the exported server had, at their versions, images and instance uuids (over the
   * standard ones of the same name), so CNAPI's agents list and SAPI's instances match the source.
   * Only the six mockcloud mocks run; the others are files CNAPI is told about.
   */
  private void installExportedAgents(ServerDirectory staged, Map<String, Object> server) throws IOException {
    if (!(server.get("agents") instanceof List<?> agents)) {
      return;
    }
    for (Object o : agents) {
      if (!(o instanceof Map<?, ?> a) || !(a.get("name") instanceof String name) || !name.matches("[a-z0-9_-]+")) {
        continue;
      }
      Path dir = staged.agentsDir().resolve(name);
      Files.createDirectories(dir);
      Map<String, Object> pkg = new LinkedHashMap<>();
      pkg.put("name", name);
      pkg.put("description", "Triton " + name + " (mirrored by mockcloud)");
      pkg.put("version", a.get("version") != null ? a.get("version") : "0.0.0");
      AtomicFiles.write(dir.resolve("package.json"), Json.prettyBytes(pkg, 2), false);
      if (a.get("image_uuid") instanceof String image) {
        AtomicFiles.write(dir.resolve("image_uuid"), (image + "\n").getBytes(StandardCharsets.UTF_8), false);
      }
      if (a.get("uuid") instanceof String instance) {
        AtomicFiles.write(dir.resolve("instance_uuid"), (ids.uuid(instance) + "\n").getBytes(StandardCharsets.UTF_8),
            false);
      }
    }
  }

  /**
   * The exported sysinfo as a mock CN's: its uuid, {@code System Type: Virtual}, the target
   * datacenter, each NIC's address as the target NAPI gave it, no agent address (run-servers
   * adds its own).
   */
  private Map<String, Object> sysinfo(Plan p, Map<String, Object> server, UUID uuid) {
    @SuppressWarnings("unchecked")
    Map<String, Object> s = server.get("sysinfo") instanceof Map<?, ?> m
        ? Json.deepCopy((Map<String, Object>) m) : new LinkedHashMap<>();
    s.put("UUID", uuid.toString());
    s.put("System Type", "Virtual");
    s.remove("CN Agent IP");
    s.remove("CN Agent Port");
    if (options.datacenter() != null) {
      s.put("Datacenter Name", options.datacenter());
    }
    for (String group : List.of("Network Interfaces", "Virtual Network Interfaces")) {
      if (!(s.get(group) instanceof Map<?, ?> nics)) {
        continue;
      }
      for (Object o : nics.values()) {
        if (!(o instanceof Map<?, ?> raw)) {
          continue;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> nic = (Map<String, Object>) raw;
        String mac = nic.get("MAC Address") instanceof String m2 ? m2 : null;
        if (mac == null) {
          continue;
        }
        nic.put("MAC Address", ids.mac(mac));
        Map<String, Object> placed = p.placedNics.get(mac);
        if (placed != null && placed.get("ip") instanceof String ip && nic.containsKey("ip4addr")) {
          nic.put("ip4addr", ip);
        }
        boolean admin = nic.get("NIC Names") instanceof List<?> names && names.contains("admin");
        if (admin && placed != null && placed.get("ip") instanceof String ip) {
          s.put("Admin IP", ip);
        }
      }
    }
    return s;
  }

  /** The MAC of the sysinfo NIC named admin, or null when the sysinfo names none. */
  @SuppressWarnings("unchecked")
  private static String adminMac(Map<String, Object> server) {
    Map<String, Object> nic = server.get("sysinfo") instanceof Map<?, ?> s
        ? Sysinfo.adminNic((Map<String, Object>) s) : null;
    return nic != null && nic.get("MAC Address") instanceof String mac ? mac : null;
  }

  /** A VMAPI VM as the VM file a mock CN keeps: derived keys dropped, NICs as the target NAPI holds them. */
  private Map<String, Object> vmFile(Plan p, Map<String, Object> vm) {
    Map<String, Object> f = Json.deepCopy(vm);
    DERIVED_VM_KEYS.forEach(f::remove);
    f.put("uuid", ids.uuid(String.valueOf(vm.get("uuid"))));
    if (!f.containsKey("max_physical_memory") && f.get("ram") != null) {
      f.put("max_physical_memory", f.get("ram"));
    }
    if (f.get("nics") instanceof List<?> nics) {
      for (Object o : nics) {
        if (!(o instanceof Map<?, ?> raw)) {
          continue;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> nic = (Map<String, Object>) raw;
        String mac = String.valueOf(nic.get("mac"));
        nic.put("mac", ids.mac(mac));
        Map<String, Object> placed = p.placedNics.get(mac);
        NetworkMapping m = nic.get("network_uuid") instanceof String net ? p.networks.get(net) : null;
        if (placed != null && placed.get("ip") != null) {
          for (String k : List.of("ip", "netmask", "gateway", "network_uuid", "vlan_id", "nic_tag", "mtu")) {
            if (placed.get(k) != null) {
              nic.put(k, placed.get(k));
            }
          }
        } else if (m != null) {
          String ip = m.translate((String) nic.get("ip"), p.sourceSubnets.get(m.sourceUuid()));
          if (ip != null) {
            nic.put("ip", ip);
          }
          nic.put("network_uuid", m.targetUuid());
        }
      }
    }
    return f;
  }

  private void applyCnapiSettings(Map<String, Object> server, UUID uuid, Map<String, Object> sysinfo)
      throws IOException {
    Map<String, Object> update = new LinkedHashMap<>();
    for (String k : List.of("reserved", "reservation_ratio", "traits", "comments", "rack_identifier",
        "overprovision_ratios")) {
      if (server.get(k) != null) {
        update.put(k, server.get(k));
      }
    }
    // The record must exist before ServerUpdate: register the sysinfo as the CN's cn-agent will.
    ApiResponse r = cnapi.send("GET", "/servers/" + uuid, null);
    if (r.status() == 404) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("sysinfo", sysinfo);
      require(cnapi, "POST", "/servers/" + uuid + "/sysinfo", body);
    } else if (!r.isSuccessful()) {
      throw new ApiException(cnapi.apiName() + " GET /servers/" + uuid, r);
    }
    if (!update.isEmpty()) {
      require(cnapi, "POST", "/servers/" + uuid, update);
    }
  }

  private static ApiResponse require(JsonHttpClient api, String method, String path, Object body) throws IOException {
    ApiResponse r = api.send(method, path, body);
    if (!r.isSuccessful()) {
      throw new ApiException(api.apiName() + " " + method + " " + path, r);
    }
    return r;
  }

  private static void await(Future<?> f) throws IOException {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("import interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(c);
    }
  }
}
