package com.joyent.mockcloud.fast;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client end of one node-fast connection: RPCs with message ids from 1 up (never 0, wrapping
 * after 2^31 - 1, skipping ids in flight), each answered by DATA frames then END or ERROR. A frame
 * for an id not in flight is fatal to the connection, as in node-fast; so is a protocol error.
 * When the connection closes, every RPC in flight ends with {@link Replies#closed}.
 */
public final class FastClient {
  /** What an RPC hears back. Called on the connection's event loop: do not block. */
  public interface Replies {
    void data(Object obj);

    void end();

    void error(Map<String, Object> error);

    /** The connection closed before the RPC finished. */
    default void closed() {}
  }

  private final Channel channel;
  private final Map<Long, Replies> inFlight = new ConcurrentHashMap<>();
  private long nextId = 1;

  /** The client over {@code channel}, whose pipeline must end with {@link #handler()}. */
  FastClient(Channel channel) {
    this.channel = channel;
  }

  /** Sends {@code method(args)}; the replies go to {@code replies}. */
  public synchronized void rpc(String method, List<Object> args, Replies replies) {
    long id = nextId;
    while (inFlight.containsKey(id)) {
      id = id == FastFrame.MAX_MSGID ? 1 : id + 1;
    }
    nextId = id == FastFrame.MAX_MSGID ? 1 : id + 1;
    inFlight.put(id, replies);
    channel.writeAndFlush(FastFrame.of(FastFrame.DATA, id, method, args));
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  public void close() {
    channel.close();
  }

  Channel channel() {
    return channel;
  }

  /** The pipeline's last handler: routes reply frames to their RPC. */
  SimpleChannelInboundHandler<FastFrame> handler() {
    return new SimpleChannelInboundHandler<>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, FastFrame f) {
        Replies r = f.status() == FastFrame.DATA ? inFlight.get(f.msgid()) : inFlight.remove(f.msgid());
        if (r == null) {
          throw new FastProtocolException("fast protocol: received message with unknown msgid " + f.msgid());
        }
        switch (f.status()) {
          case FastFrame.DATA -> f.data().forEach(r::data);
          case FastFrame.END -> {
            f.data().forEach(r::data);
            r.end();
          }
          default -> r.error(f.error());
        }
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        List<Replies> pending = List.copyOf(inFlight.values());
        inFlight.clear();
        pending.forEach(Replies::closed);
        ctx.fireChannelInactive();
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    };
  }
}
