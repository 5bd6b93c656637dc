package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Replays what the reference agents sent in the golden {@code lifecycle-3cn} run, in order:
 * vm-agent → VMAPI (recorded statuses and, for lists, the same VMs) and cn-agent → CNAPI
 * (the real CNAPI's statuses and empty bodies). Skipped where the golden traces are not
 * present (point {@code -Dmockcloud.golden=<dir>} at them).
 */
class GoldenReplayTest {
  private static final Path TRACES = Path.of(System.getProperty("mockcloud.golden", "/work/shared/golden/traces"));

  @Test
  @SuppressWarnings("unchecked")
  void vmAgentTraffic_replaysWithRecordedStatuses() throws IOException {
    Path file = TRACES.resolve("lifecycle-3cn.vm-agent_to_vmapi.jsonl");
    assumeTrue(Files.isReadable(file), "golden traces not available");
    List<String> lines = Files.readAllLines(file);
    try (Sandbox sb = Sandbox.start(SandboxOptions.defaults())) {
      int replayed = 0;
      for (String line : lines) {
        Map<String, Object> rec = Json.parseObject(line);
        if (!(rec.get("method") instanceof String method)) {
          continue;
        }
        String path = (String) rec.get("path");
        TestHttp.Reply r = TestHttp.send(method, sb.vmapiUrl() + path, rec.get("req_body"), Map.of());
        assertThat(r.status()).as(method + " " + path).isEqualTo(rec.get("status"));
        if (method.equals("GET")) {
          List<Object> want = ((List<Map<String, Object>>) rec.get("res_body")).stream().map(v -> v.get("uuid")).toList();
          assertThat(r.array()).as(path).extracting(v -> v.get("uuid")).containsExactlyInAnyOrderElementsOf(want);
        }
        replayed++;
      }
      assertThat(replayed).isGreaterThan(40);
      assertThat(sb.vmapi().vms().size()).isEqualTo(2);
    }
  }

  @Test
  void cnAgentTrafficToCnapi_replaysWithRecordedStatuses() throws IOException {
    Path file = TRACES.resolve("lifecycle-3cn.cn-agent_to_cnapi.jsonl");
    assumeTrue(Files.isReadable(file), "golden traces not available");
    try (Sandbox sb = Sandbox.start(SandboxOptions.defaults().withDatacenter("testdc"))) {
      int replayed = 0;
      for (String line : Files.readAllLines(file)) {
        Map<String, Object> rec = Json.parseObject(line);
        String method = (String) rec.get("method");
        String path = (String) rec.get("path");
        TestHttp.Reply r = TestHttp.send(method, sb.cnapiUrl() + path, rec.get("req_body"), Map.of());
        assertThat(r.status()).as(method + " " + path).isEqualTo(rec.get("status"));
        assertThat(r.body()).as(method + " " + path).isEmpty(); // CNAPI answers these without a body
        replayed++;
      }
      assertThat(replayed).isGreaterThan(60);
      assertThat(sb.cnapi().servers().size()).isEqualTo(3);
    }
  }
}
