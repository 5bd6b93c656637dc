package com.joyent.mockcloud.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link WatchService} (inotify on Linux) for many directories, and the one thread that
 * takes its keys and tells each directory's {@link Listener}. Watching costs nothing while
 * nothing changes, where polling thousands of directories costs a syscall per file per poll.
 *
 * <p>Listeners run on the watcher's thread and must only note the change and hand any disk
 * work to another thread. If a directory cannot be watched (e.g. the inotify watch limit)
 * {@link #watch} returns null and the caller polls it instead. Thread-safe.
 */
public final class DirectoryWatcher implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);

  /** What a watched directory is told. */
  public interface Listener {
    /** An entry was created, renamed into place, written or touched; {@code name} is null after an overflow (anything may have changed). */
    void changed(String name);

    /** The directory went away or was replaced: it is no longer watched (poll it from now on). */
    void gone();
  }

  /** A watched directory; cancel it when done. */
  public final class Watch {
    private final WatchKey key;

    private Watch(WatchKey key) {
      this.key = key;
    }

    public void cancel() {
      key.cancel();
      listeners.remove(key);
    }
  }

  private final WatchService ws;
  private final ConcurrentHashMap<WatchKey, Listener> listeners = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean closed;
  private final AtomicBoolean warnedOnce = new AtomicBoolean();

  public DirectoryWatcher(ThreadFactory threads) throws IOException {
    this.ws = FileSystems.getDefault().newWatchService();
    this.thread = threads.newThread(this::run);
    thread.start();
  }

  /** Watches {@code dir}'s entries (not its subdirectories); null if it cannot be watched (logged). */
  public Watch watch(Path dir, Listener listener) {
    try {
      WatchKey key = dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
      listeners.put(key, listener);
      return new Watch(key);
    } catch (IOException | RuntimeException e) {
      // Once, not per directory: past the inotify watch limit every further CN fails alike.
      if (warnedOnce.compareAndSet(false, true)) {
        LOG.warn("cannot watch {} ({}); polling it instead, and any other directory that cannot be watched "
            + "(on Linux, raise fs.inotify.max_user_watches)", dir, e.toString());
      } else {
        LOG.debug("cannot watch {} ({}); polling it instead", dir, e.toString());
      }
      return null;
    }
  }

  private void run() {
    while (!closed) {
      WatchKey key;
      try {
        key = ws.take();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
      try {
        Listener listener = listeners.get(key);
        for (WatchEvent<?> ev : key.pollEvents()) {
          if (listener != null) {
            listener.changed(ev.kind() == StandardWatchEventKinds.OVERFLOW ? null : String.valueOf(ev.context()));
          }
        }
        if (!key.reset() && listeners.remove(key) != null) {
          listener.gone();
        }
      } catch (RuntimeException e) {
        LOG.warn("directory watcher: {}", e.toString(), e);
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    ws.close();
    thread.interrupt();
  }
}
