package com.joyent.mockcloud.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.io.FileTrees;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.util.Uuids;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * {@code snapshot save|restore} (docs/mirror.md "Snapshots of a mock fleet"): a mock root's
 * state, the fleet's {@code behaviour.json} and every CN's files but its logs, as one gzip'd
 * JSON object mapping each file's path under the root to its text. Saving while run-servers
 * runs is safe because every file there is replaced by rename: each is read whole, in its old
 * or its new version, never torn (the guarantee a {@code kill -9} gives). Restoring checks the
 * whole snapshot first, then builds each CN missing from the root under {@code .staging/} and
 * renames it in; a CN the root has is brought to the snapshot file by file, each replaced
 * atomically, so a running daemon sees ordinary changes to its VM files; a CN the snapshot
 * lacks is moved out of {@code servers/} in one rename and removed.
 */
public final class FleetSnapshot {
  public static final String FORMAT = "mockcloud-snapshot";
  public static final int VERSION = 1;

  private FleetSnapshot() {}

  /** What a save or a restore did. */
  public record Summary(int servers, int files, int removedServers) {}

  public static Summary save(Path root, Path out) throws IOException {
    Map<String, String> files = new TreeMap<>();
    Path behaviour = root.resolve("behaviour.json");
    readInto(files, root, behaviour);
    Path servers = root.resolve("servers");
    if (!Files.isDirectory(servers)) {
      throw new IOException("no servers directory " + servers + " (is " + root + " a mockcloud root?)");
    }
    int n = 0;
    for (Path cn : list(servers)) {
      if (!Uuids.isUuid(cn.getFileName().toString()) || !Files.isDirectory(cn)) {
        continue;
      }
      try {
        walk(files, root, cn, true);
        n++;
      } catch (NoSuchFileException e) {
        // A CN deleted while we read it: what was read of it goes with it.
        files.keySet().removeIf(k -> k.startsWith("servers/" + cn.getFileName() + "/"));
      }
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("format", FORMAT);
    doc.put("version", VERSION);
    doc.put("saved_at", Instant.now().toString());
    doc.put("files", files);
    Path abs = out.toAbsolutePath();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".partial");
    try (OutputStream o = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
      o.write(Json.compactBytes(doc));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new Summary(n, files.size(), 0);
  }

  /**
   * Every file of a CN directory but its logs, temp files and dot-names. Files and directories
   * vanish while we read (a VM file's temp file renamed, a VM destroyed): they are skipped; only
   * the CN directory itself vanishing ({@code top}) throws.
   */
  private static void walk(Map<String, String> files, Path root, Path dir, boolean top) throws IOException {
    List<Path> entries;
    try {
      entries = list(dir);
    } catch (NoSuchFileException e) {
      if (top) {
        throw e;
      }
      return;
    }
    for (Path p : entries) {
      String name = p.getFileName().toString();
      if (name.startsWith(".") || AtomicFiles.isTempFile(p) || top && name.equals("logs")) {
        continue;
      }
      if (Files.isDirectory(p)) {
        walk(files, root, p, false);
      } else if (Files.isRegularFile(p)) {
        readInto(files, root, p);
      }
    }
  }

  private static void readInto(Map<String, String> files, Path root, Path p) throws IOException {
    try {
      files.put(root.relativize(p).toString().replace('\\', '/'), Files.readString(p, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      // Deleted between listing and reading (a VM destroyed meanwhile): not part of the snapshot.
    }
  }

  public static Summary restore(Path file, Path root) throws IOException {
    Map<String, Map<String, String>> byServer = new TreeMap<>();
    String behaviour = null;
    for (Map.Entry<String, String> e : read(file).entrySet()) {
      String[] parts = e.getKey().split("/", 3);
      if (e.getKey().equals("behaviour.json")) {
        behaviour = e.getValue();
      } else {
        byServer.computeIfAbsent(parts[1], k -> new TreeMap<>()).put(parts[2], e.getValue());
      }
    }
    Path servers = root.resolve("servers");
    Files.createDirectories(servers);
    int files = 0;
    for (Map.Entry<String, Map<String, String>> cn : byServer.entrySet()) {
      Path dir = servers.resolve(cn.getKey());
      if (Files.isDirectory(dir)) {
        files += syncInPlace(dir, cn.getValue());
      } else {
        Path staged = root.resolve(".staging").resolve(cn.getKey());
        FileTrees.deleteTree(staged);
        for (Map.Entry<String, String> f : cn.getValue().entrySet()) {
          Path p = staged.resolve(f.getKey());
          Files.createDirectories(p.getParent());
          AtomicFiles.write(p, f.getValue().getBytes(StandardCharsets.UTF_8));
          files++;
        }
        Files.createDirectories(staged.resolve("vms"));
        Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
      }
    }
    int removed = 0;
    for (Path cn : list(servers)) {
      String name = cn.getFileName().toString();
      if (Uuids.isUuid(name) && !byServer.containsKey(name)) {
        Path gone = root.resolve(".staging").resolve("removed-" + name);
        Files.createDirectories(gone.getParent());
        FileTrees.deleteTree(gone);
        Files.move(cn, gone, StandardCopyOption.ATOMIC_MOVE);
        FileTrees.deleteTree(gone);
        removed++;
      }
    }
    Path fleetBehaviour = root.resolve("behaviour.json");
    if (behaviour != null) {
      AtomicFiles.write(fleetBehaviour, behaviour.getBytes(StandardCharsets.UTF_8));
    } else {
      Files.deleteIfExists(fleetBehaviour);
    }
    return new Summary(byServer.size(), files, removed);
  }

  /** One CN's files brought to the snapshot's: each changed file replaced atomically, VM files it lacks removed. */
  private static int syncInPlace(Path dir, Map<String, String> wanted) throws IOException {
    int n = 0;
    for (Map.Entry<String, String> f : wanted.entrySet()) {
      Path p = dir.resolve(f.getKey());
      byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
      if (Files.isRegularFile(p) && java.util.Arrays.equals(Files.readAllBytes(p), content)) {
        continue;
      }
      Files.createDirectories(p.getParent());
      AtomicFiles.write(p, content);
      n++;
    }
    Set<String> keep = new HashSet<>(wanted.keySet());
    for (String sub : List.of("vms", "")) {
      Path d = sub.isEmpty() ? dir : dir.resolve(sub);
      if (!Files.isDirectory(d)) {
        continue;
      }
      for (Path p : list(d)) {
        String rel = dir.relativize(p).toString().replace('\\', '/');
        if (Files.isRegularFile(p) && rel.endsWith(".json") && !keep.contains(rel)) {
          Files.delete(p);
          n++;
        }
      }
    }
    return n;
  }

  /** The snapshot's files, every path checked to be one a save writes. */
  private static Map<String, String> read(Path file) throws IOException {
    Object doc;
    try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      doc = Json.MAPPER.readValue(in, Object.class);
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": no such file");
    } catch (ZipException e) {
      throw new IOException(file + ": not a snapshot (not gzip-compressed)");
    } catch (EOFException | com.fasterxml.jackson.core.io.JsonEOFException e) {
      throw new IOException(file + ": the snapshot is truncated");
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": the snapshot is not valid JSON: " + e.getOriginalMessage());
    }
    if (!(doc instanceof Map<?, ?> m) || !FORMAT.equals(m.get("format"))) {
      throw new IOException(file + ": not a snapshot (format is not \"" + FORMAT + "\")");
    }
    if (!(m.get("version") instanceof Integer v) || v != VERSION) {
      throw new IOException(file + ": snapshot version " + Json.compact(m.get("version")) + " is not " + VERSION);
    }
    if (!(m.get("files") instanceof Map<?, ?> raw)) {
      throw new IOException(file + ": the snapshot has no files object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : raw.entrySet()) {
      String path = String.valueOf(e.getKey());
      if (!validPath(path) || !(e.getValue() instanceof String text)) {
        throw new IOException(file + ": the snapshot names a file a save never writes: " + Json.compact(path));
      }
      out.put(path, text);
    }
    return out;
  }

  private static boolean validPath(String path) {
    if (path.equals("behaviour.json")) {
      return true;
    }
    String[] parts = path.split("/", -1);
    if (parts.length < 3 || !parts[0].equals("servers") || !Uuids.isUuid(parts[1])) {
      return false;
    }
    for (int i = 2; i < parts.length; i++) {
      if (parts[i].isEmpty() || parts[i].startsWith(".") || !parts[i].matches("[A-Za-z0-9._-]+")) {
        return false;
      }
    }
    return !parts[2].equals("logs");
  }

  private static List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(out::add);
    }
    return out;
  }
}
