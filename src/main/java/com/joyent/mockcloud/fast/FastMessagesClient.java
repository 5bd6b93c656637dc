package com.joyent.mockcloud.fast;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fast-messages 2.0 client, as the firewaller agent holds one to FWAPI: it connects, sends a
 * {@code ping} RPC and then the long-lived {@code messages} RPC with its {@code client_id}, drops
 * the first record (FWAPI's sync state) and hands every later one to the listener. When the
 * connection closes or the server ends the RPC it connects again at once, then after 1 s for
 * attempts 2 to 9 and 5 s from the tenth, and sends only {@code messages} on the new connection —
 * all as fast-messages' client does (docs/reference/fast-protocol.md §4). An ERROR on the
 * {@code messages} RPC is logged and not retried, as there.
 */
public final class FastMessagesClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FastMessagesClient.class);

  /** What the client reports: messages (on the event loop: hand them off), and connection changes. */
  public interface Listener {
    void message(Map<String, Object> message);

    default void connected() {}

    default void disconnected() {}
  }

  private final EventLoopGroup group;
  private final String host;
  private final int port;
  private final String clientId;
  private final Listener listener;
  private volatile FastClient client;
  private volatile boolean closed;
  private boolean pinged;
  private int attempts;

  public FastMessagesClient(EventLoopGroup group, String host, int port, String clientId, Listener listener) {
    this.group = group;
    this.host = host;
    this.port = port;
    this.clientId = clientId;
    this.listener = listener;
  }

  public void start() {
    connect();
  }

  /** Whether the messages RPC's connection is up. */
  public boolean isConnected() {
    FastClient c = client;
    return c != null && c.isOpen();
  }

  @Override
  public void close() {
    closed = true;
    FastClient c = client;
    if (c != null) {
      c.close();
    }
  }

  private void connect() {
    if (closed) {
      return;
    }
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            FastClient c = new FastClient(ch);
            client = c;
            ch.pipeline().addLast(new FastFrameCodec(), c.handler(), new ChannelInboundHandlerAdapter() {
              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                listener.disconnected();
                reconnect(0);
              }
            });
          }
        });
    ChannelFuture f = b.connect(host, port);
    f.addListener(done -> {
      if (!done.isSuccess()) {
        attempts++;
        reconnect(attempts == 1 ? 0 : attempts < 10 ? 1_000 : 5_000);
        return;
      }
      attempts = 0;
      if (closed) {
        f.channel().close();
        return;
      }
      listener.connected();
      started(client);
    });
  }

  private void reconnect(long delayMs) {
    if (closed) {
      return;
    }
    if (delayMs == 0) {
      group.execute(this::connect);
    } else {
      group.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
    }
  }

  /** On the first connection a ping, then messages; on later ones messages alone (fast-messages' order). */
  private void started(FastClient c) {
    if (!pinged) {
      pinged = true;
      c.rpc("ping", List.of(Map.of()), new Ignored("ping"));
    }
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("client_id", clientId);
    opts.put("version", 1);
    c.rpc("messages", List.of(opts), new FastClient.Replies() {
      private boolean stateSeen;

      @Override
      public void data(Object obj) {
        if (!stateSeen) {
          stateSeen = true; // the server's sync state record, not an update
          return;
        }
        if (obj instanceof Map<?, ?> m) {
          @SuppressWarnings("unchecked")
          Map<String, Object> message = (Map<String, Object>) m;
          listener.message(message);
        }
      }

      @Override
      public void end() {
        LOG.info("fast-messages: {}:{} ended the messages RPC, connecting again", host, port);
        c.close();
      }

      @Override
      public void error(Map<String, Object> error) {
        LOG.warn("fast-messages: messages RPC to {}:{} failed: {}", host, port, error.get("message"));
      }
    });
  }

  private record Ignored(String what) implements FastClient.Replies {
    @Override
    public void data(Object obj) {}

    @Override
    public void end() {}

    @Override
    public void error(Map<String, Object> error) {
      LOG.debug("fast-messages: {} failed: {}", what, error.get("message"));
    }
  }
}
