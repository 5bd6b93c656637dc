package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} at a random moment of a write storm (a real child JVM, SIGKILL): every VM file
 * is afterwards a complete old or new version, and a new store opens the server cleanly.
 */
class VmStoreCrashTest {
  @TempDir Path root;

  @Test
  void killDashNine_duringWrites_leavesOnlyCompleteVmFiles() throws Exception {
    long[] delaysMs = {50, 180, 400};
    for (long delay : delaysMs) {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), "-Dmockcloud.log.level=error",
          CrashWriterMain.class.getName(), root.toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        assertThat(out.readLine()).isEqualTo("ready");
        // real sleep: lets another process write for a while before it is killed
        Thread.sleep(delay);
        p.destroyForcibly(); // SIGKILL on Unix
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      assertAllVmFilesComplete();
    }
  }

  private void assertAllVmFilesComplete() throws Exception {
    Path dir = root.resolve("servers").resolve(VmFixtures.S).resolve("vms");
    int vmFiles = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (name.endsWith(".json")) {
          Map<String, Object> vm = Json.parseObject(Files.readAllBytes(f));
          assertThat(name).isEqualTo(vm.get("uuid") + ".json");
          vmFiles++;
        } else {
          assertThat(name).as("only temp files of the killed writer may be left").matches(".+\\.json\\.\\d+\\.\\d+");
        }
      }
    }
    assertThat(vmFiles).isEqualTo(3);
    try (VmStore store = VmStore.builder().executor(Runnable::run).watchMode(VmStore.WatchMode.OFF).build()) {
      ServerVms vms = store.openServer(VmFixtures.S, root.resolve("servers").resolve(VmFixtures.S), VmFixtures.IDENTITY);
      List<Map<String, Object>> all = vms.lookup(Map.of(), List.of("uuid", "tags"));
      assertThat(all).hasSize(3);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .as("the killed writer's temp files are gone once the server is opened again, however recent")
          .allMatch(name -> name.endsWith(".json"));
    }
  }
}
