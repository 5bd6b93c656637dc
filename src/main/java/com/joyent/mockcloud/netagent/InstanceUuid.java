package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.util.Uuids;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The per-CN agent instance uuid, {@code <server>/agents/net-agent/instance_uuid} (uuid and a
 * newline; spec §2.2 step 3), used as the changefeed {@code instance}. Created when missing:
 * written to a temp file and hard-linked into place, so two racing creators agree on one value
 * and no reader ever sees a partial file. Blocks on disk: call from the worker pool.
 */
final class InstanceUuid {
  private InstanceUuid() {}

  static String ensure(Path agentDir) throws IOException {
    Path file = agentDir.resolve("instance_uuid");
    String existing = read(file);
    if (existing != null) {
      return existing;
    }
    Files.createDirectories(agentDir);
    Path tmp = agentDir.resolve("instance_uuid." + ProcessHandle.current().pid() + "." + System.nanoTime());
    try {
      Files.write(tmp, (UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8));
      try {
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException e) {
        // someone else won the race: use theirs
      } catch (UnsupportedOperationException e) {
        try {
          Files.move(tmp, file); // no REPLACE_EXISTING: fails if the file appeared meanwhile
        } catch (FileAlreadyExistsException ignored) {
          // someone else won the race
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    String v = read(file);
    if (v == null) {
      throw new IOException(file + " does not hold a UUID");
    }
    return v;
  }

  private static String read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    String s = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (!Uuids.isUuid(s)) {
      throw new IOException(file + " does not hold a UUID: \"" + s + "\"");
    }
    return s;
  }
}
