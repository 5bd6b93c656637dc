package com.joyent.mockcloud.server;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * One mock CN on disk: {@code <root>/servers/<uuid>/} with {@code sysinfo.json},
 * {@code vms/}, {@code agents/} and {@code logs/} (spec cn-agent.md §5.1), and the optional
 * {@code traits.json} (the CNAPI traits the CN asserts at every start). Knows paths
 * and reads/writes sysinfo; holds no state, so it is cheap to make one on demand.
 */
public record ServerDirectory(UUID uuid, Path dir) {
  public static final String SYSINFO = "sysinfo.json";
  public static final String TRAITS = "traits.json";

  public Path sysinfoFile() {
    return dir.resolve(SYSINFO);
  }

  public Path vmsDir() {
    return dir.resolve("vms");
  }

  public Path agentsDir() {
    return dir.resolve("agents");
  }

  public Path logsDir() {
    return dir.resolve("logs");
  }

  public Map<String, Object> readSysinfo() throws IOException {
    try {
      return Json.parseObject(Files.readAllBytes(sysinfoFile()));
    } catch (Json.JsonFormatException e) {
      throw new IOException(sysinfoFile() + " is not a JSON object: " + e.getMessage());
    }
  }

  /**
   * Replaces sysinfo.json atomically.
   *
   * @param indent 4 as create-server writes it, 2 as tasks rewrite it
   */
  public void writeSysinfo(Map<String, Object> sysinfo, int indent) throws IOException {
    AtomicFiles.write(sysinfoFile(), Json.prettyBytes(sysinfo, indent));
  }

  public Path traitsFile() {
    return dir.resolve(TRAITS);
  }

  /** The CN's own traits, or null when it has no traits.json. */
  public Map<String, Object> readTraits() throws IOException {
    if (!Files.exists(traitsFile())) {
      return null;
    }
    try {
      return Json.parseObject(Files.readAllBytes(traitsFile()));
    } catch (Json.JsonFormatException e) {
      throw new IOException(traitsFile() + " is not a JSON object: " + e.getMessage());
    }
  }

  public void writeTraits(Map<String, Object> traits) throws IOException {
    AtomicFiles.write(traitsFile(), Json.prettyBytes(traits, 2));
  }

  /** Number of VM files ({@code vms/*.json}); temp files and other names are not VMs. */
  public int vmCount() throws IOException {
    if (!Files.isDirectory(vmsDir())) {
      return 0;
    }
    int n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(vmsDir(), "*.json")) {
      for (Path ignored : ds) {
        n++;
      }
    }
    return n;
  }
}
