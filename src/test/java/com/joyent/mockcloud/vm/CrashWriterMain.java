package com.joyent.mockcloud.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Child process for {@link VmStoreCrashTest}: creates three VMs on server S under the given root,
 * prints {@code ready}, then rewrites them as fast as it can until it is killed.
 */
public final class CrashWriterMain {
  private CrashWriterMain() {}

  public static void main(String[] args) {
    Path root = Path.of(args[0]);
    VmStore store = VmStore.builder().executor(Runnable::run).watchMode(VmStore.WatchMode.OFF).build();
    ServerVms vms = store.openServer(VmFixtures.S, root.resolve("servers").resolve(VmFixtures.S), VmFixtures.IDENTITY);
    List<String> uuids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String uuid = String.format("00000000-0000-4000-8000-%012d", i);
      if (!vms.exists(uuid, true)) {
        vms.create(VmFixtures.minimalPayload(uuid));
      }
      uuids.add(uuid);
    }
    System.out.println("ready");
    System.out.flush();
    for (long n = 0; ; n++) {
      String uuid = uuids.get((int) (n % uuids.size()));
      // Vary the size so a torn write would be visible as invalid JSON.
      vms.update(uuid, Map.of("alias", "x".repeat((int) (n % 500)), "set_tags", Map.of("n", n)));
    }
  }
}
