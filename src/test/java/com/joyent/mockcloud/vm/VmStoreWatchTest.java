package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand edits noticed by the real shared watcher (inotify) and by the polling fallback. These wait
 * (with a deadline) for real file-system notifications; no fixed sleeps.
 */
class VmStoreWatchTest {
  @TempDir Path root;

  @Test
  void watchMode_handEditCreateAndDelete_produceEvents() throws Exception {
    try (VmStore store = VmStore.builder().watchMode(VmStore.WatchMode.WATCH)
        .debounce(Duration.ofMillis(20)).safetyRescanPeriod(Duration.ofHours(1)).build()) {
      assertHandEditsNoticed(store);
      assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
          .anyMatch(n -> n.startsWith("mockcloud-vmwatch-"));
    }
  }

  @Test
  void pollMode_handEditCreateAndDelete_produceEvents() throws Exception {
    try (VmStore store = VmStore.builder().watchMode(VmStore.WatchMode.POLL)
        .pollPeriod(Duration.ofMillis(50)).build()) {
      assertHandEditsNoticed(store);
    }
  }

  @Test
  void watchMode_ownWrites_giveExactlyOneEventEach() throws Exception {
    try (VmStore store = VmStore.builder().watchMode(VmStore.WatchMode.WATCH)
        .debounce(Duration.ofMillis(10)).pollPeriod(Duration.ofMillis(50))
        .safetyRescanPeriod(Duration.ofMillis(100)).build()) {
      ServerVms vms = store.openServer(VmFixtures.S, root.resolve(VmFixtures.S), VmFixtures.IDENTITY);
      BlockingQueue<VmEvent> events = new LinkedBlockingQueue<>();
      vms.subscribe(events::add);
      String uuid = vms.create(VmFixtures.minimalPayload(VmFixtures.newUuid()));
      for (int i = 0; i < 50; i++) {
        vms.update(uuid, Map.of("alias", "a" + i));
      }
      vms.reboot(uuid);

      int expected = 1 + 50 + 3;
      for (int i = 0; i < expected; i++) {
        next(events);
      }
      // Watch notifications of our own writes and the safety rescans must add nothing.
      assertThat(events.poll(500, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void watchMode_watchedDirectoryReplaced_fallsBackToPolling() throws Exception {
    try (VmStore store = VmStore.builder().watchMode(VmStore.WatchMode.WATCH)
        .debounce(Duration.ofMillis(20)).pollPeriod(Duration.ofMillis(50))
        .safetyRescanPeriod(Duration.ofHours(1)).build()) {
      ServerVms vms = store.openServer(VmFixtures.S, root.resolve(VmFixtures.S), VmFixtures.IDENTITY);
      assertThat(vms.polled()).isFalse();
      BlockingQueue<VmEvent> events = new LinkedBlockingQueue<>();
      vms.subscribe(events::add);

      Files.delete(vms.vmsDir()); // the watch key becomes invalid
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!vms.polled() && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      assertThat(vms.polled()).isTrue();
      Files.createDirectories(vms.vmsDir());
      String uuid = VmFixtures.newUuid();
      Files.write(vms.vmsDir().resolve(uuid + ".json"), Json.prettyBytes(VmFixtures.minimalPayload(uuid), 2));

      VmEvent e = next(events);
      assertThat(e.type()).isEqualTo(VmEvent.Type.CREATE);
      assertThat(e.zonename()).isEqualTo(uuid);
    }
  }

  private void assertHandEditsNoticed(VmStore store) throws Exception {
    ServerVms vms = store.openServer(VmFixtures.S, root.resolve(VmFixtures.S), VmFixtures.IDENTITY);
    BlockingQueue<VmEvent> events = new LinkedBlockingQueue<>();
    vms.subscribe(events::add);
    String uuid = vms.create(VmFixtures.minimalPayload(VmFixtures.newUuid()));
    assertThat(next(events).type()).isEqualTo(VmEvent.Type.CREATE);

    // A script edits the file (atomic replace, as tools do).
    Path file = vms.vmsDir().resolve(uuid + ".json");
    Map<String, Object> obj = Json.parseObject(Files.readAllBytes(file));
    obj.put("alias", "by-hand");
    Path tmp = vms.vmsDir().resolve("edit.tmp");
    Files.write(tmp, Json.prettyBytes(obj, 2));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    VmEvent modify = next(events);
    assertThat(modify.type()).isEqualTo(VmEvent.Type.MODIFY);
    assertThat(modify.changes()).anyMatch(c -> c.prettyPath().equals("alias") && "by-hand".equals(c.newValue()));

    // A user drops in a new VM and removes it again.
    String other = VmFixtures.newUuid();
    Map<String, Object> created = VmFixtures.minimalPayload(other);
    created.put("state", "stopped");
    Files.write(vms.vmsDir().resolve(other + ".json"), Json.prettyBytes(created, 2));
    VmEvent create = next(events);
    assertThat(create.type()).isEqualTo(VmEvent.Type.CREATE);
    assertThat(create.vm()).containsEntry("zone_state", "stopped");

    Files.delete(vms.vmsDir().resolve(other + ".json"));
    assertThat(next(events).type()).isEqualTo(VmEvent.Type.DELETE);
    assertThat(vms.exists(other)).isFalse();
  }

  private static VmEvent next(BlockingQueue<VmEvent> q) throws InterruptedException {
    VmEvent e = q.poll(10, TimeUnit.SECONDS);
    assertThat(e).as("event within 10 s").isNotNull();
    return e;
  }
}
