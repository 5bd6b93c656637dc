package com.joyent.mockcloud.triton;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RequestGateTest {
  private final AtomicLong nanos = new AtomicLong(); // the gates' clock: tests move it

  /** Requests that note their name in {@code started} when sent and stay in flight until completed. */
  private static Function<String, Supplier<CompletableFuture<String>>> recording(List<String> started,
      List<CompletableFuture<String>> inFlight) {
    return name -> () -> {
      started.add(name);
      CompletableFuture<String> f = new CompletableFuture<>();
      inFlight.add(f);
      return f;
    };
  }

  @Test
  void overTheLimit_requestsWait_urgentOnesFirst_thenFifo() {
    RequestGate gate = new RequestGate(2);
    List<String> started = new ArrayList<>();
    List<CompletableFuture<String>> inFlight = new ArrayList<>();
    Function<String, Supplier<CompletableFuture<String>>> req = recording(started, inFlight);
    CompletableFuture<String> a = gate.submit(req.apply("a"));
    gate.submit(req.apply("b"));
    gate.submit(req.apply("c"));
    gate.submit(req.apply("hb"), RequestGate.Lane.HEARTBEAT);
    gate.submit(req.apply("d"));
    assertThat(started).containsExactly("a", "b");
    assertThat(gate.waiting()).isEqualTo(3);

    inFlight.get(0).complete("A");
    assertThat(a).isCompletedWithValue("A");
    assertThat(started).containsExactly("a", "b", "hb");
    inFlight.get(1).complete("B");
    inFlight.get(2).complete("HB");
    assertThat(started).containsExactly("a", "b", "hb", "c", "d");
    assertThat(gate.waiting()).isZero();
  }

  @Test
  void aWaitingReport_goesBeforeHeartbeatsThatCameAfterIt_soItsCnsHeartbeatIsNotStarved() {
    RequestGate gate = new RequestGate(1, Duration.ofSeconds(5), nanos::get);
    List<String> started = new ArrayList<>();
    List<CompletableFuture<String>> inFlight = new ArrayList<>();
    Function<String, Supplier<CompletableFuture<String>>> req = recording(started, inFlight);
    gate.submit(req.apply("first"), RequestGate.Lane.HEARTBEAT);
    gate.submit(req.apply("status"), RequestGate.Lane.REPORT);
    nanos.addAndGet(2_000_000); // waiters are ordered by the time they arrived
    gate.submit(req.apply("hb1"), RequestGate.Lane.HEARTBEAT);
    gate.submit(req.apply("hb2"), RequestGate.Lane.HEARTBEAT);

    inFlight.get(0).complete("done");
    assertThat(started).containsExactly("first", "status");
    inFlight.get(1).complete("done");
    inFlight.get(2).complete("done");
    assertThat(started).containsExactly("first", "status", "hb1", "hb2");
  }

  @Test
  void aFailedRequest_releasesItsPlace() {
    RequestGate gate = new RequestGate(1);
    CompletableFuture<String> failed = gate.submit(() -> CompletableFuture.failedFuture(new java.io.IOException("refused")));
    assertThat(failed).isCompletedExceptionally();
    CompletableFuture<String> next = gate.submit(() -> CompletableFuture.completedFuture("ok"));
    assertThat(next).isCompletedWithValue("ok");
  }

  @Test
  void anUrgentRequestThatWaitedTooLong_failsWithoutBeingSent_othersWait() {
    RequestGate gate = new RequestGate(1, Duration.ofMillis(50), nanos::get);
    CompletableFuture<String> slow = new CompletableFuture<>();
    gate.submit(() -> slow);
    List<String> sent = new ArrayList<>();
    CompletableFuture<String> stale = gate.submit(() -> {
      sent.add("stale");
      return CompletableFuture.completedFuture("x");
    }, RequestGate.Lane.HEARTBEAT);
    CompletableFuture<String> patient = gate.submit(() -> {
      sent.add("patient");
      return CompletableFuture.completedFuture("y");
    });
    nanos.addAndGet(Duration.ofMillis(100).toNanos());
    slow.complete("done");
    assertThat(stale).isCompletedExceptionally();
    assertThat(patient).isCompletedWithValue("y");
    assertThat(sent).containsExactly("patient");
    assertThat(gate.submit(() -> CompletableFuture.completedFuture("fresh"))).isCompletedWithValue("fresh");
  }

  @Test
  void freedPlaces_goToHeartbeatsThenReportsThenBulk_andBulkNeverTakesTheLastQuarter() {
    RequestGate gate = new RequestGate(4);
    List<String> started = new ArrayList<>();
    List<CompletableFuture<String>> inFlight = new ArrayList<>();
    Function<String, Supplier<CompletableFuture<String>>> req = recording(started, inFlight);
    for (String b : List.of("b1", "b2", "b3", "b4")) {
      gate.submit(req.apply(b));
    }
    assertThat(started).containsExactly("b1", "b2", "b3"); // the fourth place is kept for CN reports
    gate.submit(req.apply("status"), RequestGate.Lane.REPORT);
    assertThat(started).containsExactly("b1", "b2", "b3", "status");
    gate.submit(req.apply("hb"), RequestGate.Lane.HEARTBEAT);
    gate.submit(req.apply("sysinfo"), RequestGate.Lane.REPORT);
    assertThat(gate.waiting()).isEqualTo(3);

    inFlight.get(0).complete("done");
    assertThat(started).endsWith("hb");
    inFlight.get(1).complete("done");
    assertThat(started).endsWith("sysinfo");
    inFlight.get(2).complete("done");
    assertThat(started).endsWith("sysinfo"); // 3 in flight: b4 still waits for a bulk place
    inFlight.get(3).complete("done");
    assertThat(started).endsWith("b4");
    assertThat(gate.waiting()).isZero();
  }

  @Test
  void registrations_goAfterHeartbeatsAndReports_andNeverTakeTheLastQuarter() {
    RequestGate gate = new RequestGate(4, Duration.ofSeconds(5), nanos::get);
    List<String> started = new ArrayList<>();
    List<CompletableFuture<String>> inFlight = new ArrayList<>();
    Function<String, Supplier<CompletableFuture<String>>> req = recording(started, inFlight);
    for (String r : List.of("reg1", "reg2", "reg3", "reg4", "reg5")) {
      gate.submit(req.apply(r), RequestGate.Lane.REGISTRATION);
    }
    assertThat(started).containsExactly("reg1", "reg2", "reg3"); // the fourth place is kept
    gate.submit(req.apply("bulk"));
    nanos.addAndGet(2_000_000); // waiters are ordered by arrival: the registrations came first
    gate.submit(req.apply("hb"), RequestGate.Lane.HEARTBEAT); // takes the kept place at once
    gate.submit(req.apply("status"), RequestGate.Lane.REPORT);
    assertThat(started).containsExactly("reg1", "reg2", "reg3", "hb");

    inFlight.get(0).complete("done");
    assertThat(started).endsWith("status"); // before the registrations that waited longer
    inFlight.get(3).complete("done"); // hb answered: 3 still in flight, the last place stays free
    assertThat(started).endsWith("status");
    inFlight.get(4).complete("done"); // status answered: 2 in flight, a registration may go
    assertThat(started).endsWith("reg4");
    inFlight.get(1).complete("done");
    assertThat(started).endsWith("reg5"); // registrations before bulk
    inFlight.get(2).complete("done");
    assertThat(started).endsWith("bulk");
    assertThat(gate.waiting()).isZero();
  }

  @Test
  void singleLane_everyPlaceIsBulk_fifo_andCountsWhatWasInFlight() {
    RequestGate gate = RequestGate.singleLane(2);
    List<String> started = new ArrayList<>();
    List<CompletableFuture<String>> inFlight = new ArrayList<>();
    Function<String, Supplier<CompletableFuture<String>>> req = recording(started, inFlight);
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (String n : List.of("a", "b", "c", "d", "e")) {
      results.add(gate.submit(req.apply(n)));
    }
    assertThat(started).containsExactly("a", "b"); // no place kept back
    assertThat(gate.inFlight()).isEqualTo(2);
    inFlight.get(1).complete("B");
    assertThat(results.get(1)).isCompletedWithValue("B");
    assertThat(started).containsExactly("a", "b", "c");
    inFlight.get(0).completeExceptionally(new java.io.IOException("reset"));
    assertThat(results.get(0)).isCompletedExceptionally();
    assertThat(started).containsExactly("a", "b", "c", "d");
    inFlight.get(2).complete("C");
    inFlight.get(3).complete("D");
    inFlight.get(4).complete("E");
    assertThat(gate.inFlight()).isZero();
    assertThat(gate.maxInFlight()).isEqualTo(2);
  }

  @Test
  void aRequestThatThrows_failsAndReleasesItsPlace() {
    RequestGate gate = RequestGate.singleLane(1);
    CompletableFuture<Object> f = gate.submit(() -> {
      throw new IllegalStateException("boom");
    });
    assertThat(f).isCompletedExceptionally();
    assertThat(gate.inFlight()).isZero();
  }
}
