package com.joyent.mockcloud.fast;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node-fast RPC server (fast 2.x, as FWAPI runs it) on Netty: each DATA frame with a new message
 * id is a call to the method its {@code m.name} names. As node-fast's server: an unknown method is
 * an ERROR {@code FastError} "unsupported RPC method", a malformed request an ERROR too, an END
 * from a client or a message id already in flight closes the connection, and an ERROR from a
 * client (an old cancel) is ignored. Methods are registered before {@link #listen}.
 */
public final class FastServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FastServer.class);

  private final EventLoopGroup group;
  private final Map<String, Consumer<FastCall>> methods = new HashMap<>();
  private final ChannelGroup connections;
  private final Set<Consumer<Channel>> closeListeners = ConcurrentHashMap.newKeySet();
  private volatile Channel listener;

  /** A server whose connections run on {@code group} (the caller owns and shuts it). */
  public FastServer(EventLoopGroup group) {
    this.group = group;
    this.connections = new DefaultChannelGroup(group.next()); // not Netty's global executor: no extra thread
  }

  public FastServer method(String name, Consumer<FastCall> handler) {
    methods.put(name, handler);
    return this;
  }

  /** Listens on {@code host:port} (0: one the OS picks); returns the port. */
  public synchronized int listen(String host, int port) {
    ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.add(ch);
            ch.pipeline().addLast(new FastFrameCodec(), new Connection());
          }
        });
    listener = b.bind(host, port).syncUninterruptibly().channel();
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** Called when a connection closes, with its channel. */
  public void onClose(Consumer<Channel> l) {
    closeListeners.add(l);
  }

  /** How many connections are open. */
  public int connections() {
    return connections.size();
  }

  /** Stops listening and drops every connection (a FWAPI going away); {@link #listen} may follow. */
  @Override
  public synchronized void close() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
      listener = null;
    }
    connections.close().syncUninterruptibly();
  }

  /** One connection's calls in flight, and their dispatch. Runs on the connection's event loop. */
  private final class Connection extends SimpleChannelInboundHandler<FastFrame> {
    private final Map<Long, FastCall> inFlight = new ConcurrentHashMap<>();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FastFrame f) {
      if (f.status() == FastFrame.END) {
        LOG.debug("fast: END from client {}, closing", ctx.channel().remoteAddress());
        ctx.close();
        return;
      }
      if (f.status() == FastFrame.ERROR) {
        return;
      }
      if (inFlight.containsKey(f.msgid())) {
        LOG.debug("fast: client {} reused message id {} in flight, closing", ctx.channel().remoteAddress(), f.msgid());
        ctx.close();
        return;
      }
      String name = f.method();
      FastCall call = new FastCall(ctx.channel(), f.msgid(), name, f.data(), c -> inFlight.remove(c.msgid()));
      inFlight.put(f.msgid(), call);
      if (name == null || name.isEmpty()) {
        call.error("FastError", "request is missing RPC method name", Map.of("fastReason", "bad_data"));
        return;
      }
      Consumer<FastCall> handler = methods.get(name);
      if (handler == null) {
        call.error("FastError", "unsupported RPC method: \"" + name + "\"",
            Map.of("fastReason", "bad_method", "rpcMethod", name, "rpcMsgid", f.msgid()));
        return;
      }
      try {
        handler.accept(call);
      } catch (RuntimeException e) {
        LOG.warn("fast: {} failed", name, e);
        call.error("Error", String.valueOf(e.getMessage()), null);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      inFlight.values().forEach(FastCall::abandon);
      inFlight.clear();
      closeListeners.forEach(l -> l.accept(ctx.channel()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("fast: connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
