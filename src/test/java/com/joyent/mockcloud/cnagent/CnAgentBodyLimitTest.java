package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.http.RawHttp;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request body limit of the cn-agent listener (docs/cn-agent.md, Limits): 413, and nothing runs. */
class CnAgentBodyLimitTest {
  private static final int MAX = (int) CnAgentRoutes.MAX_BODY_BYTES;
  @TempDir Path tmp;
  CnAgentHarness cn;

  @BeforeEach
  void setUp() throws Exception {
    cn = new CnAgentHarness(tmp).awaitRegistered();
  }

  @AfterEach
  void tearDown() {
    cn.close();
  }

  /** A machine_create of {@code vm} whose JSON body is exactly {@code size} bytes (customer_metadata padded). */
  private static String machineCreateOfSize(int size, String vm) {
    String head = "{\"task\":\"machine_create\",\"params\":{\"uuid\":\"" + vm + "\",\"brand\":\"joyent-minimal\","
        + "\"owner_uuid\":\"" + UUID.randomUUID() + "\",\"ram\":256,\"nics\":[],\"customer_metadata\":{\"pad\":\"";
    String tail = "\"}}}";
    return head + "x".repeat(size - head.length() - tail.length()) + tail;
  }

  /** A nop task whose JSON body is exactly {@code size} bytes. */
  private static String nopOfSize(int size) {
    String head = "{\"task\":\"nop\",\"params\":{\"pad\":\"";
    String tail = "\"}}";
    return head + "x".repeat(size - head.length() - tail.length()) + tail;
  }

  private List<Path> taskLogs() throws Exception {
    Path dir = cn.dir.logsDir().resolve("cn-agent");
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  private static String tooLargeBody() {
    return "{\"code\":\"PayloadTooLargeError\",\"message\":\"Request body size exceeds " + MAX + "\"}";
  }

  @Test
  void machineCreateOverLimit_chunked_is413AndChangesNothing() throws Exception {
    String vm = UUID.randomUUID().toString();
    String body = machineCreateOfSize(MAX + 1, vm);
    try (RawHttp c = new RawHttp(cn.agent.port())) {
      // The whole body but no terminating chunk: only the limit can end the read.
      c.send(RawHttp.head("POST", "/tasks", "Content-Type: application/json", "x-server-uuid: " + cn.uuid(),
          "Transfer-Encoding: chunked") + Integer.toHexString(body.length()) + "\r\n" + body);
      RawHttp.Answer a = c.read();

      assertThat(a.status()).isEqualTo(413);
      assertThat(a.body()).isEqualTo(tooLargeBody());
      assertThat(a.headers()).containsEntry("server", "Compute Node Agent").containsEntry("connection", "close");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(cn.get("/history").body()).isEqualTo("[]");
    assertThat(taskLogs()).isEmpty();
    assertThat(cn.agent.activeTasks()).isZero();
    assertThat(cn.vmFile(vm)).doesNotExist();
    assertThat(cn.vms.exists(vm, true)).isFalse();
  }

  @Test
  void machineCreateOfExactlyTheLimit_createsTheVm() throws Exception {
    String vm = UUID.randomUUID().toString();

    HttpResponse<String> r = cn.post("/tasks", machineCreateOfSize(MAX, vm));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(cn.vmFile(vm)).exists();
  }

  @Test
  void taskContentLengthOverLimit_is413WithoutReadingTheBody() throws Exception {
    try (RawHttp c = new RawHttp(cn.agent.port())) {
      // Announces 24 MB and sends none of it: the answer cannot have waited for the body.
      RawHttp.Answer a = c.send(RawHttp.head("POST", "/tasks", "Content-Type: application/json",
          "x-server-uuid: " + cn.uuid(), "Content-Length: " + 24 * 1024 * 1024)).read();

      assertThat(a.status()).isEqualTo(413);
      assertThat(a.body()).isEqualTo(tooLargeBody());
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(cn.get("/history").body()).isEqualTo("[]");
    assertThat(taskLogs()).isEmpty();
  }

  @Test
  void taskBodyOfExactlyTheLimit_runs() throws Exception {
    HttpResponse<String> r = cn.post("/tasks", nopOfSize(MAX));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{}");
    assertThat(cn.history()).hasSize(1);
  }
}
