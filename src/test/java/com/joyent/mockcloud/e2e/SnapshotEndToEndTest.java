package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.snapshot.FleetSnapshot;
import com.joyent.mockcloud.testing.Await;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code snapshot save|restore} against a running fleet: the root and what the APIs see return to the saved state. */
class SnapshotEndToEndTest {
  @TempDir Path tmp;
  private SandboxFleet fleet;

  @AfterEach
  void tearDown() {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void restore_whileRunning_bringsBackTheSavedVmsAndCns() throws Exception {
    Path root = tmp.resolve("root");
    fleet = new SandboxFleet(root);
    Sandbox sb = fleet.sandbox;
    UUID cn = fleet.createServer();
    fleet.start();
    fleet.awaitHeartbeat(cn);
    VmapiCalls vmapi = new VmapiCalls(sb.vmapiUrl(), sb.adminUuid());
    Map<String, Object> body = vmapi.createBody("kept");
    body.put("server_uuid", cn.toString());
    String kept = vmapi.provision(body);
    Path saved = tmp.resolve("fleet.snapshot.gz");
    FleetSnapshot.Summary s = FleetSnapshot.save(root, saved);
    assertThat(s.servers()).isEqualTo(1);

    // After the save: the VM stopped, another VM, another CN.
    assertThat(vmapi.action(kept, "stop", null).get("execution")).isEqualTo("succeeded");
    body = vmapi.createBody("later");
    body.put("server_uuid", cn.toString());
    String later = vmapi.provision(body);
    UUID extra = fleet.createServer();
    fleet.awaitHeartbeat(extra);

    FleetSnapshot.Summary r = FleetSnapshot.restore(saved, root);
    assertThat(r.removedServers()).isEqualTo(1);
    assertThat(root.resolve("servers").resolve(extra.toString())).doesNotExist();
    Path vms = root.resolve("servers").resolve(cn.toString()).resolve("vms");
    assertThat(vms.resolve(later + ".json")).doesNotExist();
    assertThat(Json.parseObject(Files.readAllBytes(vms.resolve(kept + ".json")))).containsEntry("state", "running");
    // The running daemon saw the files change, and its vm-agent told VMAPI.
    Await.require(Duration.ofSeconds(30), () -> "running".equals(sb.vmapi().vms().get(kept).get("state"))
        && "destroyed".equals(sb.vmapi().vms().get(later).get("state")), "VMAPI back at the saved state");
    Await.require(Duration.ofSeconds(30), () -> !fleet.daemon().fleet().running().containsKey(extra),
        "the removed CN stopped");
  }

  @Test
  void save_duringWrites_holdsWholeFilesOnly() throws Exception {
    Path root = tmp.resolve("root");
    Path vms = root.resolve("servers").resolve(UUID.randomUUID().toString()).resolve("vms");
    Files.createDirectories(vms);
    Files.writeString(vms.getParent().resolve("sysinfo.json"), "{}");
    Path vm = vms.resolve(UUID.randomUUID() + ".json");
    String big = "x".repeat(200_000);
    AtomicFiles.write(vm, Json.prettyBytes(Map.of("n", 0, "pad", big), 2));
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      for (int i = 1; !stop.get(); i++) {
        try {
          AtomicFiles.write(vm, Json.prettyBytes(Map.of("n", i, "pad", big), 2), false);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }
    });
    writer.start();
    try {
      for (int i = 0; i < 20; i++) {
        Path out = tmp.resolve("s" + i + ".gz");
        FleetSnapshot.save(root, out);
        Map<String, Object> doc = Json.parseObject(gunzip(out));
        @SuppressWarnings("unchecked")
        Map<String, Object> files = (Map<String, Object>) doc.get("files");
        String key = root.relativize(vm).toString();
        assertThat(files).containsKey(key).hasSize(2); // no temp file of the writer's
        assertThat(Json.parseObject((String) files.get(key))).containsEntry("pad", big);
      }
    } finally {
      stop.set(true);
      writer.join();
    }
  }

  @Test
  void restore_ofABadSnapshot_changesNothing() throws Exception {
    Path root = tmp.resolve("root");
    Files.createDirectories(root.resolve("servers"));
    Path bad = tmp.resolve("bad.gz");
    try (var o = new java.util.zip.GZIPOutputStream(Files.newOutputStream(bad))) {
      o.write(("{\"format\":\"mockcloud-snapshot\",\"version\":1,\"files\":{\"servers/"
          + UUID.randomUUID() + "/../../etc/passwd\":\"x\"}}").getBytes(StandardCharsets.UTF_8));
    }
    assertThatThrownBy(() -> FleetSnapshot.restore(bad, root)).hasMessageContaining("names a file a save never writes");
    try (var l = Files.list(root.resolve("servers"))) {
      assertThat(l).isEmpty();
    }
  }

  private static byte[] gunzip(Path p) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(p))) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toByteArray();
    }
  }
}
