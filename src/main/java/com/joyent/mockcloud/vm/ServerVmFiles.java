package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM files of one server and their in-memory copies: the only code that writes, deletes
 * or re-reads {@code <server dir>/vms/<vm_uuid>.json} and changes the map of {@link VmEntry}s,
 * and so the only code that enqueues events. {@link ServerVms} decides <em>what</em> to write.
 *
 * <p>Writes: {@link VmFileSystem#writeAtomically} (temp file in the same directory, fsync,
 * rename, directory fsync), then the mtime is read back and, if it did not increase, set to the
 * previous + 1 ms, so {@code last_modified} strictly increases (D11); then the entry is replaced
 * and one event enqueued. A failed write leaves file, entry and events untouched; a failure
 * after the rename re-reads the file so memory matches the disk.
 *
 * <p>Re-reads ({@link #rescan}, {@link #reconcile}): under the VM's lock, {@code stat}; equal
 * mtime and size means nothing changed (in particular, our own write). Otherwise the file is read
 * and parsed; a file that cannot be parsed or whose {@code uuid} differs from its name is logged
 * once per version and skipped (a known VM keeps its last good entry). New / vanished / changed
 * files give create / delete / modify events, as the store's own writes do.
 *
 * <p>Threads and locks: every method that touches one VM runs under that VM's stripe lock
 * ({@link #locked}; the {@code *Locked} methods and {@link #write} assert it). {@link #locked}
 * kicks event delivery after releasing the lock. The watcher thread only calls
 * {@link #markDirty}, which schedules the re-read on the store's executor after the debounce.
 * The map is read without locks (entries are immutable).
 */
final class ServerVmFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ServerVmFiles.class);
  private static final LeftoverTempFiles LEFTOVERS = new LeftoverTempFiles();

  private final VmStoreContext ctx;
  private final String serverUuid;
  private final Path vmsDir;
  private final ConcurrentHashMap<String, VmEntry> vms = new ConcurrentHashMap<>();
  final ServerEvents events;
  private final Object pendingLock = new Object();
  private Set<String> pendingUuids; // guarded by pendingLock
  private boolean pendingFull; // guarded by pendingLock
  private boolean rescanScheduled; // guarded by pendingLock
  private volatile Map<String, VmFileSystem.Stamp> skipped; // unreadable files already logged
  private volatile boolean closed;
  private volatile boolean listFailing;
  /** Set when the shared watcher cannot watch this directory; the store then polls it. */
  volatile boolean polled;

  ServerVmFiles(VmStoreContext ctx, ServerIdentity identity, Path vmsDir) {
    this.ctx = ctx;
    this.serverUuid = identity.serverUuid();
    this.vmsDir = vmsDir;
    this.events = new ServerEvents(identity, ctx);
  }

  Path vmsDir() {
    return vmsDir;
  }

  /** The entry of a VM, null if missing or the server is closed. No lock, no disk. */
  VmEntry get(String uuid) {
    return closed || uuid == null ? null : vms.get(uuid);
  }

  /** All entries by uuid. */
  TreeMap<String, VmEntry> sorted() {
    return closed ? new TreeMap<>() : new TreeMap<>(vms);
  }

  int size() {
    return vms.size();
  }

  long blobBytes() {
    long sum = 0;
    for (VmEntry e : vms.values()) {
      sum += e.blobLength();
    }
    return sum;
  }

  boolean isClosed() {
    return closed;
  }

  void close() {
    closed = true;
    events.clear();
  }

  /** Runs {@code op} under the VM's stripe lock, then starts delivery of what it enqueued. */
  <T> T locked(String uuid, Supplier<T> op) {
    ReentrantLock lock = ctx.lockFor(uuid);
    lock.lock();
    try {
      return op.get();
    } finally {
      lock.unlock();
      events.kick();
    }
  }

  /** True if the VM file exists on disk (readable or not). VM lock held. */
  boolean fileExistsLocked(String uuid) {
    try {
      return ctx.fs.stat(fileOf(uuid)) != null;
    } catch (IOException e) {
      throw VmException.io("cannot stat " + fileOf(uuid) + ": " + e.getMessage(), e);
    }
  }

  /** Durable atomic write, strictly increasing mtime, entry update, event. VM lock held. */
  void write(String uuid, VmEntry before, Map<String, Object> vm) {
    assert ctx.lockFor(uuid).isHeldByCurrentThread();
    Path file = fileOf(uuid);
    byte[] bytes = Json.prettyBytes(vm, 2);
    boolean renamed = false;
    try {
      ctx.fs.writeAtomically(file, bytes);
      renamed = true;
      VmFileSystem.Stamp st = ctx.fs.stat(file);
      if (st == null) {
        throw new NoSuchFileException(file.toString(), null, "vanished right after the write");
      }
      long mtime = st.mtimeMillis();
      if (before != null && mtime <= before.mtimeMillis) {
        mtime = before.mtimeMillis + 1;
        ctx.fs.setMtime(file, mtime);
      }
      VmEntry after = VmEntry.of(uuid, vm, mtime, st.size());
      vms.put(uuid, after);
      events.enqueue(before == null ? VmEvent.Type.CREATE : VmEvent.Type.MODIFY, uuid, before, after);
    } catch (IOException e) {
      if (renamed) {
        // The new content is on disk; take it in as a change so memory matches the disk.
        try {
          reconcileLocked(uuid, true);
        } catch (RuntimeException again) {
          LOG.atWarn().addKeyValue("server_uuid", serverUuid).setCause(again).log("cannot re-read VM {}", uuid);
        }
      }
      throw VmException.io("vmadm write " + uuid + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Unlinks the VM file; a known VM leaves with a delete event carrying its last entry. Neither
   * known nor on disk → not found. VM lock held.
   */
  void deleteLocked(String uuid) {
    assert ctx.lockFor(uuid).isHeldByCurrentThread();
    VmEntry before = get(uuid);
    boolean existed;
    try {
      existed = ctx.fs.delete(fileOf(uuid));
    } catch (IOException e) {
      throw VmException.io("vmadm delete " + uuid + " failed: " + e.getMessage(), e);
    }
    if (before == null && !existed) {
      throw VmException.notFound(uuid);
    }
    forgetSkipped(uuid);
    if (before != null) {
      vms.remove(uuid);
      events.enqueue(VmEvent.Type.DELETE, uuid, before, null);
    }
  }

  // ---------------------------------------------------------------- re-reading the disk

  /** First load at open: no events; temp files of writers that are gone are removed ({@link LeftoverTempFiles}). */
  void loadAll() throws IOException {
    long now = System.currentTimeMillis(); // compared with file mtimes, which follow the wall clock
    for (String name : ctx.fs.list(vmsDir)) {
      String u = Uuids.fromFileName(name);
      if (u != null) {
        locked(u, () -> {
          reconcileLocked(u, false);
          return null;
        });
      } else if (AtomicFiles.isTempFile(vmsDir.resolve(name))) {
        removeIfLeftover(vmsDir.resolve(name), now);
      }
    }
  }

  /** Re-reads the whole directory. Blocks on disk. */
  void rescan() {
    if (closed) {
      return;
    }
    Set<String> onDisk = new TreeSet<>();
    try {
      for (String name : ctx.fs.list(vmsDir)) {
        String u = Uuids.fromFileName(name);
        if (u != null) {
          onDisk.add(u);
        }
      }
      listFailing = false;
    } catch (IOException e) {
      // Typically the server directory was removed and the fleet has not closed it yet: say it
      // once, not on every poll.
      if (!listFailing) {
        listFailing = true;
        LOG.atWarn().addKeyValue("server_uuid", serverUuid).log("cannot list {}: {}", vmsDir, e.toString());
      }
      return;
    }
    // The reference emits the creates of a reload first, then deletes, then modifies.
    List<String> order = new ArrayList<>();
    for (String u : onDisk) {
      if (!vms.containsKey(u)) {
        order.add(u);
      }
    }
    for (String u : new TreeSet<>(vms.keySet())) {
      if (!onDisk.contains(u)) {
        order.add(u);
      }
    }
    for (String u : onDisk) {
      if (vms.containsKey(u)) {
        order.add(u);
      }
    }
    for (String u : order) {
      reconcile(u);
    }
  }

  /** Re-reads one VM file. */
  void reconcile(String uuid) {
    locked(uuid, () -> {
      if (!closed) {
        reconcileLocked(uuid, true);
      }
      return null;
    });
  }

  /** Called by the watcher thread: debounce, then reconcile (uuid) or rescan (null) on the executor. */
  void markDirty(String uuidOrNull) {
    synchronized (pendingLock) {
      if (uuidOrNull == null) {
        pendingFull = true;
      } else {
        if (pendingUuids == null) {
          pendingUuids = new HashSet<>();
        }
        pendingUuids.add(uuidOrNull);
      }
      if (rescanScheduled) {
        return;
      }
      rescanScheduled = true;
    }
    try {
      ctx.scheduler.schedule(this::submitPending, ctx.debounce.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      synchronized (pendingLock) {
        rescanScheduled = false;
      }
    }
  }

  private void submitPending() {
    try {
      ctx.executor.execute(this::processPending);
    } catch (RejectedExecutionException e) {
      synchronized (pendingLock) {
        rescanScheduled = false;
      }
    }
  }

  private void processPending() {
    Set<String> uuids;
    boolean full;
    synchronized (pendingLock) {
      uuids = pendingUuids;
      full = pendingFull;
      pendingUuids = null;
      pendingFull = false;
      rescanScheduled = false;
    }
    try {
      if (full) {
        rescan();
      } else if (uuids != null) {
        for (String u : uuids) {
          reconcile(u);
        }
      }
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("server_uuid", serverUuid).setCause(e).log("VM rescan failed");
    }
  }

  /** Brings the in-memory copy of one VM in line with its file. VM lock held. */
  private void reconcileLocked(String uuid, boolean emit) {
    assert ctx.lockFor(uuid).isHeldByCurrentThread();
    Path file = fileOf(uuid);
    VmEntry cur = vms.get(uuid);
    VmFileSystem.Stamp st = null;
    byte[] bytes = null;
    try {
      st = ctx.fs.stat(file);
      if (st != null && cur != null && cur.mtimeMillis == st.mtimeMillis() && cur.size == st.size()) {
        return; // our own write, or nothing new
      }
      bytes = st == null ? null : ctx.fs.read(file);
    } catch (NoSuchFileException e) {
      st = null;
    } catch (IOException e) {
      if (st != null) {
        skip(uuid, st, e.toString()); // e.g. a directory or an unreadable file: log once
      } else {
        LOG.atWarn().addKeyValue("server_uuid", serverUuid).log("cannot stat VM file {}: {}", file, e.toString());
      }
      return;
    }
    if (st == null) {
      forgetSkipped(uuid);
      if (cur != null) {
        vms.remove(uuid);
        if (emit) {
          events.enqueue(VmEvent.Type.DELETE, uuid, cur, null);
        }
      }
      return;
    }
    LinkedHashMap<String, Object> obj;
    try {
      obj = Json.parseObject(bytes);
      if (!uuid.equals(obj.get("uuid"))) {
        throw new Json.JsonFormatException("its \"uuid\" is " + obj.get("uuid") + ", not the file name's");
      }
    } catch (Json.JsonFormatException e) {
      skip(uuid, st, e.getMessage());
      return;
    }
    forgetSkipped(uuid);
    long mtime = st.mtimeMillis();
    if (cur != null && mtime <= cur.mtimeMillis) {
      // A hand edit that kept or moved back the mtime (cp -p, touch -d): last_modified must
      // still increase.
      mtime = cur.mtimeMillis + 1;
      try {
        ctx.fs.setMtime(file, mtime);
      } catch (IOException e) {
        LOG.atWarn().addKeyValue("server_uuid", serverUuid).log("cannot set mtime of {}: {}", file, e.toString());
      }
    }
    VmEntry next = VmEntry.of(uuid, obj, mtime, st.size());
    vms.put(uuid, next);
    if (emit && !next.sameContent(cur)) {
      events.enqueue(cur == null ? VmEvent.Type.CREATE : VmEvent.Type.MODIFY, uuid, cur, next);
    }
  }

  private void skip(String uuid, VmFileSystem.Stamp st, String why) {
    Map<String, VmFileSystem.Stamp> s = skipped;
    if (s == null) {
      synchronized (pendingLock) {
        if (skipped == null) {
          skipped = new ConcurrentHashMap<>(4);
        }
        s = skipped;
      }
    }
    if (!st.equals(s.put(uuid, st))) {
      LOG.atWarn().addKeyValue("server_uuid", serverUuid).addKeyValue("vm_uuid", uuid)
          .log("skipping unreadable VM file {}: {}", fileOf(uuid), why);
    }
  }

  private void forgetSkipped(String uuid) {
    Map<String, VmFileSystem.Stamp> s = skipped;
    if (s != null) {
      s.remove(uuid);
    }
  }

  private void removeIfLeftover(Path tmp, long now) {
    try {
      VmFileSystem.Stamp st = ctx.fs.stat(tmp);
      if (st != null && LEFTOVERS.isLeftover(tmp.getFileName().toString(), st.mtimeMillis(), now)) {
        ctx.fs.delete(tmp);
        LOG.atInfo().addKeyValue("server_uuid", serverUuid).log("removed temp file of an interrupted write: {}", tmp);
      }
    } catch (IOException e) {
      LOG.atDebug().log("cannot remove {}: {}", tmp, e.toString());
    }
  }

  private Path fileOf(String uuid) {
    return vmsDir.resolve(Uuids.fileName(uuid));
  }
}
