package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.fleet.Daemon;
import com.joyent.mockcloud.fleet.DaemonOptions;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.triton.UserAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What CNAPI and DAPI see of a CN's status reports (issue 14 §1), through the sandbox CNAPI's
 * {@code GET /servers/:uuid}: a small and a large-storage CN, empty and then filled through
 * CNAPI with one VM as large as CNAPI says the CN has room for; and a VM's memory and quota
 * taking exactly their size off {@code unreserved_ram} and {@code unreserved_disk}.
 */
class StatusFiguresEndToEndTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;
  private static final String IMAGE = "2b683a82-a066-11e3-97ab-2faa44701c5a";
  @TempDir Path tmp;
  private Sandbox sandbox;
  private Daemon daemon;
  private final Map<HardwareProfile, UUID> servers = new EnumMap<>(HardwareProfile.class);

  @BeforeEach
  void setUp() throws Exception {
    sandbox = Sandbox.start(SandboxOptions.defaults());
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, tmp.toString());
    flags.put(Setting.DATACENTER, sandbox.datacenter());
    flags.put(Setting.ADMIN_UUID, sandbox.adminUuid());
    flags.put(Setting.NAPI_URL, sandbox.napiUrl());
    flags.put(Setting.CNAPI_URL, sandbox.cnapiUrl());
    flags.put(Setting.VMAPI_URL, sandbox.vmapiUrl());
    Settings settings = new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
    ServerCreator creator = new ServerCreator(new ServerRoot(tmp), TritonApis.standalone(settings).napi(UserAgent.tool("test")),
        sandbox.datacenter(), UUID.fromString(sandbox.adminUuid()), "20190718T003512Z", Clock.systemUTC(), new Random());
    for (HardwareProfile p : List.of(HardwareProfile.SMALL, HardwareProfile.LARGE_STORAGE)) {
      servers.put(p, creator.create(ServerCreator.Request.random(p)).uuid());
    }
    daemon = new Daemon(settings, DaemonOptions.ephemeral(CnAgentOptions.defaults().withTmpDir(tmp.resolve("tmp"))))
        .start();
  }

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.close();
    }
    sandbox.close();
  }

  @Test
  void emptyCnsLookEmpty_andACnFilledThroughCnapiLooksFull_forTwoProfiles() throws Exception {
    for (HardwareProfile profile : servers.keySet()) {
      UUID cn = servers.get(profile);
      Map<String, Object> sysinfo = sysinfo(cn);
      long memory = Long.parseLong((String) sysinfo.get("MiB of Memory")) * MIB;
      long pool = ((Number) sysinfo.get("Zpool Size in GiB")).longValue() * GIB;

      Map<String, Object> empty = serverWhen(cn, s -> s.get("memory_total_bytes") != null);
      assertThat(num(empty, "memory_total_bytes")).as(profile.id()).isEqualTo(memory);
      assertThat(num(empty, "disk_pool_size_bytes")).as(profile.id()).isEqualTo(pool);
      assertThat(num(empty, "memory_available_bytes")).as(profile.id()).isGreaterThan(memory * 8 / 10);
      assertThat(num(empty, "memory_arc_bytes")).as(profile.id()).isPositive();
      assertThat(num(empty, "unreserved_ram")).as(profile.id())
          .isEqualTo((long) Math.floor(memory / (double) MIB * 0.85));
      assertThat(num(empty, "unreserved_cpu")).as(profile.id()).isEqualTo(profile.totalCores() * 100L);
      assertThat(num(empty, "unreserved_disk") * MIB).as(profile.id()).isGreaterThan(pool * 8 / 10);

      // One VM taking what CNAPI says is left: its RAM, its CPU (cpu_cap counts a quarter) and,
      // less the 1 GiB its image takes, its disk.
      long ram = num(empty, "unreserved_ram");
      long quotaGib = num(empty, "unreserved_disk") / 1024 - 1;
      provision(cn, ram, quotaGib, num(empty, "unreserved_cpu") * 4);
      Map<String, Object> full = serverWhen(cn, s -> num(s, "disk_zone_quota_bytes") == quotaGib * GIB
          && num(s, "unreserved_ram") == 0);
      assertThat(num(full, "unreserved_cpu")).as(profile.id()).isZero();
      assertThat(num(full, "unreserved_disk")).as(profile.id()).isBetween(0L, 1023L);
      assertThat(num(full, "disk_installed_images_used_bytes")).as(profile.id()).isEqualTo(GIB);
      assertThat(num(full, "memory_available_bytes")).as(profile.id()).isLessThan(memory * 15 / 100);
      assertThat(num(full, "memory_total_bytes")).as(profile.id()).isEqualTo(memory);
      assertThat(num(full, "disk_pool_alloc_bytes")).as(profile.id()).isLessThan(pool);
    }
  }

  @Test
  void aVmsMemoryAndQuota_comeOffUnreservedRamAndDisk() throws Exception {
    UUID cn = servers.get(HardwareProfile.SMALL);
    serverWhen(cn, s -> true); // registered and reporting: CNAPI knows the CN before a VM is asked of it
    provision(cn, 1024, 10, 100);
    Map<String, Object> before = serverWhen(cn, s -> num(s, "disk_zone_quota_bytes") == 10 * GIB
        && num(s, "unreserved_ram") < (long) Math.floor(65447 * 0.85));
    provision(cn, 2048, 25, 200); // the same image: nothing more installed
    Map<String, Object> after = serverWhen(cn, s -> num(s, "disk_zone_quota_bytes") == 35 * GIB
        && num(s, "unreserved_ram") < num(before, "unreserved_ram"));
    assertThat(num(before, "unreserved_ram") - num(after, "unreserved_ram")).isEqualTo(2048);
    assertThat(num(before, "unreserved_disk") - num(after, "unreserved_disk")).isBetween(25L * 1024, 25L * 1024 + 1);
    assertThat(num(before, "unreserved_cpu") - num(after, "unreserved_cpu")).isEqualTo(50);
    assertThat(num(after, "memory_available_bytes")).isLessThan(num(before, "memory_available_bytes"));
  }

  private void provision(UUID cn, long ramMib, long quotaGib, long cpuCap) throws Exception {
    Map<String, Object> create = new LinkedHashMap<>();
    create.put("uuid", UUID.randomUUID().toString());
    create.put("brand", "joyent-minimal");
    create.put("owner_uuid", sandbox.adminUuid());
    create.put("ram", ramMib);
    create.put("quota", quotaGib);
    create.put("cpu_cap", cpuCap);
    create.put("image_uuid", IMAGE);
    create.put("nics", List.of());
    @SuppressWarnings("unchecked")
    Map<String, Object> accepted = (Map<String, Object>) http("POST", sandbox.cnapiUrl() + "/servers/" + cn + "/vms",
        create);
    @SuppressWarnings("unchecked")
    Map<String, Object> task = (Map<String, Object>) http("GET",
        sandbox.cnapiUrl() + "/tasks/" + accepted.get("id") + "/wait?timeout=30", null);
    assertThat(task).containsEntry("status", "complete");
  }

  private Map<String, Object> sysinfo(UUID cn) throws Exception {
    return Json.parseObject(Files.readAllBytes(tmp.resolve("servers").resolve(cn.toString()).resolve("sysinfo.json")));
  }

  /** {@code GET /servers/:uuid} once it satisfies {@code when} (status reports and VMAPI catch up). */
  @SuppressWarnings("unchecked")
  private Map<String, Object> serverWhen(UUID cn, Predicate<Map<String, Object>> when) throws Exception {
    AtomicReference<Map<String, Object>> last = new AtomicReference<>();
    boolean got = Await.until(Duration.ofSeconds(30), () -> {
      if (sandbox.cnapi().server(cn.toString()) == null) {
        return false;
      }
      try {
        last.set((Map<String, Object>) http("GET", sandbox.cnapiUrl() + "/servers/" + cn, null));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return last.get().get("memory_total_bytes") != null && when.test(last.get());
    });
    if (!got) {
      throw new AssertionError("server " + cn + " never got there; last seen: " + last.get());
    }
    return last.get();
  }

  private static long num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).longValue();
  }

  private static Object http(String method, String url, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (body != null) {
      b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Json.compact(body)));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(method + " " + url + ": " + new String(r.body())).isLessThan(300);
    return r.body().length == 0 ? null : Json.parse(r.body());
  }
}
