package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conformance cases 84–85 of spec cn-agent.md §7: three mock CNs under one server root,
 * reporting to one fake CNAPI, each with its own listener and history.
 */
class MultiServerTest {
  @TempDir Path tmp;
  final RecordingCnapi cnapi = new RecordingCnapi();
  final List<CnAgentHarness> cns = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    CnAgentOptions options = CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp"));
    for (int i = 0; i < 3; i++) {
      cns.add(new CnAgentHarness(tmp, cnapi, options, Map.of(), i == 0));
    }
    for (CnAgentHarness cn : cns) {
      cn.awaitRegistered();
    }
  }

  @AfterEach
  void tearDown() {
    for (int i = cns.size() - 1; i >= 0; i--) {
      cns.get(i).close();
    }
  }

  @Test
  void threeServers_distinctPorts_eachRegistersItsOwnPort() throws Exception {
    assertThat(cns.stream().map(cn -> cn.agent.port()).distinct()).hasSize(3);
    assertThat(cns.stream().map(cn -> cn.root).distinct()).hasSize(1);
    for (CnAgentHarness cn : cns) {
      List<RecordingCnapi.Received> posts = cnapi.received(r -> r.path().equals("/servers/" + cn.uuid() + "/sysinfo"));
      assertThat(posts).isNotEmpty();
      Map<?, ?> sysinfo = (Map<?, ?>) ((Map<?, ?>) posts.get(0).body()).get("sysinfo");
      assertThat(sysinfo.get("UUID")).isEqualTo(cn.uuid().toString());
      assertThat(sysinfo.get("CN Agent Port")).isEqualTo(cn.agent.port());
      assertThat(sysinfo.get("CN Agent IP")).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void taskOnServerAsPort_withServerBsUuid_is404WithEmptyBody() throws Exception {
    CnAgentHarness a = cns.get(0);
    CnAgentHarness b = cns.get(1);

    HttpResponse<String> r = CnAgentHarness.HTTP.send(HttpRequest.newBuilder(URI.create(a.url() + "/tasks"))
        .header("content-type", "application/json").header("x-server-uuid", b.uuid().toString())
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"nop\",\"params\":{}}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEmpty();
    assertThat(a.get("/history").body()).isEqualTo("[]");
    assertThat(b.get("/history").body()).isEqualTo("[]");
  }

  @Test
  void history_ofServerA_doesNotShowServerBsTasks() throws Exception {
    CnAgentHarness a = cns.get(0);
    CnAgentHarness b = cns.get(1);

    assertThat(b.call("nop", Map.of("on", "b")).status()).isEqualTo(200);
    assertThat(a.call("nop", Map.of("on", "a")).status()).isEqualTo(200);

    assertThat(a.history()).hasSize(1);
    assertThat(a.history().get(0).get("params")).isEqualTo(Map.of("on", "a"));
    assertThat(b.history()).hasSize(1);
    assertThat(b.history().get(0).get("params")).isEqualTo(Map.of("on", "b"));
    assertThat(cns.get(2).get("/history").body()).isEqualTo("[]");
  }
}
