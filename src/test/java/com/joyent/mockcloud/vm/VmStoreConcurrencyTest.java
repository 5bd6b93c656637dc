package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many threads on one VM lose no update; different VMs and servers proceed side by side. */
class VmStoreConcurrencyTest {
  @TempDir Path root;
  VmFixtures fx;
  ExecutorService pool = Executors.newFixedThreadPool(8);

  @BeforeEach
  void setUp() {
    fx = new VmFixtures(root);
  }

  @AfterEach
  void tearDown() throws Exception {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    fx.close();
  }

  @Test
  void manyThreadsOnOneVm_noLostUpdate_eventsInOrder() throws Exception {
    String uuid = fx.createMinimal();
    RecordingListener events = new RecordingListener();
    fx.vms.subscribe(events);
    int threads = 8;
    int perThread = 25;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int tt = t;
      futures.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < perThread; i++) {
          fx.vms.update(uuid, Map.of("set_tags", Map.of("t" + tt + "_" + i, i)));
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> tags = (Map<String, Object>) fx.vms.load(uuid).get("tags");
    assertThat(tags).hasSize(threads * perThread);
    assertThat(fx.onDisk(uuid).get("tags")).isEqualTo(tags);
    List<VmEvent> evs = events.events();
    assertThat(evs).hasSize(threads * perThread);
    // every event adds exactly one tag on top of the previous one: no two writers saw the same base
    for (int i = 0; i < evs.size(); i++) {
      assertThat(((Map<?, ?>) evs.get(i).vm().get("tags"))).hasSize(i + 1);
    }
    List<String> lastModified = evs.stream().map(e -> (String) e.vm().get("last_modified")).toList();
    assertThat(lastModified).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void differentVmsAndServers_inParallel_allChangesKept() throws Exception {
    ServerVms other = fx.store.openServer(VmFixtures.S2, fx.serverDir(VmFixtures.S2),
        new ServerIdentity(VmFixtures.S2, "testdc", "20180806T115631Z"));
    List<String> uuids = new ArrayList<>();
    List<ServerVms> owners = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ServerVms s = i % 2 == 0 ? fx.vms : other;
      uuids.add(s.create(VmFixtures.minimalPayload(VmFixtures.newUuid())));
      owners.add(s);
    }
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < uuids.size(); i++) {
      String uuid = uuids.get(i);
      ServerVms s = owners.get(i);
      futures.add(pool.submit(() -> {
        for (int n = 0; n < 20; n++) {
          s.update(uuid, Map.of("set_customer_metadata", Map.of("k" + n, "v")));
          s.reboot(uuid);
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    for (int i = 0; i < uuids.size(); i++) {
      assertThat((Map<?, ?>) owners.get(i).load(uuids.get(i)).get("customer_metadata")).hasSize(20);
    }
    assertThat(fx.vms.size()).isEqualTo(4);
    assertThat(other.size()).isEqualTo(4);
  }
}
