package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.TestClock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replays what CN A sent the real CNAPI in {@code golden/traces/lifecycle-3cn} (sysinfo,
 * agents, status) and compares the sandbox's renderings with the real replies recorded there.
 */
class CnapiGoldenTest {
  private static final String A = "23a9fa13-310d-4636-b0c3-3d5e6a4fc516";
  private static final String SYSINFO = """
      {"sysinfo":{"System Type":"Virtual","SDC Version":"7.0","Manufacturer":"Joyent","Product":"Joyen\
      t-Virtual-CN-0001","SKU Number":"90210 rev 42","HW Version":"1.0","HW Family":"JXX-0001","Setup"\
      :"true","VM Capable":true,"Bhyve Capable":true,"Bhyve Max Vcpus":32,"CPU Type":"Intel(R) Xeon(R)\
       CPU E5-2670 0 @ 2.60GHz","CPU Virtualization":"vmx","CPU Physical Cores":2,"CPU Total Cores":32\
      ,"MiB of Memory":"262111","Zpool":"zones","Zpool Disks":"c0t5000A96432d0,c1t5000B06F6Ed0,c2t5000\
      28BEF7d0,c3t5000E302B4d0,c4t5000AC6478d0,c5t5000F7CFA1d0,c6t500026545Ed0,c7t5000967215d0,c8t5000\
      22FD7Fd0,c9t5000A8714Dd0,c10t5000937FD0d0,c11t5000CD2F31d0,c12t500026B66Ed0,c13t50009600E2d0,c14\
      t500001F47Ed0,c15t500048E514d0","Zpool Profile":"mirror","Disks":{"c0t5000A96432d0":{"Size in GB\
      ":600},"c1t5000B06F6Ed0":{"Size in GB":600},"c2t500028BEF7d0":{"Size in GB":600},"c3t5000E302B4d\
      0":{"Size in GB":600},"c4t5000AC6478d0":{"Size in GB":600},"c5t5000F7CFA1d0":{"Size in GB":600},\
      "c6t500026545Ed0":{"Size in GB":600},"c7t5000967215d0":{"Size in GB":600},"c8t500022FD7Fd0":{"Si\
      ze in GB":600},"c9t5000A8714Dd0":{"Size in GB":600},"c10t5000937FD0d0":{"Size in GB":600},"c11t5\
      000CD2F31d0":{"Size in GB":600},"c12t500026B66Ed0":{"Size in GB":600},"c13t50009600E2d0":{"Size \
      in GB":600},"c14t500001F47Ed0":{"Size in GB":600},"c15t500048E514d0":{"Size in GB":600}},"Boot P\
      arameters":{"console":"ttyb","boot_args":"","bootargs":""},"SDC Agents":[],"Network Interfaces":\
      {"dnet0":{"ip4addr":"10.199.0.12","Link Status":"up","NIC Names":["admin"],"MAC Address":"00:10:\
      fe:c3:dd:72"},"dnet1":{"ip4addr":"","Link Status":"up","NIC Names":[],"MAC Address":"00:10:fe:5e\
      :ca:16"}},"Virtual Network Interfaces":{},"Link Aggregations":{},"Datacenter Name":"harness","UU\
      ID":"23a9fa13-310d-4636-b0c3-3d5e6a4fc516","Admin IP":"10.199.0.12","Zpool Size in GiB":3770,"Li\
      ve Image":"20210101T000000Z","Boot Time":"1795598014","Hostname":"VC23A9FA13","Serial Number":"2\
      3A9FA13","Zpool Creation":1795598014,"CN Agent Port":18300,"CN Agent IP":"127.0.0.1"}}""";
  private static final String STATUS = """
      {"vms":{},"zpoolStatus":{"zones":{"bytes_available":3298534883328,"bytes_used":42}},"meminfo":{"\
      availrmem_bytes":274877906944,"arcsize_bytes":42,"total_bytes":274877906944},"diskinfo":{"kvm_zv\
      ol_used_bytes":0,"kvm_zvol_volsize_bytes":0,"kvm_quota_bytes":0,"kvm_quota_used_bytes":0,"zone_q\
      uota_bytes":0,"zone_quota_used_bytes":0,"cores_quota_bytes":0,"cores_quota_used_bytes":0,"instal\
      led_images_used_bytes":0,"pool_size_bytes":1099511627776,"pool_alloc_bytes":549755813888,"system\
      _used_bytes":268435456},"boot_time":"2026-11-25T09:13:34.000Z","timestamp":"2026-11-25T09:13:36.\
      283Z"}""";
  private static final String AGENTS = """
      {"agents":[{"name":"cmon-agent","image_uuid":"a0000000-0000-4000-8000-00000000c0a4","uuid":"60be\
      4ff7-9cdf-4a0a-8658-136f149311d2","version":"1.17.1"},{"name":"cn-agent","image_uuid":"a0000000-\
      0000-4000-8000-00000000c0a1","uuid":"1a2e2753-bc50-4d96-b119-33fb99240630","version":"2.14.5"},{\
      "name":"net-agent","image_uuid":"a0000000-0000-4000-8000-00000000c0a3","uuid":"a2a93d59-c4b2-427\
      0-9b73-1c2d9f023dd3","version":"2.3.3"},{"name":"vm-agent","image_uuid":"a0000000-0000-4000-8000\
      -00000000c0a2","uuid":"5f902d4f-9b59-47c2-8653-2977fa50f7d9","version":"1.9.0"}]}""";
  /** The real {@code GET /servers} entry for A. */
  private static final String LIST_ENTRY = """
      {"comments":"","datacenter":"testdc","rack_identifier":"","reservation_ratio":0.15,"reserved":fa\
      lse,"reservoir":false,"status":"running","traits":{},"uuid":"23a9fa13-310d-4636-b0c3-3d5e6a4fc51\
      6","boot_params":{},"default_console":"serial","kernel_flags":{},"serial":"ttyb","created":"2026\
      -11-25T09:13:34.000Z","current_platform":"20210101T000000Z","headnode":false,"hostname":"VC23A9F\
      A13","system_type":"Virtual","last_boot":"2026-11-25T09:13:34.000Z","ram":262111,"setup":true}""";
  /** Keys of the real {@code GET /servers/:uuid} reply, in order. */
  private static final List<String> SINGLE_KEYS = List.of("agents", "comments", "datacenter", "rack_identifier", "reservation_ratio", "reserved", "reservoir", "status", "sysinfo", "traits", "uuid", "vms", "boot_params", "default_console", "kernel_flags", "serial", "created", "current_platform", "headnode", "hostname", "system_type", "last_boot", "ram", "setup", "memory_provisionable_bytes", "memory_available_bytes", "memory_arc_bytes", "memory_total_bytes", "disk_cores_quota_bytes", "disk_cores_quota_used_bytes", "disk_installed_images_used_bytes", "disk_kvm_quota_bytes", "disk_kvm_quota_used_bytes", "disk_kvm_zvol_used_bytes", "disk_kvm_zvol_volsize_bytes", "disk_pool_alloc_bytes", "disk_pool_size_bytes", "disk_system_used_bytes", "disk_zone_quota_bytes", "disk_zone_quota_used_bytes", "last_heartbeat", "score", "overprovision_ratios", "unreserved_cpu", "unreserved_ram", "unreserved_disk");
  /** Values of the real {@code GET /servers/:uuid} reply that do not depend on time. */
  private static final String SINGLE_VALUES = """
      {"memory_provisionable_bytes":233616808345,"unreserved_cpu":3200,"unreserved_ram":222822,"unrese\
      rved_disk":461373,"score":0,"overprovision_ratios":{"cpu":4,"ram":1,"disk":1}}""";

  private Sandbox sandbox;

  @BeforeEach
  void start() {
    sandbox = Sandbox.start(SandboxOptions.defaults().withDatacenter("testdc").withClock(TestClock.frozen()));
    String cnapi = sandbox.cnapiUrl();
    assertThat(TestHttp.post(cnapi + "/servers/" + A + "/sysinfo", Json.parseObject(SYSINFO)).status()).isEqualTo(200);
    assertThat(TestHttp.post(cnapi + "/servers/" + A, Json.parseObject(AGENTS)).status()).isEqualTo(204);
    assertThat(TestHttp.post(cnapi + "/servers/" + A + "/events/heartbeat", Map.of()).status()).isEqualTo(204);
    assertThat(TestHttp.post(cnapi + "/servers/" + A + "/events/status", Json.parseObject(STATUS)).status())
        .isEqualTo(204);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void listServers_matchesRealCnapiByteForByte() {
    String body = TestHttp.get(sandbox.cnapiUrl() + "/servers").body();
    assertThat(body).isEqualTo("[" + LIST_ENTRY + "]");
  }

  @Test
  void getServer_hasRealKeyOrderAndValues() {
    Map<String, Object> one = TestHttp.get(sandbox.cnapiUrl() + "/servers/" + A).object();
    assertThat(List.copyOf(one.keySet())).isEqualTo(SINGLE_KEYS);
    assertThat(one).containsAllEntriesOf(Json.parseObject(SINGLE_VALUES));
    assertThat(one.get("sysinfo")).isEqualTo(Json.parseObject(SYSINFO).get("sysinfo"));
    assertThat(one.get("agents")).isEqualTo(Json.parseObject(AGENTS).get("agents"));
  }
}
