package com.joyent.mockcloud.netagent;

import static com.joyent.mockcloud.netagent.NetAgentHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Link aggregations of the CN (spec §2.10 AggrFSM, calls N6–N8). */
class AggregationTest {
  @TempDir Path tmp;
  private NetAgentHarness h;

  @BeforeEach
  void setUp() {
    h = new NetAgentHarness(tmp);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void aggregationInSysinfo_isCreated_andDeletedWhenItLeavesSysinfo() throws Exception {
    String m0 = FakeNapi.newMac();
    String m1 = FakeNapi.newMac();
    ServerDirectory d = h.newServer(m0, "10.199.0.45", m1);
    Map<String, Object> s = d.readSysinfo();
    Map<String, Object> nics = (Map<String, Object>) s.get("Network Interfaces");
    nics.put("aggr0", NetAgentHarness.nic("", List.of("external"), m0));
    Map<String, Object> aggr = new LinkedHashMap<>();
    aggr.put("LACP mode", "off");
    aggr.put("Interfaces", List.of("dnet0", "dnet1"));
    s.put("Link Aggregations", Map.of("aggr0", aggr));
    d.writeSysinfo(s, 2);
    String id = d.uuid() + "-aggr0";

    NetAgent agent = h.start(d);
    await(() -> h.napi.aggregations.containsKey(id), "aggregation created");
    assertThat(Json.compact(h.napi.requests("POST", "/aggregations").get(0).body())).isEqualTo("{\"id\":\"" + id
        + "\",\"name\":\"aggr0\",\"belongs_to_uuid\":\"" + d.uuid() + "\",\"lacp_mode\":\"off\","
        + "\"nic_tags_provided\":[\"external\"],\"macs\":[\"" + m0 + "\",\"" + m1 + "\"]}");
    assertThat(h.napi.requests("GET", "/aggregations/" + id)).isNotEmpty(); // + the bootstrap re-read

    s.put("Link Aggregations", Map.of());
    nics.remove("aggr0");
    d.writeSysinfo(s, 2);
    agent.refreshServer();
    await(() -> !h.napi.aggregations.containsKey(id), "aggregation deleted");
    assertThat(h.napi.requests("DELETE", "/aggregations/" + id).get(0).header("if-match")).isNotNull();
  }
}
