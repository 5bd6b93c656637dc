package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.io.DirectoryWatcher;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * The {@code vms/} directories of every server of a store on one {@link DirectoryWatcher}
 * (the daemon's, or one of its own with thread {@code mockcloud-vmwatch-N}). It only marks servers dirty ({@link ServerVms#markDirty}:
 * the named VM, or everything on overflow); the debounced re-read runs on the store's executor.
 * If a directory cannot be registered {@link #register} returns false and the store polls that
 * server instead; so it does when a watched directory goes away. Thread-safe.
 */
final class VmDirWatcher implements Closeable {
  private final DirectoryWatcher watcher;
  private final boolean ownsWatcher;
  private final ConcurrentHashMap<String, DirectoryWatcher.Watch> watches = new ConcurrentHashMap<>();

  /** On a watcher of its own. */
  VmDirWatcher(ThreadFactory threads) throws IOException {
    this.watcher = new DirectoryWatcher(threads);
    this.ownsWatcher = true;
  }

  /** On a watcher shared with others (the daemon's), which it leaves open on close. */
  VmDirWatcher(DirectoryWatcher shared) {
    this.watcher = shared;
    this.ownsWatcher = false;
  }

  boolean register(ServerVms server) {
    DirectoryWatcher.Watch[] self = new DirectoryWatcher.Watch[1];
    DirectoryWatcher.Watch w = watcher.watch(server.vmsDir(), new DirectoryWatcher.Listener() {
      @Override
      public void changed(String name) {
        if (name == null) {
          server.markDirty(null);
          return;
        }
        String uuid = Uuids.fromFileName(name);
        if (uuid != null) {
          server.markDirty(uuid);
        }
      }

      @Override
      public void gone() {
        // The directory went away or was replaced: poll it until the fleet closes it.
        watches.remove(server.serverUuid(), self[0]);
        if (!server.isClosed()) {
          server.setPolled(true);
          server.markDirty(null);
        }
      }
    });
    if (w == null) {
      return false;
    }
    self[0] = w;
    watches.put(server.serverUuid(), w);
    return true;
  }

  void unregister(ServerVms server) {
    DirectoryWatcher.Watch w = watches.remove(server.serverUuid());
    if (w != null) {
      w.cancel();
    }
  }

  @Override
  public void close() throws IOException {
    watches.values().forEach(DirectoryWatcher.Watch::cancel);
    watches.clear();
    if (ownsWatcher) {
      watcher.close();
    }
  }
}
