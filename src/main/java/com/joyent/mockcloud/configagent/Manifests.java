package com.joyent.mockcloud.configagent;

import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which manifests config-agent renders for one instance: SAPI's (by name; of two with the same
 * path the first), then the agent's local ones, {@code sapi_manifests/<name>/manifest.json}
 * with its {@code template} beside it, each replacing a SAPI manifest of the same name or path
 * (sdc-config-agent's resolveManifests). On a mock CN the agent's directory
 * {@code agents/<agent>/} stands for its install directory.
 */
final class Manifests {
  /** One manifest: where it goes, its template, and the command the real agent runs after a write. */
  record Manifest(String name, String path, String template, String postCmd) {}

  private Manifests() {}

  /**
   * @param fromSapi GetConfig's {@code manifests}
   * @param problems where a manifest that cannot be used is described (and skipped)
   */
  static List<Manifest> resolve(List<?> fromSapi, List<Manifest> local, List<String> problems) {
    Map<String, Manifest> byName = new LinkedHashMap<>();
    for (Object o : fromSapi) {
      Manifest m = o instanceof Map<?, ?> map ? of(map) : null;
      if (m == null) {
        problems.add("a SAPI manifest without a string name, path and template: " + Json.compact(o));
      } else if (byName.values().stream().noneMatch(x -> x.path().equals(m.path()))) {
        byName.putIfAbsent(m.name(), m);
      }
    }
    List<Manifest> locals = new ArrayList<>();
    for (Manifest m : local) {
      if (locals.stream().noneMatch(x -> x.path().equals(m.path()))) {
        locals.add(m);
      }
    }
    for (Manifest m : locals) {
      byName.values().removeIf(x -> x.name().equals(m.name()) || x.path().equals(m.path()));
      byName.put(m.name(), m);
    }
    return new ArrayList<>(byName.values());
  }

  /** The agent's local manifests, in name order; a broken one is described in {@code problems}. */
  static List<Manifest> local(Path agentDir, List<String> problems) throws IOException {
    Path dir = agentDir.resolve("sapi_manifests");
    List<Manifest> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    TreeSet<Path> entries = new TreeSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(entries::add);
    }
    for (Path e : entries) {
      try {
        Map<String, Object> json = Json.parseObject(Files.readAllBytes(e.resolve("manifest.json")));
        json.put("template", Files.readString(e.resolve("template"), StandardCharsets.UTF_8));
        Manifest m = of(json);
        if (m == null) {
          problems.add(e + "/manifest.json needs a string name and path");
        } else {
          out.add(m);
        }
      } catch (IOException | Json.JsonFormatException ex) {
        problems.add("cannot read " + e + ": " + ex.getMessage());
      }
    }
    return out;
  }

  private static Manifest of(Map<?, ?> m) {
    if (m.get("name") instanceof String name && m.get("path") instanceof String path
        && m.get("template") instanceof String template) {
      return new Manifest(name, path, template, m.get("post_cmd") instanceof String c && !c.isEmpty() ? c : null);
    }
    return null;
  }
}
