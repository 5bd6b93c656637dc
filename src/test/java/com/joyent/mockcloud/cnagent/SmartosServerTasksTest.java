package com.joyent.mockcloud.cnagent;

import static com.joyent.mockcloud.cnagent.CreatedVms.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smartos backend's server, image, test and unsupported tasks: server_overprovision_ratio,
 * shutdown_cn_agent_update, image_get (against a fake IMGAPI), sleep, test_subtask, and the
 * tasks a mock CN refuses with a clear error.
 */
class SmartosServerTasksTest {
  static final String IMAGE = "2b683a82-a066-11e3-97ab-2faa44701c5a";
  static final String IMAGE_IMGAPI_LACKS = "5a1b4c2d-0e9f-4a8b-9c7d-6e5f4a3b2c1d";

  @TempDir static Path tmp;
  static CnAgentHarness cn;
  static HttpListeners fakes;
  static Map<String, Object> manifest;

  @BeforeAll
  static void startCn() throws Exception {
    manifest = new LinkedHashMap<>();
    manifest.put("v", 2);
    manifest.put("uuid", IMAGE);
    manifest.put("name", "base-64-lts");
    manifest.put("version", "21.4.0");
    manifest.put("type", "zone-dataset");
    manifest.put("os", "smartos");
    fakes = new HttpListeners("fake-imgapi", 1);
    HttpListeners.Listener imgapi = fakes.open("127.0.0.1", 0, new RestRouter("imgapi/4.0.0")
        .get("/images/{uuid}", req -> req.pathParam("uuid").equals(IMAGE) ? RestResponse.ok(manifest)
            : RestResponse.of(404, Map.of("code", "ResourceNotFound", "message", "image not found"))));
    cn = new CnAgentHarness(tmp, new RecordingCnapi(), CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp")),
        Map.of(Setting.IMGAPI_URL, imgapi.baseUrl()), true).awaitRegistered();
  }

  @AfterAll
  static void stopCn() {
    cn.close();
    fakes.close();
  }

  Path nodeConfig() {
    return cn.dir.dir().resolve("opt/smartdc/config/node.config");
  }

  @Test
  void overprovisionRatio_computeNode_writesNodeConfig_andReplacesTheSettingNextTime() throws Exception {
    CnAgentHarness.Answer a = cn.call("server_overprovision_ratio", params("value", "cpu=4&ram=1"));

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{}");
    assertThat(Files.readString(nodeConfig())).isEqualTo("overprovision_ratio='cpu=4&ram=1'\n");

    assertThat(cn.call("server_overprovision_ratio", params("value", "cpu=2")).status()).isEqualTo(200);
    // The real rewrite keeps the empty line after the last newline, so the file grows by one.
    assertThat(Files.readString(nodeConfig())).isEqualTo("overprovision_ratio='cpu=2'\n\n");
  }

  @Test
  void overprovisionRatio_rewrite_keepsOtherLinesAndAppendsWhenAbsent() {
    assertThat(OverprovisionRatioTask.rewrite("admin_nic=00:01\noverprovision_ratio='x'\ndns=1", "y"))
        .isEqualTo("admin_nic=00:01\noverprovision_ratio='y'\ndns=1\n");
    assertThat(OverprovisionRatioTask.rewrite("admin_nic=00:01", "y"))
        .isEqualTo("admin_nic=00:01\noverprovision_ratio='y'\n");
  }

  @Test
  void overprovisionRatio_noValue_failsAndWritesNothing() throws Exception {
    Path headnodeConfig = cn.dir.dir().resolve("usbkey/config");
    boolean existed = Files.exists(headnodeConfig);

    assertThat(cn.call("server_overprovision_ratio", params()).body()).isEqualTo("{\"error\":\"no value given\"}");
    assertThat(cn.call("server_overprovision_ratio", params("value", "")).status()).isEqualTo(500);
    assertThat(Files.exists(headnodeConfig)).isEqualTo(existed);
  }

  @Test
  void shutdownCnAgentUpdate_answersEmpty_afterProgress100() throws Exception {
    CnAgentHarness.Answer a = cn.call("shutdown_cn_agent_update", params());

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{}");
    List<Map<String, Object>> h = cn.history();
    assertThat(CnAgentHarness.messageNames(h.get(h.size() - 1))).containsExactly("progress", "start", "progress",
        "finish");
  }

  @Test
  void imageGet_imageAVmWasMadeFrom_answersItsManifest() throws Exception {
    CreatedVms.hvm(cn, "bhyve", IMAGE);

    CnAgentHarness.Answer a = cn.call("image_get", params("uuid", IMAGE));

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.json()).isEqualTo(manifest);
  }

  @Test
  void imageGet_imageNotOnTheCn_failsWithImgadmsWords() throws Exception {
    String other = UUID.randomUUID().toString();

    CnAgentHarness.Answer a = cn.call("image_get", params("uuid", other));

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.json()).containsOnlyKeys("error").containsEntry("error", "Image.get error: error getting image "
        + other + ":\n    cmd: /usr/sbin/imgadm get " + other + "\n    stderr: imgadm get: error (ImageNotInstalled): "
        + "image \"" + other + "\" was not found on zpool \"zones\"\n");
  }

  @Test
  void imageGet_heldImageImgapiLacks_saysWhyThereIsNoManifest_badUuidCrashes() throws Exception {
    Map<String, Object> p = MachineCreateTaskTest.minimal(UUID.randomUUID().toString());
    p.put("image_uuid", IMAGE_IMGAPI_LACKS);
    CreatedVms.create(cn, p);

    CnAgentHarness.Answer a = cn.call("image_get", params("uuid", IMAGE_IMGAPI_LACKS));
    assertThat(a.status()).isEqualTo(500);
    assertThat((String) a.json().get("error")).startsWith("Image.get error: image " + IMAGE_IMGAPI_LACKS
        + " is installed on this mock CN, which keeps no image manifests").contains("404");
    assertThat((String) cn.call("image_get", params("uuid", "not-a-uuid")).json().get("error"))
        .startsWith("Child task process image_get did not terminate cleanly.");
  }

  @Test
  void sleep_waitsTheGivenMilliseconds_thenAnswersEmpty() throws Exception {
    long t0 = System.nanoTime();
    CnAgentHarness.Answer a = cn.call("sleep", params("timeout", 300));
    long ms = (System.nanoTime() - t0) / 1_000_000;

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{}");
    assertThat(ms).isGreaterThanOrEqualTo(300);
    // Not a number: node's setTimeout waits 1 ms.
    assertThat(cn.call("sleep", params("timeout", "soon")).body()).isEqualTo("{}");
  }

  /** run-servers' clean stop: Fleet.close waits on this future (bounded) instead of polling. */
  @Test
  void drain_refusesNewTasks_andCompletesOnceTheRunningTaskHasAnswered() throws Exception {
    try (CnAgentHarness h = new CnAgentHarness(tmp.resolve("drain"), new RecordingCnapi(),
        CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp3")))) {
      h.awaitRegistered();
      CompletableFuture<CnAgentHarness.Answer> running = CompletableFuture.supplyAsync(() -> {
        try {
          return h.call("sleep", params("timeout", 1500));
        } catch (Exception e) {
          throw new CompletionException(e);
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (h.agent.activeTasks() == 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(h.agent.activeTasks()).isEqualTo(1);

      CompletableFuture<Void> drained = h.agent.drain();
      assertThat(drained).isNotDone();
      assertThat(h.call("nop", params()).status()).isEqualTo(503);
      assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
      drained.get(10, TimeUnit.SECONDS);
      assertThat(h.agent.activeTasks()).isZero();
      assertThat(h.agent.drain()).isDone(); // nothing runs: at once
    }
  }

  @Test
  void testSubtask_isNeverAnswered_soItEndsAtTheTaskTimeout() throws Exception {
    try (CnAgentHarness short_ = new CnAgentHarness(tmp.resolve("subtask"), new RecordingCnapi(),
        CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp2")).withTaskTimeout(Duration.ofMillis(300)))) {
      short_.awaitRegistered();
      CnAgentHarness.Answer a = short_.call("test_subtask", params("sleep", 1));
      assertThat(a.status()).isEqualTo(500);
      assertThat((String) a.json().get("error")).startsWith("child task process timed out after");
    }
  }

  @Test
  void unsupportedTasks_failNamingTheTaskAndWhy_withReqId() throws Exception {
    String v = CreatedVms.zone(cn);
    byte[] before = Files.readAllBytes(cn.vmFile(v));
    for (String task : List.of("docker_exec", "docker_copy", "docker_stats", "docker_build", "machine_screenshot",
        "machine_migrate", "machine_migrate_receive", "machine_create_image")) {
      CnAgentHarness.Answer a = cn.call(task, params("uuid", v, "req_id", "r-9"));
      assertThat(a.status()).as(task).isEqualTo(500);
      assertThat(a.json()).as(task).containsOnlyKeys("error", "req_id").containsEntry("req_id", "r-9");
      assertThat((String) a.json().get("error")).as(task).startsWith(task + " is not supported on a mock CN: ");
      List<Map<String, Object>> h = cn.history();
      assertThat(h.get(h.size() - 1)).containsEntry("task", task).containsEntry("errorCount", 1)
          .containsEntry("status", "finished");
    }
    assertThat(new String(Files.readAllBytes(cn.vmFile(v)), StandardCharsets.UTF_8))
        .isEqualTo(new String(before, StandardCharsets.UTF_8));
  }
}
