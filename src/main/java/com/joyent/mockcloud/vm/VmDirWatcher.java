package com.joyent.mockcloud.vm;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link WatchService} (inotify on Linux) for the {@code vms/} directories of every server
 * of a store, and the one thread ({@code mockcloud-vmwatch-N}) that takes its keys. It only
 * marks servers dirty ({@link ServerVms#markDirty}: the named VM, or everything on OVERFLOW);
 * the debounced re-read runs on the store's executor. If a directory cannot be registered
 * (e.g. the inotify watch limit) {@link #register} returns false and the store polls that
 * server instead. Thread-safe.
 */
final class VmDirWatcher implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(VmDirWatcher.class);

  private final WatchService ws;
  private final ConcurrentHashMap<WatchKey, ServerVms> servers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, WatchKey> keys = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean closed;

  VmDirWatcher(ThreadFactory threads) throws IOException {
    this.ws = FileSystems.getDefault().newWatchService();
    this.thread = threads.newThread(this::run);
    thread.start();
  }

  boolean register(ServerVms server) {
    try {
      Path dir = server.vmsDir();
      WatchKey key = dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
      servers.put(key, server);
      keys.put(server.serverUuid(), key);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.atWarn().addKeyValue("server_uuid", server.serverUuid())
          .log("cannot watch {} ({}); polling it instead", server.vmsDir(), e.toString());
      return false;
    }
  }

  void unregister(ServerVms server) {
    WatchKey key = keys.remove(server.serverUuid());
    if (key != null) {
      key.cancel();
      servers.remove(key);
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
        ServerVms server = servers.get(key);
        for (WatchEvent<?> ev : key.pollEvents()) {
          if (server == null) {
            continue;
          }
          if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
            server.markDirty(null);
          } else {
            String uuid = Uuids.fromFileName(String.valueOf(ev.context()));
            if (uuid != null) {
              server.markDirty(uuid);
            }
          }
        }
        if (!key.reset() && server != null && !server.isClosed()) {
          // The directory went away or was replaced: fall back to polling until the fleet closes it.
          servers.remove(key);
          keys.remove(server.serverUuid(), key);
          server.setPolled(true);
          server.markDirty(null);
        }
      } catch (RuntimeException e) {
        LOG.warn("VM directory watcher: {}", e.toString(), e);
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
