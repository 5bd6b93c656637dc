package com.joyent.mockcloud.behaviour;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The behaviour files of a fleet: {@code <root>/behaviour.json} for every CN and
 * {@code <server dir>/behaviour.json} for one, whose keys override the fleet's
 * (docs/behaviour.md). A file is read again when the caller says it may have changed (a watch
 * event or a poll) and its mtime or size differ; one that does not parse or check is logged
 * once as a warning and the behaviour before it stays. No file is an ideal CN. Thread-safe.
 */
public final class FleetBehaviour {
  public static final String FILE = "behaviour.json";
  private static final Logger LOG = LoggerFactory.getLogger(FleetBehaviour.class);

  private final Path fleetFile;
  private final BehaviourParser parser;
  private final BiConsumer<UUID, Behaviour> onApplied;
  private final ConcurrentHashMap<UUID, CnFile> cns = new ConcurrentHashMap<>();
  private volatile Map<String, Object> fleetDoc = Map.of();
  /**
   * What {@link #fleetDoc} builds to, built once when it changes and shared by every CN without a
   * file or overlay of its own: a fleet-wide profile then costs the fleet one Behaviour, not one
   * per CN. Always written with fleetDoc, under this.
   */
  private volatile Behaviour fleetBehaviour = Behaviour.IDEAL;
  private Stamp fleetStamp; // guarded by this

  /** A file's mtime and size as last read; null for a missing file. */
  private record Stamp(long mtimeMillis, long size) {}

  /** One CN's file and what was last read of it. */
  private static final class CnFile {
    final Path file;
    final CnBehaviour live;
    Map<String, Object> doc = Map.of(); // guarded by this
    /** A running scenario's document over the files (empty: none). Guarded by this. */
    Map<String, Object> overlay = Map.of();
    Stamp stamp; // guarded by this
    boolean checked; // guarded by this

    CnFile(Path file, CnBehaviour live) {
      this.file = file;
      this.live = live;
    }
  }

  /**
   * @param root the mockcloud root (the fleet's file is {@code <root>/behaviour.json})
   * @param parser checks the files (knows the task names)
   */
  public FleetBehaviour(Path root, BehaviourParser parser) {
    this(root, parser, (uuid, b) -> { });
  }

  /**
   * @param onApplied told after a CN's behaviour changed (on the thread that noticed the file), so
   *     what a behaviour switches on and off beyond the CN's own checks follows: its listener, its
   *     paused agents
   */
  public FleetBehaviour(Path root, BehaviourParser parser, BiConsumer<UUID, Behaviour> onApplied) {
    this.fleetFile = root.resolve(FILE);
    this.parser = parser;
    this.onApplied = onApplied;
    checkFleetFile();
  }

  /** The live behaviour of a CN that starts, read from its directory's file and the fleet's. */
  public CnBehaviour open(UUID uuid, Path serverDir) {
    CnFile f = new CnFile(serverDir.resolve(FILE), new CnBehaviour(uuid));
    cns.put(uuid, f);
    check(f);
    return f.live;
  }

  /** The CN stopped. */
  public void close(UUID uuid) {
    cns.remove(uuid);
  }

  /** The fleet's file may have changed: if it did, every CN's behaviour follows. */
  public void checkFleetFile() {
    synchronized (this) {
      Stamp now = stamp(fleetFile);
      if (Objects.equals(now, fleetStamp)) {
        return;
      }
      fleetStamp = now;
      Map<String, Object> doc = read(fleetFile, now);
      if (doc == null) {
        return;
      }
      fleetDoc = doc;
      fleetBehaviour = BehaviourParser.build(doc);
    }
    cns.values().forEach(this::apply);
  }

  /** A CN's file may have changed. */
  public void checkCnFile(UUID uuid) {
    CnFile f = cns.get(uuid);
    if (f != null) {
      check(f);
    }
  }

  private void check(CnFile f) {
    synchronized (f) {
      Stamp now = stamp(f.file);
      if (f.checked && Objects.equals(now, f.stamp)) {
        return;
      }
      boolean first = !f.checked;
      f.checked = true;
      f.stamp = now;
      Map<String, Object> doc = read(f.file, now);
      if (doc == null) {
        return;
      }
      f.doc = doc;
      if (first && doc.isEmpty() && fleetDoc.isEmpty()) {
        return; // no file anywhere: ideal, as it was made
      }
    }
    apply(f);
  }

  private void apply(CnFile f) {
    Behaviour b;
    synchronized (f) {
      if (f.doc.isEmpty() && f.overlay.isEmpty()) {
        b = fleetBehaviour;
      } else {
        b = BehaviourParser.build(BehaviourParser.merge(BehaviourParser.merge(fleetDoc, f.doc), f.overlay));
      }
    }
    f.live.set(b);
    onApplied.accept(f.live.uuid(), b);
  }

  /** The fleet's file as in effect: its last good read, empty with none. */
  public Map<String, Object> fleetDocument() {
    return fleetDoc;
  }

  /** A running CN's own file as in effect (its last good read, empty with none); null for a CN not running here. */
  public Map<String, Object> cnDocument(UUID uuid) {
    CnFile f = cns.get(uuid);
    if (f == null) {
      return null;
    }
    synchronized (f) {
      return f.doc;
    }
  }

  /**
   * What a running CN does: the fleet's document, its own over it, a scenario's over both; null
   * for a CN not running here.
   */
  public Map<String, Object> effectiveDocument(UUID uuid) {
    CnFile f = cns.get(uuid);
    if (f == null) {
      return null;
    }
    synchronized (f) {
      return BehaviourParser.merge(BehaviourParser.merge(fleetDoc, f.doc), f.overlay);
    }
  }

  /**
   * Lays a scenario's (checked) document over a running CN's files, in effect when this returns;
   * null or empty takes it away. The files are not touched. False for a CN not running here.
   */
  public boolean overlay(UUID uuid, Map<String, Object> doc) {
    CnFile f = cns.get(uuid);
    if (f == null) {
      return false;
    }
    synchronized (f) {
      f.overlay = doc == null ? Map.of() : doc;
    }
    apply(f);
    return true;
  }

  /**
   * Replaces the fleet's file (the control API's PUT): checked first, so a bad document is refused
   * and nothing is written; then written atomically and applied to every CN before this returns
   * (not left to the next look at the file: a rewrite within the same millisecond and size would
   * look unchanged).
   */
  public void writeFleet(Object json) throws BehaviourException, IOException {
    Map<String, Object> doc = parser.check(json);
    synchronized (this) {
      AtomicFiles.write(fleetFile, Json.prettyBytes(doc, 2));
      fleetStamp = stamp(fleetFile);
      fleetDoc = doc;
      fleetBehaviour = BehaviourParser.build(doc);
    }
    cns.values().forEach(this::apply);
  }

  /** Removes the fleet's file and applies that. */
  public void deleteFleet() throws IOException {
    synchronized (this) {
      Files.deleteIfExists(fleetFile);
      fleetStamp = null;
      fleetDoc = Map.of();
      fleetBehaviour = Behaviour.IDEAL;
    }
    cns.values().forEach(this::apply);
  }

  /** Replaces a running CN's file, as {@link #writeFleet}; false (nothing written) for a CN not running here. */
  public boolean writeCn(UUID uuid, Object json) throws BehaviourException, IOException {
    Map<String, Object> doc = parser.check(json);
    return replaceCn(uuid, doc);
  }

  /** Removes a running CN's file and applies that; false for a CN not running here. */
  public boolean deleteCn(UUID uuid) throws IOException {
    return replaceCn(uuid, null);
  }

  /** Writes (or with null, removes) the CN's file and applies it at once. */
  private boolean replaceCn(UUID uuid, Map<String, Object> doc) throws IOException {
    CnFile f = cns.get(uuid);
    if (f == null) {
      return false;
    }
    synchronized (f) {
      if (doc == null) {
        Files.deleteIfExists(f.file);
      } else {
        AtomicFiles.write(f.file, Json.prettyBytes(doc, 2));
      }
      f.stamp = stamp(f.file);
      f.checked = true;
      f.doc = doc == null ? Map.of() : doc;
    }
    apply(f);
    return true;
  }

  /** The checked document, empty for a missing file, null (after a warning) for a bad one. */
  private Map<String, Object> read(Path file, Stamp stamp) {
    if (stamp == null) {
      return Map.of();
    }
    if (stamp.size() == 0) {
      return null; // truncated by a writer that has not written yet (echo > file): its next change is read
    }
    try {
      return parser.check(Json.parse(Files.readAllBytes(file)));
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (BehaviourException e) {
      LOG.warn("behaviour file {} ignored, the behaviour before it stays: {}", file, e.getMessage());
    } catch (IOException | RuntimeException e) {
      LOG.warn("behaviour file {} ignored, the behaviour before it stays: not JSON ({})", file, e.getMessage());
    }
    return null;
  }

  private static Stamp stamp(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime().toMillis(), a.size());
    } catch (IOException e) {
      return null;
    }
  }
}
