package com.joyent.mockcloud.http;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.ChannelListener;
import org.xnio.channels.StreamSourceChannel;

/**
 * Reads a request body into memory on the exchange's I/O thread, never more than a limit.
 *
 * <p>Undertow's {@code receiveFullBytes} allocates an array of the declared
 * {@code Content-Length} before the first byte arrives and reads on without bound; sixteen
 * 24 MB bodies stalled the process. Here the array grows with what actually arrived, and once
 * more than {@code max} bytes have come (a chunked body, whose size is not declared) reading
 * stops at once: the caller answers 413 and closes the connection, so the rest is never read.
 * A declared length over the limit is the caller's to reject before calling (nothing read).
 */
final class BodyReader implements ChannelListener<StreamSourceChannel> {
  private static final byte[] EMPTY = new byte[0];
  /** What a body starts with when its length is not declared, or is large. */
  private static final int INITIAL = 16 * 1024;

  /** Where the body goes; each method is called at most once, and only one of them. */
  interface Done {
    void body(HttpServerExchange exchange, byte[] bytes);

    /** More than the limit arrived; reads are suspended, nothing more will be read. */
    void tooLarge(HttpServerExchange exchange);

    void failed(HttpServerExchange exchange, IOException e);
  }

  private final HttpServerExchange exchange;
  private final long max;
  private final Done done;
  private GrowingBytes bytes;
  private boolean finished;

  private BodyReader(HttpServerExchange exchange, long max, Done done, long declared) {
    this.exchange = exchange;
    this.max = max > 0 ? Math.min(max, GrowingBytes.ARRAY_MAX) : GrowingBytes.ARRAY_MAX;
    this.done = done;
    this.bytes = new GrowingBytes((int) Math.min(INITIAL, declared >= 0 ? declared : INITIAL), this.max);
  }

  /** The declared {@code Content-Length}, or -1 when there is none (chunked) or it is not a number. */
  static long declaredLength(HttpServerExchange exchange) {
    String cl = exchange.getRequestHeaders().getFirst(Headers.CONTENT_LENGTH);
    if (cl == null) {
      return -1;
    }
    try {
      return Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Reads the whole body, or stops once more than {@code max} bytes arrived ({@code max} 0:
   * no limit). Calls {@code done} on this thread when the body is already there, else later
   * on the exchange's I/O thread.
   */
  static void read(HttpServerExchange exchange, long max, Done done) {
    if (exchange.isRequestComplete()) {
      done.body(exchange, EMPTY);
      return;
    }
    StreamSourceChannel channel = exchange.getRequestChannel();
    if (channel == null) {
      done.failed(exchange, new IOException("request body already read"));
      return;
    }
    new BodyReader(exchange, max, done, declaredLength(exchange)).readAvailable(channel);
  }

  @Override
  public void handleEvent(StreamSourceChannel channel) {
    if (!finished) {
      readAvailable(channel);
    }
  }

  private void readAvailable(StreamSourceChannel channel) {
    try (PooledByteBuffer pooled = exchange.getConnection().getByteBufferPool().allocate()) {
      ByteBuffer buffer = pooled.getBuffer();
      while (true) {
        buffer.clear();
        int n = channel.read(buffer);
        if (n == -1) {
          finished = true;
          done.body(exchange, bytes.toArray());
          return;
        }
        if (n == 0) {
          channel.getReadSetter().set(this);
          channel.resumeReads();
          return;
        }
        if ((long) bytes.length() + n > max) {
          finished = true;
          bytes = null;
          channel.getReadSetter().set(null);
          channel.suspendReads();
          done.tooLarge(exchange);
          return;
        }
        buffer.flip();
        bytes.append(buffer);
      }
    } catch (IOException e) {
      finished = true;
      bytes = null;
      channel.getReadSetter().set(null);
      channel.suspendReads();
      done.failed(exchange, e);
    }
  }
}
