package com.joyent.mockcloud.http;

import io.undertow.connector.ByteBufferPool;
import io.undertow.websockets.client.WebSocketClient;
import io.undertow.websockets.client.WebSocketClientNegotiation;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.XnioWorker;

/**
 * Client WebSockets (text frames only) on the process's one XNIO worker and buffer pool.
 *
 * <p>Why not the JDK's {@code java.net.http.WebSocket}: it keeps tens of KB of buffers per open
 * socket, which at one NAPI changefeed socket per mock CN cost more heap than everything else a
 * CN holds. Undertow's client takes a pooled buffer only while a frame is being read, so an idle
 * socket costs little more than its channel objects.
 */
public final class WebSocketDialer {
  /** An open socket. */
  public interface Socket {
    /** Sends one complete text frame; frames are sent in call order. */
    CompletableFuture<Void> sendText(String text);

    /** Closes the connection at once, without a close handshake. */
    void abort();
  }

  /** Callbacks, on an I/O thread: must not block. */
  public interface Handler {
    void onText(Socket socket, String text);

    /** Called once the connection is gone, for whatever reason (possibly more than once). */
    void onClosed(Socket socket, String why);
  }

  private final XnioWorker worker;
  private final ByteBufferPool buffers;
  private final LongAdder framesReceived = new LongAdder();

  WebSocketDialer(XnioWorker worker, ByteBufferPool buffers) {
    this.worker = worker;
    this.buffers = buffers;
  }

  /**
   * Opens {@code uri} ({@code ws://}) with the extra request {@code headers}; fails with a
   * {@link TimeoutException} when the handshake has not finished within {@code timeout}.
   */
  public CompletableFuture<Socket> connect(URI uri, Map<String, String> headers, Duration timeout, Handler handler) {
    CompletableFuture<Socket> result = new CompletableFuture<>();
    IoFuture<WebSocketChannel> pending = WebSocketClient.connectionBuilder(worker, buffers, uri)
        .setClientNegotiation(new WebSocketClientNegotiation(List.of(), List.of()) {
          @Override
          public void beforeRequest(Map<String, List<String>> h) {
            headers.forEach((k, v) -> h.put(k, List.of(v)));
          }
        })
        .connect();
    pending.addNotifier(new IoFuture.HandlingNotifier<WebSocketChannel, Object>() {
      @Override
      public void handleDone(WebSocketChannel channel, Object attachment) {
        ChannelSocket socket = new ChannelSocket(channel);
        channel.getReceiveSetter().set(new Receiver(socket, handler, framesReceived));
        channel.addCloseTask(ch -> handler.onClosed(socket, "connection closed"));
        channel.resumeReceives();
        if (!result.complete(socket)) {
          IoUtils.safeClose(channel); // timed out meanwhile
        }
      }

      @Override
      public void handleFailed(IOException e, Object attachment) {
        result.completeExceptionally(e);
      }

      @Override
      public void handleCancelled(Object attachment) {
        result.completeExceptionally(new TimeoutException("WebSocket handshake with " + uri + " took over "
            + timeout.toMillis() + " ms"));
      }
    }, null);
    worker.getIoThread().executeAfter(() -> {
      if (!result.isDone()) {
        pending.cancel();
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    return result;
  }

  private static final class ChannelSocket implements Socket {
    private final WebSocketChannel channel;

    ChannelSocket(WebSocketChannel channel) {
      this.channel = channel;
    }

    @Override
    public CompletableFuture<Void> sendText(String text) {
      CompletableFuture<Void> sent = new CompletableFuture<>();
      WebSockets.sendText(text, channel, new WebSocketCallback<Void>() {
        @Override
        public void complete(WebSocketChannel ch, Void context) {
          sent.complete(null);
        }

        @Override
        public void onError(WebSocketChannel ch, Void context, Throwable error) {
          sent.completeExceptionally(error);
        }
      });
      return sent;
    }

    @Override
    public void abort() {
      // Closed on the channel's own I/O thread: closing from another thread while that thread
      // reads a frame frees the frame's pooled buffer twice.
      channel.getIoThread().execute(() -> IoUtils.safeClose(channel));
    }
  }

  /** Text frames received on every socket of this dialer so far. */
  public long framesReceived() {
    return framesReceived.sum();
  }

  private static final class Receiver extends AbstractReceiveListener {
    private final Socket socket;
    private final Handler handler;
    private final LongAdder frames;

    Receiver(Socket socket, Handler handler, LongAdder frames) {
      this.socket = socket;
      this.handler = handler;
      this.frames = frames;
    }

    @Override
    protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
      frames.increment();
      handler.onText(socket, message.getData());
    }

    @Override
    protected void onCloseMessage(CloseMessage cm, WebSocketChannel channel) {
      handler.onClosed(socket, "closed by the server (" + cm.getCode() + " " + cm.getReason() + ")");
    }

    @Override
    protected void onError(WebSocketChannel channel, Throwable error) {
      handler.onClosed(socket, String.valueOf(error));
      super.onError(channel, error);
    }
  }
}
