package com.joyent.mockcloud.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void write_replacesContentAndLeavesNoTempFile() throws Exception {
    Path f = dir.resolve("a.json");
    AtomicFiles.write(f, "old".getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(f, "new".getBytes(StandardCharsets.UTF_8));
    assertThat(Files.readString(f)).isEqualTo("new");
    assertThat(names()).containsExactly("a.json");
  }

  @Test
  void write_renameFails_keepsOldContentAndRemovesTemp() throws Exception {
    Path target = dir.resolve("b.json");
    Files.createDirectories(target.resolve("child")); // a non-empty directory cannot be replaced
    assertThatThrownBy(() -> AtomicFiles.write(target, "x".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class);
    assertThat(Files.isDirectory(target.resolve("child"))).isTrue();
    assertThat(names()).containsExactly("b.json");
  }

  @Test
  void readers_neverSeeAPartialFile() throws Exception {
    Path f = dir.resolve("c.json");
    byte[] small = "{\"v\":1}".getBytes(StandardCharsets.UTF_8);
    byte[] large = ("{\"v\":\"" + "x".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(f, small, false);
    AtomicBoolean stop = new AtomicBoolean();
    List<Integer> badSizes = new ArrayList<>();
    Thread reader = new Thread(() -> {
      while (!stop.get()) {
        try {
          int n = Files.readAllBytes(f).length;
          if (n != small.length && n != large.length) {
            synchronized (badSizes) {
              badSizes.add(n);
            }
          }
        } catch (IOException e) {
          synchronized (badSizes) {
            badSizes.add(-1);
          }
        }
      }
    });
    reader.start();
    for (int i = 0; i < 200; i++) {
      AtomicFiles.write(f, i % 2 == 0 ? large : small, false);
    }
    stop.set(true);
    reader.join();
    assertThat(badSizes).isEmpty();
  }

  @Test
  void isTempFile_recognisesLeftoversOnly() {
    assertThat(AtomicFiles.isTempFile(Path.of("x.json.1234"))).isTrue();
    assertThat(AtomicFiles.isTempFile(Path.of("x.json.1234.7"))).isTrue();
    assertThat(AtomicFiles.isTempFile(Path.of("x.json"))).isFalse();
    assertThat(AtomicFiles.isTempFile(AtomicFiles.tempPathFor(Path.of("/d/x.json")))).isTrue();
  }
}
