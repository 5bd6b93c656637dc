package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.util.Uuids;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agents a CN reports to CNAPI, read from {@code agents/<dir>/} (spec §4.3.1):
 * {@code name, image_uuid, uuid, version}, sorted by directory name. A broken entry fails
 * the whole list, as in the reference.
 */
public final class AgentsList {
  private AgentsList() {}

  public static List<Map<String, Object>> read(Path agentsDir) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    if (!Files.isDirectory(agentsDir)) {
      return out;
    }
    List<Path> dirs = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(agentsDir)) {
      ds.forEach(dirs::add);
    }
    dirs.sort(null);
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        throw new IOException(dir + " is not an agent directory");
      }
      Map<String, Object> pkg = Map.of();
      Path pj = dir.resolve("package.json");
      if (Files.exists(pj)) {
        try {
          pkg = Json.parseObject(Files.readAllBytes(pj));
        } catch (Json.JsonFormatException e) {
          throw new IOException(pj + ": " + e.getMessage());
        }
      }
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("name", pkg.get("name") instanceof String n ? n : dir.getFileName().toString());
      putUuid(a, "image_uuid", dir.resolve("image_uuid"));
      putUuid(a, "uuid", dir.resolve("instance_uuid"));
      if (pkg.get("version") instanceof String v) {
        a.put("version", v);
      }
      out.add(a);
    }
    return out;
  }

  private static void putUuid(Map<String, Object> a, String key, Path file) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    String v = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (!Uuids.isUuid(v)) {
      throw new IOException(file + " does not hold a UUID");
    }
    a.put(key, v);
  }
}
