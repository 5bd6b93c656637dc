package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceUuidTest {
  @TempDir Path tmp;

  @Test
  void ensure_missing_createsUuidAndNewline_thenReusesIt() throws Exception {
    Path dir = tmp.resolve("agents/net-agent");
    String first = InstanceUuid.ensure(dir);
    assertThat(Files.readString(dir.resolve("instance_uuid"))).isEqualTo(first + "\n");
    assertThat(InstanceUuid.ensure(dir)).isEqualTo(first);
    try (var files = Files.list(dir)) {
      assertThat(files.toList()).hasSize(1); // no temp file left behind
    }
  }

  @Test
  void ensure_racingCreators_agreeOnOneValue() throws Exception {
    Path dir = tmp.resolve("agents/net-agent");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Callable<String> c = () -> InstanceUuid.ensure(dir);
      List<Future<String>> all = pool.invokeAll(List.of(c, c, c, c, c, c, c, c));
      Set<String> seen = new HashSet<>();
      for (Future<String> f : all) {
        seen.add(f.get());
      }
      assertThat(seen).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void ensure_garbageInFile_isAnError() throws Exception {
    Path dir = tmp.resolve("agents/net-agent");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("instance_uuid"), "not a uuid\n");
    assertThatThrownBy(() -> InstanceUuid.ensure(dir)).isInstanceOf(IOException.class).hasMessageContaining("UUID");
  }
}
