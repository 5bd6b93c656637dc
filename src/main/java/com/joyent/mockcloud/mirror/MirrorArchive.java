package com.joyent.mockcloud.mirror;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.joyent.mockcloud.json.Json;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * One exported datacenter (docs/mirror.md "The archive"): a gzip-compressed JSON object with
 * {@code format}, {@code version}, {@code exported_at}, {@code source}, {@code anonymised},
 * {@code counts} and one array per kind of object, each object as its API answered it. Read
 * whole or refused whole: a truncated file, another format, a newer version or counts that
 * do not match the arrays are a {@link BadArchiveException} naming what is wrong.
 */
public final class MirrorArchive {
  public static final String FORMAT = "mockcloud-mirror";
  public static final int VERSION = 1;
  /** The sections, in the order they are written and imported. */
  public static final List<String> SECTIONS = List.of("nic_tags", "networks", "network_pools", "servers", "vms",
      "nics", "packages");

  private final Map<String, Object> header;
  private final Map<String, List<Map<String, Object>>> sections;

  private MirrorArchive(Map<String, Object> header, Map<String, List<Map<String, Object>>> sections) {
    this.header = header;
    this.sections = sections;
  }

  /** A new archive of these sections (missing ones empty); {@code source} describes where it came from. */
  public static MirrorArchive of(Map<String, Object> source, String exportedAt, boolean anonymised,
      Map<String, List<Map<String, Object>>> sections) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("format", FORMAT);
    header.put("version", VERSION);
    header.put("exported_at", exportedAt);
    header.put("source", source);
    header.put("anonymised", anonymised);
    Map<String, List<Map<String, Object>>> all = new LinkedHashMap<>();
    Map<String, Object> counts = new LinkedHashMap<>();
    for (String s : SECTIONS) {
      List<Map<String, Object>> items = sections.getOrDefault(s, List.of());
      all.put(s, items);
      counts.put(s, items.size());
    }
    header.put("counts", counts);
    return new MirrorArchive(header, all);
  }

  public List<Map<String, Object>> section(String name) {
    List<Map<String, Object>> s = sections.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no section " + name);
    }
    return s;
  }

  public Map<String, Object> source() {
    @SuppressWarnings("unchecked")
    Map<String, Object> s = header.get("source") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    return s;
  }

  /** The source datacenter's name (from its servers' sysinfo at export), or null. */
  public String datacenter() {
    return source().get("datacenter") instanceof String s ? s : null;
  }

  public boolean anonymised() {
    return Boolean.TRUE.equals(header.get("anonymised"));
  }

  public String exportedAt() {
    return String.valueOf(header.get("exported_at"));
  }

  /** Writes the archive to {@code file} atomically: a temp file beside it, renamed once complete. */
  public void write(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".partial");
    Map<String, Object> doc = new LinkedHashMap<>(header);
    doc.putAll(sections);
    try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)), 1 << 16)) {
      Json.MAPPER.writeValue(out, doc); // closes (finishes) the gzip stream; the second close is a no-op
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Reads and checks an archive; every failure is a {@link BadArchiveException} or the file's own I/O error. */
  public static MirrorArchive read(Path file) throws IOException {
    Object doc;
    try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)), 1 << 16)) {
      doc = Json.MAPPER.readValue(in, Object.class);
    } catch (NoSuchFileException e) {
      throw new BadArchiveException(file + ": no such file");
    } catch (ZipException e) {
      throw new BadArchiveException(file + ": not a mirror archive (not gzip-compressed: " + e.getMessage() + ")");
    } catch (EOFException | com.fasterxml.jackson.core.io.JsonEOFException e) {
      throw new BadArchiveException(file + ": the archive is truncated (it ends before its data does)");
    } catch (JsonProcessingException e) {
      throw new BadArchiveException(file + ": the archive is not valid JSON: " + e.getOriginalMessage());
    }
    if (!(doc instanceof Map<?, ?> m)) {
      throw new BadArchiveException(file + ": not a mirror archive (not a JSON object)");
    }
    if (!FORMAT.equals(m.get("format"))) {
      throw new BadArchiveException(file + ": not a mirror archive (format is " + Json.compact(m.get("format"))
          + ", not \"" + FORMAT + "\")");
    }
    if (!(m.get("version") instanceof Integer v) || v < 1) {
      throw new BadArchiveException(file + ": bad archive version " + Json.compact(m.get("version")));
    }
    if (v > VERSION) {
      throw new BadArchiveException(file + ": archive version " + v + " is newer than this mockcloud reads ("
          + VERSION + ")");
    }
    Map<String, Object> header = new LinkedHashMap<>();
    Map<String, List<Map<String, Object>>> sections = new LinkedHashMap<>();
    Map<?, ?> counts = m.get("counts") instanceof Map<?, ?> c ? c : Map.of();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!SECTIONS.contains(e.getKey())) {
        header.put(String.valueOf(e.getKey()), e.getValue());
      }
    }
    for (String s : SECTIONS) {
      Object raw = m.get(s);
      if (raw == null) {
        raw = List.of();
      }
      if (!(raw instanceof List<?> list)) {
        throw new BadArchiveException(file + ": section " + s + " is not an array");
      }
      List<Map<String, Object>> items = new ArrayList<>(list.size());
      for (Object o : list) {
        if (!(o instanceof Map<?, ?>)) {
          throw new BadArchiveException(file + ": section " + s + " holds " + Json.compact(o) + ", not an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> item = (Map<String, Object>) o;
        items.add(item);
      }
      Object count = counts.get(s);
      if (count instanceof Integer n && n != items.size()) {
        throw new BadArchiveException(file + ": section " + s + " has " + items.size() + " objects, its count says "
            + n + " (the archive was cut or edited)");
      }
      sections.put(s, items);
    }
    return new MirrorArchive(header, sections);
  }

  /** An archive that cannot be used; nothing has been read from the target or written to it. */
  public static final class BadArchiveException extends IOException {
    public BadArchiveException(String message) {
      super(message);
    }
  }
}
