package com.joyent.mockcloud.cmon;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.fleet.DaemonThreads;
import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.Sysinfo;
import com.joyent.mockcloud.vm.ServerIdentity;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmStore;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cmon-agent cases 44–49 of spec net-agent-cmon-mockcloud.md §8, and the richer metric families. */
class CmonServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path tmp;
  // Starts at the real time: VM files get real mtimes (last_modified), the scrapes a controlled clock.
  private final AtomicLong nowMs = new AtomicLong(System.currentTimeMillis());
  private DaemonThreads threads;
  private VmStore store;
  private HttpListeners listeners;
  private CmonServer cmon;
  private final List<ServerVms> servers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    threads = new DaemonThreads(1, 2);
    store = VmStore.builder().executor(threads.taskPool()).scheduler(threads.scheduler())
        .watchMode(VmStore.WatchMode.OFF).build();
    for (int i = 0; i < 2; i++) {
      UUID u = UUID.randomUUID();
      ServerDirectory d = new ServerDirectory(u, tmp.resolve(u.toString()));
      Files.createDirectories(d.vmsDir());
      d.writeSysinfo(Sysinfo.build(new Sysinfo.Identity(u, "VC" + i, "coal", "10.0.0." + i, "00:10:fe:00:00:0" + i,
          "00:10:fe:00:01:0" + i, "20190718T003512Z", Instant.parse("2026-11-25T09:00:00Z"), HardwareProfile.STANDARD),
          new Random(i)), 4);
      servers.add(store.openServer(u.toString(), d.dir(), ServerIdentity.fromSysinfo(d.readSysinfo())));
    }
    listeners = new HttpListeners("test-cmon", 1);
    Clock clock = new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(nowMs.get());
      }
    };
    cmon = new CmonServer(store, clock).start(listeners, "127.0.0.1", 0);
  }

  @AfterEach
  void tearDown() {
    cmon.close();
    listeners.close();
    store.close();
    threads.close();
  }

  private String createVm(ServerVms on, boolean autoboot) {
    String uuid = UUID.randomUUID().toString();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", uuid);
    p.put("brand", "joyent-minimal");
    p.put("owner_uuid", UUID.randomUUID().toString());
    p.put("autoboot", autoboot);
    p.put("max_physical_memory", 1024);
    p.put("quota", 10);
    p.put("cpu_cap", 200);
    p.put("nics", List.of(Map.of("mac", "90:b8:d0:00:00:01", "ip", "10.1.1.5", "netmask", "255.255.255.0",
        "nic_tag", "admin", "network_uuid", UUID.randomUUID().toString())));
    on.create(p);
    return uuid;
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cmon.port() + path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Parses the body with a Prometheus text-format parser: name → family. */
  private static Map<String, MetricFamily> parse(String body) throws Exception {
    Map<String, MetricFamily> out = new LinkedHashMap<>();
    TextPrometheusMetricDataParser p = new TextPrometheusMetricDataParser(
        new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    MetricFamily f;
    while ((f = p.parse()) != null) {
      assertThat(out).as("one HELP/TYPE block per name").doesNotContainKey(f.getName());
      out.put(f.getName(), f);
    }
    return out;
  }

  private static double value(Map<String, MetricFamily> fams, String name) {
    Metric m = fams.get(name).getMetrics().get(0);
    return m instanceof Gauge g ? g.getValue() : ((Counter) m).getValue();
  }

  @Test
  void vmMetrics_forVmsOnDifferentCns_parseAndCarryTheTimeBlock() throws Exception {
    for (ServerVms s : servers) {
      String vm = createVm(s, true);
      HttpResponse<String> r = get("/v1/" + vm + "/metrics");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).hasValue("text/plain");
      assertThat(r.body()).endsWith("\n");
      Map<String, MetricFamily> fams = parse(r.body());
      assertThat(fams.keySet()).contains("cpu_user_usage", "load_average", "mem_agg_usage", "mem_limit",
          "net_agg_bytes_in", "tcp_active_open_count", "vfs_bytes_read_count", "cpucap_limit_percentage",
          "zfs_used", "zfs_quota", "time_of_day", "zone_misc_metrics_available_boolean");
      assertThat(fams.get("time_of_day").getType()).isEqualTo(MetricType.COUNTER);
      assertThat(value(fams, "time_of_day")).isEqualTo(nowMs.get() / 1000);
      assertThat(value(fams, "time_metrics_available_boolean")).isEqualTo(1);
      assertThat(value(fams, "time_metrics_cached_boolean")).isEqualTo(0);
      assertThat(value(fams, "time_metrics_timer_seconds")).isGreaterThanOrEqualTo(0);
      // Sized from the VM.
      assertThat(value(fams, "mem_limit")).isEqualTo(1024.0 * 1048576);
      assertThat(value(fams, "zfs_quota")).isEqualTo(10.0 * 1073741824);
      assertThat(value(fams, "cpucap_limit_percentage")).isEqualTo(200);
      assertThat(fams.get("net_agg_bytes_in").getMetrics().get(0).getLabels())
          .containsEntry("interface", "vnic0").containsEntry("nic_tag", "admin");
    }
  }

  @Test
  void counters_growWhileRunning_standStillWhileStopped() throws Exception {
    ServerVms s = servers.get(0);
    String vm = createVm(s, true);
    double c0 = value(parse(get("/v1/" + vm + "/metrics").body()), "cpu_user_usage");
    nowMs.addAndGet(60_000);
    Map<String, MetricFamily> running = parse(get("/v1/" + vm + "/metrics").body());
    double c1 = value(running, "cpu_user_usage");
    assertThat(c1).isGreaterThan(c0);
    assertThat(value(running, "mem_agg_usage")).isPositive();

    s.stop(vm);
    nowMs.addAndGet(120_000);
    Map<String, MetricFamily> stopped = parse(get("/v1/" + vm + "/metrics").body());
    double c2 = value(stopped, "cpu_user_usage");
    nowMs.addAndGet(120_000);
    double c3 = value(parse(get("/v1/" + vm + "/metrics").body()), "cpu_user_usage");
    assertThat(c2).isGreaterThanOrEqualTo(c1);
    assertThat(c3).isEqualTo(c2);
    assertThat(value(stopped, "mem_agg_usage")).isZero();
    assertThat(value(stopped, "load_average")).isZero();

    s.start(vm);
    nowMs.addAndGet(60_000);
    double c4 = value(parse(get("/v1/" + vm + "/metrics").body()), "cpu_user_usage");
    assertThat(c4).isGreaterThan(c3);
  }

  @Test
  void unknownOrDeletedVm_is404ContainerNotFound() throws Exception {
    HttpResponse<String> r = get("/v1/" + UUID.randomUUID() + "/metrics");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("container not found");
    String vm = createVm(servers.get(1), true);
    assertThat(get("/v1/" + vm + "/metrics").statusCode()).isEqualTo(200);
    servers.get(1).delete(vm);
    assertThat(get("/v1/" + vm + "/metrics").statusCode()).isEqualTo(404);
    assertThat(get("/v1/not-a-uuid/metrics").statusCode()).isEqualTo(404);
  }

  @Test
  void cmonOptsHeader_validIsAcceptedInvalidIs400() throws Exception {
    String vm = createVm(servers.get(0), true);
    String ok = Base64.getEncoder().encodeToString("{\"isCoreZone\":false}".getBytes(StandardCharsets.UTF_8));
    assertThat(get("/v1/" + vm + "/metrics", "x-joyent-cmon-opts", ok).statusCode()).isEqualTo(200);
    assertThat(get("/v1/" + vm + "/metrics", "x-joyent-cmon-opts", "!!!").statusCode()).isEqualTo(400);
  }

  @Test
  void refresh_is200WithNoBody() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cmon.port()
        + "/v1/refresh")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void gz_namedCn_givesItsGlobalZoneMetrics_unnamedGivesTheTimeBlock() throws Exception {
    ServerVms s = servers.get(0);
    createVm(s, true);
    HttpResponse<String> r = get("/v1/gz/metrics", "x-server-uuid", s.serverUuid());
    assertThat(r.statusCode()).isEqualTo(200);
    Map<String, MetricFamily> fams = parse(r.body());
    assertThat(fams.get("cpu_idle_seconds_total").getMetrics()).hasSize(32); // CPU Total Cores
    assertThat(fams.get("zpool_size_bytes").getMetrics().get(0).getLabels()).containsEntry("pool", "zones");
    assertThat(value(fams, "zpool_size_bytes")).isEqualTo(3770.0 * 1073741824);
    assertThat(parse(get("/v1/gz/metrics?server_uuid=" + s.serverUuid()).body())).containsKey("arcstats_size");

    Map<String, MetricFamily> unnamed = parse(get("/v1/gz/metrics").body());
    assertThat(unnamed.keySet()).containsExactly("time_metrics_available_boolean", "time_metrics_cached_boolean",
        "time_metrics_timer_seconds", "time_of_day");
    assertThat(get("/v1/gz/metrics", "x-server-uuid", UUID.randomUUID().toString()).statusCode()).isEqualTo(404);
  }
}
