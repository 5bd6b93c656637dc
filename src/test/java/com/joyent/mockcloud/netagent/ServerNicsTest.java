package com.joyent.mockcloud.netagent;

import static com.joyent.mockcloud.netagent.NetAgentHarness.await;
import static com.joyent.mockcloud.netagent.NetAgentHarness.awaitSettled;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.NapiApi;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CN's own NICs (spec §2.10, §2.11 A/B; conformance 12–14, 40). */
class ServerNicsTest {
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

  private ServerDirectory createServer() throws Exception {
    NapiApi napi = new NapiApi(JsonHttpClient.to(h.threads.httpClient(), URI.create(h.napi.url()), "NAPI")
        .userAgent("mockcloud/test create-server").build(), null);
    return new ServerCreator(new ServerRoot(tmp), napi, "coal", NetAgentHarness.ADMIN, "20190718T003512Z",
        Clock.systemUTC(), new Random()).create(ServerCreator.Request.random(HardwareProfile.values()[0]));
  }

  @SuppressWarnings("unchecked")
  private static String mac(ServerDirectory d, String nic) throws Exception {
    return (String) ((Map<String, Object>) ((Map<String, Object>) d.readSysinfo().get("Network Interfaces")).get(nic))
        .get("MAC Address");
  }

  @Test
  void createServerAdminNic_isClaimedAsServerNic() throws Exception {
    ServerDirectory d = createServer();
    String cn = d.uuid().toString();
    String dnet0 = mac(d, "dnet0");
    assertThat(h.napi.nics.get(dnet0)).containsEntry("belongs_to_type", "other");
    h.napi.clearReceived();

    NetAgent agent = h.start(d);
    await(() -> "server".equals(h.napi.nics.get(dnet0).get("belongs_to_type")), "the admin NIC claimed");

    List<FakeNapi.Received> puts = h.napi.requests("PUT", "/nics/" + dnet0.replace(":", ""));
    assertThat(puts).hasSize(1);
    assertThat(Json.compact(puts.get(0).body())).isEqualTo(
        "{\"belongs_to_type\":\"server\",\"belongs_to_uuid\":\"" + cn + "\",\"state\":\"running\",\"check_owner\":false}");
    assertThat(h.napi.nics.get(dnet0)).containsEntry("belongs_to_uuid", cn)
        .containsEntry("owner_uuid", NetAgentHarness.ADMIN.toString()).containsEntry("state", "running");
    awaitSettled(agent);
    assertThat(h.napi.requests("POST", "/nics")).extracting(r -> r.body().get("mac")).containsExactly(mac(d, "dnet1"));
  }

  @Test
  void freshServer_unknownSpareNic_isCreatedWithExactBody() throws Exception {
    ServerDirectory d = createServer();
    String cn = d.uuid().toString();
    String dnet1 = mac(d, "dnet1");
    NetAgent agent = h.start(d);
    await(() -> h.napi.nics.containsKey(dnet1), "dnet1 created");
    awaitSettled(agent);
    List<FakeNapi.Received> posts = h.napi.requests("POST", "/nics");
    assertThat(posts).hasSize(1);
    assertThat(Json.compact(posts.get(0).body())).isEqualTo("{\"check_owner\":false,\"belongs_to_uuid\":\"" + cn
        + "\",\"belongs_to_type\":\"server\",\"owner_uuid\":\"" + NetAgentHarness.ADMIN
        + "\",\"state\":\"running\",\"nic_tags_provided\":[],\"mac\":\"" + dnet1 + "\"}");
    assertThat(h.napi.requests("GET", "/nics/" + dnet1.replace(":", ""))).isNotEmpty();
    assertThat(posts.get(0).header("user-agent")).matches("net-agent/2\\.3\\.3 \\(java/\\S+\\) server/" + cn);
  }

  @Test
  void restart_napiInStep_onlyGets() throws Exception {
    ServerDirectory d = createServer();
    NetAgent first = h.start(d);
    awaitSettled(first);
    await(() -> first.stats().changefeedConnected(), "changefeed");
    first.stop();
    h.napi.clearReceived();

    NetAgent second = h.start(d);
    awaitSettled(second);
    await(() -> second.stats().changefeedConnected(), "changefeed");
    h.awaitQuiet(); // bootstrap refreshes and the first network fetch have come and gone
    assertThat(h.napi.writes()).isEmpty();
    assertThat(h.napi.received(r -> r.path().startsWith("/networks/"))).isNotEmpty();
    // GETs only: every CN NIC, the admin network, the changefeed probe, one list of the CN's NICs.
    assertThat(h.napi.received(r -> !r.method().equals("GET"))).isEmpty();
  }

  @Test
  void spareNicRemovedWhileRunning_isDeletedAfterSysinfoReload() throws Exception {
    ServerDirectory d = createServer();
    String dnet1 = mac(d, "dnet1");
    NetAgent agent = h.start(d);
    awaitSettled(agent);
    Map<String, Object> s = d.readSysinfo();
    ((Map<?, ?>) s.get("Network Interfaces")).remove("dnet1");
    d.writeSysinfo(s, 2);
    agent.refreshServer(); // what a CN NIC's routes/resolvers change in NAPI triggers
    await(() -> !h.napi.nics.containsKey(dnet1), "dnet1 deleted");
    assertThat(h.napi.requests("DELETE", "/nics/" + dnet1.replace(":", ""))).hasSize(1);
  }

  @Test
  void spareNicRemovedFromSysinfo_isDeletedWithIfMatch() throws Exception {
    ServerDirectory d = createServer();
    String dnet1 = mac(d, "dnet1");
    NetAgent first = h.start(d);
    awaitSettled(first);
    first.stop();
    String etag = h.napi.etags.get(dnet1);
    Map<String, Object> s = d.readSysinfo();
    ((Map<?, ?>) s.get("Network Interfaces")).remove("dnet1");
    d.writeSysinfo(s, 2);

    h.start(d);
    await(() -> !h.napi.nics.containsKey(dnet1), "dnet1 deleted");
    List<FakeNapi.Received> deletes = h.napi.requests("DELETE", "/nics/" + dnet1.replace(":", ""));
    assertThat(deletes).hasSize(1);
    assertThat(deletes.get(0).header("if-match")).isEqualTo(etag);
  }
}
