package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec §6 A29, A30: atomic writes, failed writes, corrupt files, strictly increasing last_modified. */
class VmStoreDurabilityTest {
  @TempDir Path root;
  FaultyVmFileSystem fs = new FaultyVmFileSystem();
  VmFixtures fx;
  RecordingListener events = new RecordingListener();

  @BeforeEach
  void setUp() {
    fx = new VmFixtures(root, fs);
    fx.vms.subscribe(events);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  /** A29. */
  @Test
  void rewrites_concurrentReadersNeverSeePartialFileOrJsonTempNames() throws Exception {
    String uuid = fx.createMinimal();
    Path dir = fx.file(uuid).getParent();
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicReference<String> problem = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      while (!done.get()) {
        try {
          Map<String, Object> vm = Json.parseObject(Files.readAllBytes(fx.file(uuid)));
          if (!uuid.equals(vm.get("uuid"))) {
            problem.set("wrong content");
          }
          try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(".json") && !n.equals(uuid + ".json"))
                .forEach(n -> problem.set("temp name ending in .json: " + n));
          }
          reads.incrementAndGet();
        } catch (Exception e) {
          problem.set(e.toString());
        }
      }
    });
    reader.start();
    for (int i = 0; i < 200; i++) {
      fx.vms.update(uuid, Map.of("alias", "a".repeat(i % 50)));
    }
    done.set(true);
    reader.join();

    assertThat(problem.get()).isNull();
    assertThat(reads.get()).isPositive();
  }

  @Test
  void failedWrite_keepsOldFileAndViewAndEmitsNothing() throws Exception {
    String uuid = fx.createMinimal();
    byte[] before = Files.readAllBytes(fx.file(uuid));
    events.clear();
    fs.failBeforeRename = true;

    assertThatThrownBy(() -> fx.vms.stop(uuid)).isInstanceOf(VmException.class)
        .extracting(e -> ((VmException) e).kind()).isEqualTo(VmException.Kind.IO);
    assertThatThrownBy(() -> fx.vms.create(VmFixtures.minimalPayload(VmFixtures.newUuid())))
        .isInstanceOf(VmException.class);

    assertThat(Files.readAllBytes(fx.file(uuid))).isEqualTo(before);
    assertThat(fx.vms.load(uuid)).containsEntry("state", "running");
    assertThat(fx.vms.size()).isEqualTo(1);
    assertThat(events.events()).isEmpty();
    try (Stream<Path> files = Files.list(fx.file(uuid).getParent())) {
      assertThat(files).hasSize(1);
    }

    fs.failBeforeRename = false;
    fx.vms.stop(uuid);
    assertThat(fx.vms.load(uuid)).containsEntry("state", "stopped");
  }

  @Test
  void failureAfterRename_viewCatchesUpWithDisk() {
    String uuid = fx.createMinimal();
    events.clear();
    fs.failAfterRename = true;

    assertThatThrownBy(() -> fx.vms.stop(uuid)).isInstanceOf(VmException.class);

    assertThat(fx.onDisk(uuid)).containsEntry("state", "stopped");
    assertThat(fx.vms.load(uuid)).containsEntry("state", "stopped");
    assertThat(events.events()).hasSize(1);
  }

  /** A30: the filesystem clock does not move, last_modified still does. */
  @Test
  void lastModified_twoUpdatesInSameMillisecond_strictlyIncreases() {
    String uuid = fx.createMinimal();
    fs.pinnedMtime = fx.mtime(uuid);
    List<String> seen = new ArrayList<>();
    seen.add((String) fx.vms.load(uuid).get("last_modified"));

    for (int i = 0; i < 5; i++) {
      fx.vms.update(uuid, Map.of("alias", "a" + i));
      seen.add((String) fx.vms.load(uuid).get("last_modified"));
    }

    assertThat(seen).doesNotHaveDuplicates().isSorted();
    assertThat(JsValues.isoString(fx.mtime(uuid))).isEqualTo(seen.get(seen.size() - 1));
  }

  @Test
  void lastModified_manyQuickWritesOnRealDisk_strictlyIncreases() {
    String uuid = fx.createMinimal();
    long prev = fx.mtime(uuid);
    for (int i = 0; i < 100; i++) {
      fx.vms.update(uuid, Map.of("alias", "a" + i));
      long now = fx.mtime(uuid);
      assertThat(now).isGreaterThan(prev);
      prev = now;
    }
  }

  @Test
  void corruptAndForeignFiles_areSkipped_restOfServerWorks() throws Exception {
    String good = fx.createMinimal();
    String corrupt = VmFixtures.newUuid();
    String empty = VmFixtures.newUuid();
    String foreign = VmFixtures.newUuid();
    Path dir = fx.file(good).getParent();
    Files.writeString(dir.resolve(corrupt + ".json"), "{\"uuid\": \"" + corrupt + "\", \"state\": ");
    Files.writeString(dir.resolve(empty + ".json"), "");
    Files.writeString(dir.resolve(foreign + ".json"), "{\"uuid\": \"" + good + "\"}");
    Files.writeString(dir.resolve("notes.json"), "[]");
    Files.createDirectory(dir.resolve(VmFixtures.newUuid() + ".json"));

    VmFixtures again = new VmFixtures(root);
    try {
      assertThat(again.vms.lookup(Map.of(), List.of("uuid"))).containsExactly(Map.of("uuid", good));
      again.vms.stop(good);
      assertThat(again.vms.load(good)).containsEntry("state", "stopped");
      assertThatThrownBy(() -> again.vms.load(corrupt)).extracting(e -> ((VmException) e).restCode()).isEqualTo("VmNotFound");
      assertThatThrownBy(() -> again.vms.create(VmFixtures.minimalPayload(corrupt)))
          .hasMessage("Machine " + corrupt + " exists.");
      again.vms.delete(corrupt); // the file is there, so delete removes it
      assertThat(dir.resolve(corrupt + ".json")).doesNotExist();
    } finally {
      again.close();
    }
  }

  @Test
  void knownVmFileCorruptedByHand_keepsLastGoodView() throws Exception {
    String uuid = fx.createMinimal();
    events.clear();
    Files.writeString(fx.file(uuid), "{ not json");

    fx.vms.rescan();

    assertThat(fx.vms.load(uuid)).containsEntry("uuid", uuid);
    assertThat(events.events()).isEmpty();
  }
}
