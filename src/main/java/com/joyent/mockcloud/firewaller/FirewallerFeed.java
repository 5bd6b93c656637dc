package com.joyent.mockcloud.firewaller;

import com.joyent.mockcloud.fast.FastMessagesClient;
import io.netty.channel.EventLoopGroup;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * How the firewallers of this process hear FWAPI's pushes. {@link Mode#PER_CN}: each CN holds its
 * own fast-messages connection with its server uuid as {@code client_id}, as a real firewaller
 * does. {@link Mode#SHARED}: one connection for the whole process (client id
 * {@code mockcloud-<pid>}) whose every message goes to every CN's firewaller — which is what FWAPI
 * sends anyway, since it broadcasts each update to every client alike — for when a socket per CN
 * does not fit the open-file limit. FWAPI's {@code /ping?agents=true} then lists one client.
 */
public final class FirewallerFeed implements AutoCloseable {
  /** One connection per CN, or one for all. */
  public enum Mode { PER_CN, SHARED }

  private final EventLoopGroup group;
  private final String host;
  private final int port;
  private final Mode mode;
  private final Map<String, Consumer<Map<String, Object>>> subscribers = new ConcurrentHashMap<>();
  private FastMessagesClient shared;

  public FirewallerFeed(EventLoopGroup group, String host, int port, Mode mode) {
    this.group = group;
    this.host = host;
    this.port = port;
    this.mode = mode;
  }

  public Mode mode() {
    return mode;
  }

  /** Starts hearing FWAPI for {@code server}; closing the result stops it. */
  public AutoCloseable subscribe(String server, Consumer<Map<String, Object>> onMessage) {
    if (mode == Mode.PER_CN) {
      FastMessagesClient c = new FastMessagesClient(group, host, port, server, onMessage::accept);
      c.start();
      return c;
    }
    subscribers.put(server, onMessage);
    synchronized (this) {
      if (shared == null) {
        shared = new FastMessagesClient(group, host, port, "mockcloud-" + ProcessHandle.current().pid(),
            m -> subscribers.values().forEach(s -> s.accept(m)));
        shared.start();
      }
    }
    return () -> subscribers.remove(server, onMessage);
  }

  @Override
  public synchronized void close() {
    if (shared != null) {
      shared.close();
    }
  }
}
