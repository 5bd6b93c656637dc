package com.joyent.mockcloud.netagent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.joyent.mockcloud.netagent.NetAgentHarness.await;
import static com.joyent.mockcloud.netagent.NetAgentHarness.createVm;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNic;
import static com.joyent.mockcloud.netagent.NetAgentHarness.vmNicOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.vm.ServerVms;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transport faults and non-NIC 200s injected with WireMock: retried, never taken as a record. */
class FaultyNapiTest {
  @TempDir Path tmp;
  private NetAgentHarness h;
  private WireMockServer wm;

  @BeforeEach
  void setUp() {
    h = new NetAgentHarness(tmp);
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
  }

  @AfterEach
  void tearDown() {
    wm.stop();
    h.close();
  }

  @Test
  void resetThenHtml200ThenRecord_vmKeepsItsNic_andGetsNapiFields() throws Exception {
    ServerDirectory d = h.newServer(FakeNapi.newMac(), "10.199.0.46", FakeNapi.newMac());
    ServerVms vms = h.vmsOf(d);
    String mac = FakeNapi.newMac();
    String vm = createVm(vms, "running", List.of(vmNic(mac, "10.88.88.95", true)));
    Map<String, Object> rec = h.napiNicFor(mac, "10.88.88.95", vm, "running");
    rec.put("cn_uuid", d.uuid().toString());
    rec.put("gateway", "10.88.88.1");
    rec.put("mtu", 1500);
    rec.put("netmask", "255.255.255.0");
    rec.put("resolvers", List.of("8.8.8.8"));
    String path = "/nics/" + mac.replace(":", "");
    wm.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(404)
        .withHeader("content-type", "application/json").withBody("{\"code\":\"ResourceNotFound\",\"message\":\"nope\"}")));
    wm.stubFor(get(urlPathEqualTo("/nics")).willReturn(aResponse().withStatus(200).withBody("[]")));
    wm.stubFor(get(urlEqualTo(path)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("html"));
    wm.stubFor(get(urlEqualTo(path)).inScenario("flaky").whenScenarioStateIs("html")
        .willReturn(aResponse().withStatus(200).withHeader("content-type", "text/html").withBody("<html>proxy</html>"))
        .willSetStateTo("ok"));
    wm.stubFor(get(urlEqualTo(path)).inScenario("flaky").whenScenarioStateIs("ok")
        .willReturn(aResponse().withStatus(200).withHeader("content-type", "application/json").withHeader("etag", "E1")
            .withBody(Json.compact(rec))));

    Settings s = new Settings(tmp, "coal", "example.com", NetAgentHarness.ADMIN, "127.0.0.1", null, null,
        URI.create(wm.baseUrl()), null, null);
    NetAgent agent = new NetAgent(d, vms, s, h.threads.netAgentLoop(), h.threads.taskPool(),
        h.threads.tritonApis(s, NetAgentOptions.fast().maxConcurrentRequests())
            .napi(NetAgentOptions.fast().userAgent(d.uuid().toString()), NetAgentOptions.fast().requestTimeout()),
        NetAgentOptions.fast().withChangefeed(false));
    agent.start();
    try {
      await(() -> "10.88.88.1".equals(vmNicOf(vms, vm, mac).get("gateway")), "NAPI's gateway in the VM");
      assertThat(wm.findAll(getRequestedFor(urlEqualTo(path))).size()).isGreaterThanOrEqualTo(3);
      assertThat(vmNicOf(vms, vm, mac)).isNotNull();
      assertThat(agent.stats().failures()).isGreaterThanOrEqualTo(2);
      assertThat(wm.getAllServeEvents()).noneMatch(e -> e.getRequest().getUrl().equals(path)
          && !e.getRequest().getMethod().getName().equals("GET"));
    } finally {
      agent.stop();
    }
  }
}
