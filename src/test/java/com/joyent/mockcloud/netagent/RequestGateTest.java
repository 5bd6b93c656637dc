package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The process-wide bound on NAPI requests in flight. Runs inline: no threads, no waiting. */
class RequestGateTest {
  @Test
  void submit_overLimit_waitsInFifo_andStartsAsSlotsFree() {
    RequestGate gate = new RequestGate(2);
    List<CompletableFuture<String>> pending = new ArrayList<>();
    List<Integer> started = new ArrayList<>();
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      results.add(gate.submit(() -> {
        started.add(n);
        CompletableFuture<String> f = new CompletableFuture<>();
        pending.add(f);
        return f;
      }, Runnable::run));
    }
    assertThat(started).containsExactly(0, 1);
    assertThat(gate.inFlight()).isEqualTo(2);
    pending.get(1).complete("b");
    assertThat(started).containsExactly(0, 1, 2);
    assertThat(results.get(1)).isCompletedWithValue("b");
    pending.get(0).completeExceptionally(new java.io.IOException("reset"));
    assertThat(results.get(0)).isCompletedExceptionally();
    assertThat(started).containsExactly(0, 1, 2, 3);
    pending.get(2).complete("c");
    pending.get(3).complete("d");
    pending.get(4).complete("e");
    assertThat(gate.inFlight()).isZero();
    assertThat(gate.maxSeen()).isEqualTo(2);
  }

  @Test
  void submit_requestThrows_slotIsReturned() {
    RequestGate gate = new RequestGate(1);
    CompletableFuture<Object> f = gate.submit(() -> {
      throw new IllegalStateException("boom");
    }, Runnable::run);
    assertThat(f).isCompletedExceptionally();
    assertThat(gate.inFlight()).isZero();
  }
}
