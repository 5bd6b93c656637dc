package com.joyent.mockcloud.firewaller;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.util.Uuids;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A CN's firewall state as fwadm keeps it under {@code /var/fw/}, here {@code <cn>/fw/}: one
 * {@code rules/<uuid>.json} per rule (the rule as fwrule serializes it) and one
 * {@code vms/<uuid>.json} per remote VM ({@code uuid}, sorted {@code ips}, {@code tags} when it
 * has some, {@code owner_uuid}), pretty-printed with two spaces and written atomically. Files
 * that are not {@code <uuid>.json} are ignored, as fwadm skips them.
 */
public final class FwState {
  private final Path rules;
  private final Path vms;

  public FwState(Path cnDir) {
    this.rules = cnDir.resolve("fw").resolve("rules");
    this.vms = cnDir.resolve("fw").resolve("vms");
  }

  public List<Map<String, Object>> rules() throws IOException {
    return list(rules);
  }

  public List<Map<String, Object>> remoteVms() throws IOException {
    return list(vms);
  }

  public Map<String, Object> rule(String uuid) throws IOException {
    return read(rules, uuid);
  }

  public Map<String, Object> remoteVm(String uuid) throws IOException {
    return read(vms, uuid);
  }

  /** Writes the rule; returns false when the file already held exactly it. */
  public boolean putRule(Map<String, Object> rule) throws IOException {
    return write(rules, (String) rule.get("uuid"), rule);
  }

  public boolean putRemoteVm(Map<String, Object> rvm) throws IOException {
    return write(vms, (String) rvm.get("uuid"), rvm);
  }

  public boolean deleteRule(String uuid) throws IOException {
    return Uuids.isUuid(uuid) && Files.deleteIfExists(rules.resolve(uuid + ".json"));
  }

  public boolean deleteRemoteVm(String uuid) throws IOException {
    return Uuids.isUuid(uuid) && Files.deleteIfExists(vms.resolve(uuid + ".json"));
  }

  private static boolean write(Path dir, String uuid, Map<String, Object> value) throws IOException {
    if (!Uuids.isUuid(uuid)) {
      throw new IOException("not a uuid: " + uuid);
    }
    Path f = dir.resolve(uuid + ".json");
    byte[] bytes = Json.prettyBytes(value, 2);
    if (Files.isRegularFile(f) && java.util.Arrays.equals(Files.readAllBytes(f), bytes)) {
      return false;
    }
    Files.createDirectories(dir);
    AtomicFiles.write(f, bytes, false);
    return true;
  }

  private static Map<String, Object> read(Path dir, String uuid) throws IOException {
    if (!Uuids.isUuid(uuid)) {
      return null;
    }
    Path f = dir.resolve(uuid + ".json");
    try {
      return Json.parseObject(Files.readAllBytes(f));
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  /** Every {@code <uuid>.json} of the directory, sorted by uuid (fwadm list's order). */
  private static List<Map<String, Object>> list(Path dir) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> {
        String n = p.getFileName().toString();
        return n.endsWith(".json") && Uuids.isUuid(n.substring(0, n.length() - 5));
      }).sorted().toList();
    }
    for (Path f : files) {
      try {
        out.add(Json.parseObject(Files.readAllBytes(f)));
      } catch (java.nio.file.NoSuchFileException e) {
        // removed since the listing
      }
    }
    return out;
  }
}
