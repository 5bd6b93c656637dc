package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery on a real pool: a stuck listener holds up only its own server. */
class VmEventDeliveryTest {
  static final ServerIdentity ID2 = new ServerIdentity(VmFixtures.S2, "testdc", "20180806T115631Z");
  @TempDir Path root;
  ExecutorService pool = Executors.newFixedThreadPool(2);
  VmStore store;

  @BeforeEach
  void setUp() {
    store = VmStore.builder().executor(pool).watchMode(VmStore.WatchMode.OFF).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    store.close();
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void stuckListener_doesNotStallWritesOrOtherServersEvents() throws Exception {
    ServerVms a = store.openServer(VmFixtures.S, root.resolve("a"), VmFixtures.IDENTITY);
    ServerVms b = store.openServer(VmFixtures.S2, root.resolve("b"), ID2);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch stuck = new CountDownLatch(1);
    a.subscribe(e -> {
      stuck.countDown();
      try {
        release.await();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    });
    BlockingQueue<VmEvent> bEvents = new LinkedBlockingQueue<>();
    b.subscribe(bEvents::add);

    String va = a.create(VmFixtures.minimalPayload(VmFixtures.newUuid()));
    assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
    a.stop(va); // writes on the stuck server still complete
    assertThat(a.load(va)).containsEntry("state", "stopped");
    b.create(VmFixtures.minimalPayload(VmFixtures.newUuid()));

    assertThat(bEvents.poll(10, TimeUnit.SECONDS)).isNotNull();
    release.countDown();
  }

  @Test
  void manyWritersOnRealPool_eventsOfEachVmArriveInWriteOrder() throws Exception {
    ServerVms a = store.openServer(VmFixtures.S, root.resolve("a"), VmFixtures.IDENTITY);
    BlockingQueue<VmEvent> events = new LinkedBlockingQueue<>();
    a.subscribe(events::add);
    List<String> uuids = List.of(a.create(VmFixtures.minimalPayload(VmFixtures.newUuid())),
        a.create(VmFixtures.minimalPayload(VmFixtures.newUuid())));
    ExecutorService writers = Executors.newFixedThreadPool(4);
    try {
      for (int t = 0; t < 4; t++) {
        String uuid = uuids.get(t % 2);
        writers.submit(() -> {
          for (int i = 0; i < 20; i++) {
            a.update(uuid, Map.of("set_tags", Map.of(Thread.currentThread().getName() + i, i)));
          }
          return null;
        });
      }
      writers.shutdown();
      assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      writers.shutdownNow();
    }
    int expected = 2 + 80;
    java.util.List<VmEvent> got = new java.util.ArrayList<>();
    while (got.size() < expected) {
      VmEvent e = events.poll(10, TimeUnit.SECONDS);
      assertThat(e).isNotNull();
      got.add(e);
    }
    for (String uuid : uuids) {
      List<Integer> tagCounts = got.stream().filter(e -> e.zonename().equals(uuid) && e.type() == VmEvent.Type.MODIFY)
          .map(e -> ((Map<?, ?>) e.vm().get("tags")).size()).toList();
      assertThat(tagCounts).hasSize(40).isSorted().doesNotHaveDuplicates();
    }
    List<Long> ids = got.stream().map(e -> Long.parseLong(e.id().substring(e.id().lastIndexOf('.') + 1))).toList();
    assertThat(ids).isSorted(); // one FIFO per server
  }
}
