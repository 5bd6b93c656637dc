package com.joyent.mockcloud.fast;

import io.netty.channel.Channel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One RPC a {@link FastServer} is answering: its method and arguments, and the replies — any
 * number of DATA frames (one object each, as node-fast writes them), then END or ERROR. Writes
 * after the end are dropped; so are writes to a connection gone (node-fast's null sink).
 * Thread-safe: Netty queues each write on the connection's event loop.
 */
public final class FastCall {
  private final Channel channel;
  private final long msgid;
  private final String method;
  private final List<Object> args;
  private final Consumer<FastCall> onFinish;
  private volatile boolean finished;

  FastCall(Channel channel, long msgid, String method, List<Object> args, Consumer<FastCall> onFinish) {
    this.channel = channel;
    this.msgid = msgid;
    this.method = method;
    this.args = args;
    this.onFinish = onFinish;
  }

  public String method() {
    return method;
  }

  public List<Object> args() {
    return args;
  }

  /** Whether the connection the call came on is still open. */
  public boolean isOpen() {
    return channel.isActive() && !finished;
  }

  /** The remote address, for logs. */
  public String peer() {
    return String.valueOf(channel.remoteAddress());
  }

  /** A DATA frame carrying {@code obj}. */
  public void write(Object obj) {
    if (!finished) {
      channel.writeAndFlush(FastFrame.of(FastFrame.DATA, msgid, method, List.of(obj)));
    }
  }

  /** END: the RPC is complete. */
  public void end() {
    if (finish()) {
      channel.writeAndFlush(FastFrame.of(FastFrame.END, msgid, method, List.of()));
    }
  }

  /** ERROR with node-fast's error object: {@code name}, {@code message}, {@code context}, {@code info}. */
  public void error(String name, String message, Map<String, Object> info) {
    if (finish()) {
      channel.writeAndFlush(FastFrame.of(FastFrame.ERROR, msgid, method, errorBody(name, message, info)));
    }
  }

  static Map<String, Object> errorBody(String name, String message, Map<String, Object> info) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("name", name);
    d.put("message", message);
    d.put("context", Map.of());
    d.put("info", info == null ? Map.of() : info);
    return d;
  }

  void abandon() {
    finished = true;
  }

  private boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
    onFinish.accept(this);
    return true;
  }

  long msgid() {
    return msgid;
  }
}
