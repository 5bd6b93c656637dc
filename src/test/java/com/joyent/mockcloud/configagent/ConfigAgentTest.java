package com.joyent.mockcloud.configagent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.util.Timer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One config-agent against a scripted SAPI: outages retried with backoff, Etags, a missing instance. */
class ConfigAgentTest {
  private static final String CN_AGENT = "11111111-1111-4111-8111-111111111111";
  private static final String VM_AGENT = "22222222-2222-4222-8222-222222222222";
  @TempDir Path tmp;
  private WireMockServer sapi;
  private ScheduledExecutorService scheduler;
  private ExecutorService fileWork;
  private ServerDirectory dir;
  private ConfigAgent agent;

  @BeforeEach
  void setUp() throws Exception {
    sapi = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    sapi.start();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    fileWork = Executors.newSingleThreadExecutor();
    UUID server = UUID.randomUUID();
    dir = new ServerDirectory(server, tmp.resolve(server.toString()));
    for (String[] a : new String[][] {{"cn-agent", CN_AGENT}, {"vm-agent", VM_AGENT}}) {
      Files.createDirectories(dir.agentsDir().resolve(a[0]));
      Files.writeString(dir.agentsDir().resolve(a[0]).resolve("instance_uuid"), a[1] + "\n");
    }
    dir.writeSysinfo(Map.of("UUID", server.toString(), "Datacenter Name", "dc1", "Network Interfaces",
        Map.of("dnet0", Map.of("NIC Names", List.of("admin"), "ip4addr", "10.99.0.5"))), 2);
    JsonHttpClient client = JsonHttpClient.to(OutboundHttp.standalone(), URI.create(sapi.baseUrl()), "SAPI")
        .userAgent(ConfigAgentOptions.defaults().userAgent(server.toString())).build();
    agent = new ConfigAgent(dir, client, Timer.on(scheduler), fileWork, ConfigAgentOptions.defaults()
        .withPollInterval(Duration.ofSeconds(60)).withRetryMin(Duration.ofMillis(100)), new Random(1));
  }

  @AfterEach
  void tearDown() {
    agent.stop();
    scheduler.shutdownNow();
    fileWork.shutdownNow();
    sapi.stop();
  }

  private static String config(int port) {
    return Json.compact(Map.of("metadata", Map.of("port", port), "manifests", List.of(Map.of("uuid",
        UUID.randomUUID().toString(), "name", "cn-agent", "path", "/etc/cn-agent.json", "template",
        "port={{port}} dc={{auto.DATACENTER_NAME}} ip={{auto.ADMIN_IP}}"))));
  }

  private Path file() {
    return dir.agentsDir().resolve("cn-agent/root/etc/cn-agent.json");
  }

  @Test
  void sapiDown_isRetriedWithBackoff_thenTheConfigIsWritten_andItsEtagSentAfter() throws Exception {
    sapi.stubFor(get(urlEqualTo("/configs/" + CN_AGENT)).inScenario("sapi").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(503).withBody("{\"code\":\"ServiceUnavailable\",\"message\":\"down\"}"))
        .willSetStateTo("one failure"));
    sapi.stubFor(get(urlEqualTo("/configs/" + CN_AGENT)).inScenario("sapi").whenScenarioStateIs("one failure")
        .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
    sapi.stubFor(get(urlEqualTo("/configs/" + CN_AGENT)).inScenario("sapi").whenScenarioStateIs("up")
        .willReturn(aResponse().withStatus(200).withHeader("Etag", "e1").withHeader("content-type", "application/json")
            .withBody(config(5309))));
    sapi.stubFor(get(urlEqualTo("/configs/" + VM_AGENT)).willReturn(aResponse().withStatus(404)
        .withHeader("content-type", "application/json")
        .withBody("{\"code\":\"ResourceNotFound\",\"message\":\"no such instance: " + VM_AGENT + "\"}")));

    assertThat(agent.pollNow().get()).isFalse(); // the 503: a retry 100 ms later, then 200 ms
    Await.require(Duration.ofSeconds(5), () -> Files.exists(file()), "the config after SAPI came back");
    assertThat(Files.readString(file())).isEqualTo("port=5309 dc=dc1 ip=10.99.0.5");
    assertThat(sapi.findAll(getRequestedFor(urlEqualTo("/configs/" + CN_AGENT)))).hasSize(3)
        .allSatisfy(r -> assertThat(r.getHeader("accept-version")).isEqualTo("~2"));
    // the missing instance is that instance's problem: no file, the other instance went on
    assertThat(dir.agentsDir().resolve("vm-agent/root")).doesNotExist();

    sapi.stubFor(get(urlEqualTo("/configs/" + CN_AGENT)).withHeader("If-None-Match", equalTo("e1"))
        .willReturn(aResponse().withStatus(304)));
    long writes = agent.writes();
    // the retry that wrote the file may still be polling the other instance: pollNow is false until it ended
    Await.require(Duration.ofSeconds(5), () -> agent.pollNow().join(), "a poll of its own");
    List<com.github.tomakehurst.wiremock.verification.LoggedRequest> sent =
        sapi.findAll(getRequestedFor(urlEqualTo("/configs/" + CN_AGENT)));
    assertThat(sent.get(sent.size() - 1).getHeader("If-None-Match")).isEqualTo("e1");
    assertThat(agent.writes()).isEqualTo(writes);
    assertThat(Files.readString(file())).isEqualTo("port=5309 dc=dc1 ip=10.99.0.5");
  }

  @Test
  void sapiUnreachable_keepsTheFiles() throws Exception {
    Files.createDirectories(file().getParent());
    Files.writeString(file(), "kept");
    sapi.stop();
    assertThat(agent.pollNow().get()).isFalse();
    assertThat(Files.readString(file())).isEqualTo("kept");
  }
}
