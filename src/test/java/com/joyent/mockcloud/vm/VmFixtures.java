package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.TestClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test helper: a store over a temp root with inline event delivery, no watching, a settable
 * clock, the spec §6 server {@code S} (testdc, 20180806T115631Z), payload builders and readers
 * of the files on disk.
 */
final class VmFixtures implements AutoCloseable {
  static final String S = "564d0b1a-94f0-4a7e-a0c2-5f2b0c7d3e11";
  static final String S2 = "8a3e0b5c-1f2d-4c3b-9a8e-7d6c5b4a3f21";
  static final ServerIdentity IDENTITY = new ServerIdentity(S, "testdc", "20180806T115631Z");
  static final String OWNER = "930896af-bf8c-48d4-885c-6573a94b1853";
  static final String IMAGE = "cd2d08a0-83f1-11e5-8684-f383641a9854";

  final Path root;
  final TestClock clock = TestClock.frozenAt(Instant.parse("2024-05-01T12:34:56.789Z"));
  final VmStore store;
  final ServerVms vms;

  VmFixtures(Path root) {
    this(root, VmFileSystem.SYSTEM);
  }

  VmFixtures(Path root, VmFileSystem fs) {
    this.root = root;
    this.store = VmStore.builder().fileSystem(fs).clock(clock).executor(Runnable::run)
        .watchMode(VmStore.WatchMode.OFF).build();
    this.vms = store.openServer(S, serverDir(S), IDENTITY);
  }

  Path serverDir(String server) {
    return root.resolve("servers").resolve(server);
  }

  Path file(String vmUuid) {
    return serverDir(S).resolve("vms").resolve(vmUuid + ".json");
  }

  /** The object in the VM file, parsed. */
  Map<String, Object> onDisk(String vmUuid) {
    try {
      return Json.parseObject(Files.readAllBytes(file(vmUuid)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long mtime(String vmUuid) {
    try {
      return Files.getLastModifiedTime(file(vmUuid)).toMillis();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A typical joyent-minimal VM with one admin NIC, as cn-agent's create would pass it. */
  static Map<String, Object> minimalPayload(String uuid) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", uuid);
    p.put("owner_uuid", OWNER);
    p.put("brand", "joyent-minimal");
    p.put("image_uuid", IMAGE);
    p.put("alias", "testvm");
    p.put("max_physical_memory", 128);
    p.put("max_swap", 256);
    p.put("quota", 10);
    p.put("cpu_cap", 100);
    p.put("customer_metadata", new LinkedHashMap<>());
    p.put("internal_metadata", new LinkedHashMap<>());
    p.put("tags", new LinkedHashMap<>());
    p.put("resolvers", new ArrayList<>(List.of("10.99.99.11")));
    p.put("nics", new ArrayList<>(List.of(nic("90:b8:d0:2f:6b:5d", "10.99.99.40", true))));
    return p;
  }

  static Map<String, Object> nic(String mac, String ip, boolean primary) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("mac", mac);
    if (primary) {
      n.put("primary", true);
    }
    n.put("ip", ip);
    n.put("netmask", "255.255.255.0");
    n.put("vlan_id", 0);
    n.put("nic_tag", "admin");
    n.put("mtu", 1500);
    n.put("network_uuid", "54f38ed1-bf03-4c6c-8b56-6182145ffc80");
    return n;
  }

  private static final AtomicLong SEQ = new AtomicLong(1);

  static String newUuid() {
    return String.format("00000000-0000-4000-8000-%012x", SEQ.getAndIncrement());
  }

  String createMinimal() {
    return vms.create(minimalPayload(newUuid()));
  }

  @Override
  public void close() {
    store.close();
  }

}
