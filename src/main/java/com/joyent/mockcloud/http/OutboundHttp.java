package com.joyent.mockcloud.http;

import io.undertow.Undertow;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.UndertowClient;
import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * The process's outbound HTTP/1.1 client (CNAPI, VMAPI, NAPI, ...): keep-alive connections on
 * the shared XNIO worker and buffer pool, kept per origin and reused most-recent-first.
 *
 * <p>Why not the JDK's {@code HttpClient}: at 10,000 CNs the daemon sends over 2,000 requests a
 * second, and the JDK client's per-request machinery (a filter chain built per exchange, several
 * futures and executor hops, its own selector thread) cost more CPU and garbage than everything
 * else the daemon does. Here a request is one connection checkout, one write, one read loop.
 *
 * <p>This client does not bound concurrency: callers do (the agents' request gates). An idle
 * connection is closed after {@value #IDLE_MILLIS} ms, under node's default keep-alive timeout
 * (5 s), so we close it before the API does and never race its close with a new request.
 * A request that fails on a reused connection before any answer arrived is sent once more on a
 * new connection when its method is idempotent (GET, HEAD, PUT, DELETE), as the JDK client does.
 * A request with a {@code connection: close} header goes out on a new connection of its own,
 * which is closed after the answer and never pooled.
 *
 * <p>Futures complete on the {@code completions} executor, so callers may parse and chain
 * freely; {@link #send(Request, boolean)} can complete on the I/O thread instead, for callers
 * whose callbacks are short and never block (a heartbeat: handing each of 2,000 answers a
 * second to another thread cost more CPU, in thread wake-ups, than reading them). Thread-safe.
 */
public final class OutboundHttp implements Closeable {
  static final long IDLE_MILLIS = 4_000;
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE");

  /** A request; {@code headers} are sent as given, {@code body} may be null. */
  public record Request(String method, URI base, String pathAndQuery, Map<String, String> headers, byte[] body,
      Duration timeout) {}

  /** An answer of any status; header names are matched case-insensitively. */
  public record Response(int status, Map<String, List<String>> headers, byte[] body) {}

  private final XnioWorker worker;
  private final ByteBufferPool buffers;
  private final Executor completions;
  private final boolean ownsWorker;
  private final LongSupplier millis; // the idle pool's clock: tests move it instead of waiting 4 s
  private final ConcurrentHashMap<String, Origin> origins = new ConcurrentHashMap<>();

  /** A client on an existing worker (the daemon's, shared with its listeners). */
  public OutboundHttp(XnioWorker worker, ByteBufferPool buffers, Executor completions) {
    this(worker, buffers, completions, false, System::currentTimeMillis);
  }

  private OutboundHttp(XnioWorker worker, ByteBufferPool buffers, Executor completions, boolean ownsWorker,
      LongSupplier millis) {
    this.worker = worker;
    this.buffers = buffers;
    this.completions = completions;
    this.ownsWorker = ownsWorker;
    this.millis = millis;
  }

  /**
   * A client with its own one-thread worker (daemon threads), for command-line tools and tests;
   * futures complete on that thread's task pool.
   */
  public static OutboundHttp standalone() {
    return standalone(System::currentTimeMillis);
  }

  /** {@link #standalone()} whose idle pool reads {@code millis} (tests). */
  static OutboundHttp standalone(LongSupplier millis) {
    XnioWorker w = oneThreadWorker("mockcloud-client", 2, 4);
    return new OutboundHttp(w, new DefaultByteBufferPool(false, 4096, 16, 4), w, true, millis);
  }

  /**
   * A client with an I/O thread of its own ({@code <name> I/O-1}), shared with nothing else:
   * the daemon's CNAPI reporting (heartbeats) runs on one, so that no listener, task request,
   * VM sync or changefeed traffic on the shared worker can delay reading a heartbeat's answer.
   * Futures complete on {@code completions}; {@link #close()} stops the thread.
   */
  public static OutboundHttp onOwnIoThread(String name, Executor completions) {
    return new OutboundHttp(oneThreadWorker(name, 1, 1), new DefaultByteBufferPool(true, 4096, 64, 4), completions,
        true, System::currentTimeMillis);
  }

  private static XnioWorker oneThreadWorker(String name, int taskCore, int taskMax) {
    try {
      return Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
          .set(Options.WORKER_NAME, name)
          .set(Options.WORKER_IO_THREADS, 1)
          .set(Options.WORKER_TASK_CORE_THREADS, taskCore)
          .set(Options.WORKER_TASK_MAX_THREADS, taskMax)
          .set(Options.THREAD_DAEMON, true)
          .set(Options.TCP_NODELAY, true)
          .getMap());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an HTTP client worker", e);
    }
  }

  /** Sends {@code req}; the future fails with an IOException on a transport failure or timeout. */
  public CompletableFuture<Response> send(Request req) {
    return send(req, false);
  }

  /**
   * @param completeOnIoThread complete the future on the I/O thread that read the answer: then
   *     whatever the caller chains on it must be short and never block (a failure still completes
   *     on the executor: during an outage thousands of CNs log one line each)
   */
  public CompletableFuture<Response> send(Request req, boolean completeOnIoThread) {
    CompletableFuture<Response> result = new CompletableFuture<>();
    Origin origin;
    try {
      origin = origins.computeIfAbsent(originKey(req.base()), k -> new Origin(req.base()));
    } catch (IllegalArgumentException e) {
      result.completeExceptionally(e);
      return result;
    }
    try {
      new Attempt(origin, req, result, completeOnIoThread).start(!closesConnection(req));
    } catch (RuntimeException e) { // the worker is shutting down
      result.completeExceptionally(new IOException("HTTP client is closing", e));
    }
    return result;
  }

  private static boolean closesConnection(Request req) {
    for (Map.Entry<String, String> h : req.headers().entrySet()) {
      if (h.getKey().equalsIgnoreCase("connection") && h.getValue().equalsIgnoreCase("close")) {
        return true;
      }
    }
    return false;
  }

  /** Open connections that are idle in the pools (for tests and diagnostics). */
  public int idleConnections() {
    return origins.values().stream().mapToInt(Origin::idleCount).sum();
  }

  /** True once a client that owns its worker was closed and the worker's threads have ended. */
  boolean isTerminated() {
    return worker.isTerminated();
  }

  @Override
  public void close() {
    origins.values().forEach(Origin::closeAll);
    if (ownsWorker) {
      worker.shutdownNow();
    }
  }

  /** Closes {@code c} (null: nothing) on its own I/O thread, the only thread that may touch it. */
  private static void closeOnItsThread(ClientConnection c) {
    if (c != null) {
      c.getIoThread().execute(() -> IoUtils.safeClose(c));
    }
  }

  private static String originKey(URI base) {
    String scheme = base.getScheme();
    if (!"http".equalsIgnoreCase(scheme) || base.getHost() == null) {
      throw new IllegalArgumentException("only http://host[:port] URLs are supported, got " + base);
    }
    // Keyed by the base's path too: each Origin prefixes its requests with that path.
    return base.getHost().toLowerCase(Locale.ROOT) + ":" + (base.getPort() < 0 ? 80 : base.getPort())
        + (base.getRawPath() == null ? "" : base.getRawPath());
  }

  /** The keep-alive connections to one host:port that are not carrying a request right now. */
  private final class Origin {
    private final URI uri;
    private final String hostHeader;
    private final String pathPrefix; // a base URL's own path, e.g. "/napi" of http://proxy/napi
    // Most recently returned first; entries age toward the end.
    private final ArrayDeque<Idle> idle = new ArrayDeque<>();

    private record Idle(ClientConnection connection, long sinceMillis) {}

    Origin(URI base) {
      int port = base.getPort() < 0 ? 80 : base.getPort();
      this.uri = URI.create("http://" + base.getHost() + ":" + port);
      this.hostHeader = base.getPort() < 0 ? base.getHost() : base.getHost() + ":" + port;
      String p = base.getRawPath() == null ? "" : base.getRawPath();
      this.pathPrefix = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    ClientConnection takeIdle() {
      List<ClientConnection> stale = new ArrayList<>();
      ClientConnection found = null;
      synchronized (this) {
        long now = millis.getAsLong();
        while (!idle.isEmpty()) {
          Idle i = idle.pollFirst();
          if (now - i.sinceMillis() > IDLE_MILLIS) {
            stale.add(i.connection()); // and everything behind it is older still
            idle.forEach(rest -> stale.add(rest.connection()));
            idle.clear();
          } else if (i.connection().isOpen()) {
            found = i.connection();
            break;
          }
        }
      }
      stale.forEach(OutboundHttp::closeOnItsThread);
      return found;
    }

    void giveBack(ClientConnection c) {
      if (!c.isOpen()) {
        return;
      }
      ClientConnection stale = null;
      synchronized (this) {
        long now = millis.getAsLong();
        idle.addFirst(new Idle(c, now));
        Idle oldest = idle.peekLast();
        if (now - oldest.sinceMillis() > IDLE_MILLIS) {
          stale = idle.pollLast().connection();
        }
      }
      closeOnItsThread(stale);
    }

    synchronized void forget(ClientConnection c) {
      idle.removeIf(i -> i.connection() == c);
    }

    synchronized int idleCount() {
      return idle.size();
    }

    void closeAll() {
      List<ClientConnection> all = new ArrayList<>();
      synchronized (this) {
        idle.forEach(i -> all.add(i.connection()));
        idle.clear();
      }
      all.forEach(OutboundHttp::closeOnItsThread);
    }
  }

  /** One request, from checkout to the last byte of the answer (sent at most twice). */
  private final class Attempt {
    private final Origin origin;
    private final Request req;
    private final CompletableFuture<Response> result;
    private final boolean inline;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean retried = new AtomicBoolean();
    private volatile ClientConnection connection;
    private volatile XnioExecutor.Key timer;

    Attempt(Origin origin, Request req, CompletableFuture<Response> result, boolean inline) {
      this.origin = origin;
      this.req = req;
      this.result = result;
      this.inline = inline;
    }

    void start(boolean mayReuse) {
      if (timer == null) {
        timer = worker.getIoThread().executeAfter(this::timedOut, req.timeout().toMillis(), TimeUnit.MILLISECONDS);
      }
      ClientConnection c = mayReuse ? origin.takeIdle() : null;
      if (c != null) {
        // A connection is only ever touched on its own I/O thread: Undertow's client is not
        // thread-safe, and a request started elsewhere races the thread's own reads.
        try {
          c.getIoThread().execute(() -> exchange(c, true));
        } catch (RuntimeException e) { // the worker is shutting down
          fail(new IOException("HTTP client is closing", e));
        }
        return;
      }
      if (XnioIoThread.currentThread() != null) {
        // Connecting resolves the host name, which may block: never on an I/O thread (a
        // heartbeat answered there sends the CN's next message from there).
        try {
          completions.execute(this::connect);
        } catch (RuntimeException e) { // shutting down
          fail(new IOException("HTTP client is closing", e));
        }
        return;
      }
      connect();
    }

    private void connect() {
      try {
        UndertowClient.getInstance().connect(new ClientCallback<ClientConnection>() {
          @Override
          public void completed(ClientConnection fresh) {
            fresh.addCloseListener(origin::forget);
            if (finished.get()) {
              origin.giveBack(fresh); // timed out while connecting; the connection is still good
            } else {
              exchange(fresh, false);
            }
          }

          @Override
          public void failed(IOException e) {
            fail(e);
          }
        }, origin.uri, worker, buffers, OptionMap.EMPTY);
      } catch (RuntimeException e) { // an unresolvable host, a worker shutting down
        fail(new IOException("cannot connect to " + origin.uri + ": " + e, e));
      }
    }

    private void exchange(ClientConnection c, boolean reused) {
      if (finished.get()) {
        origin.giveBack(c); // timed out before it could start: the connection is unused
        return;
      }
      connection = c;
      ClientRequest cr = new ClientRequest().setMethod(HttpString.tryFromString(req.method()))
          .setPath(origin.pathPrefix + req.pathAndQuery());
      cr.getRequestHeaders().put(Headers.HOST, origin.hostHeader);
      req.headers().forEach((k, v) -> cr.getRequestHeaders().put(HttpString.tryFromString(k), v));
      if (req.body() != null && !cr.getRequestHeaders().contains(Headers.CONTENT_LENGTH)) {
        cr.getRequestHeaders().put(Headers.CONTENT_LENGTH, req.body().length);
      }
      try {
        c.sendRequest(cr, new ClientCallback<ClientExchange>() {
          @Override
          public void completed(ClientExchange ex) {
            ex.setResponseListener(new ClientCallback<ClientExchange>() {
              @Override
              public void completed(ClientExchange done) {
                new BodyReader(done, c).read(done.getResponseChannel());
              }

              @Override
              public void failed(IOException e) {
                failOrRetry(e, c, reused);
              }
            });
            if (req.body() != null) {
              writeBody(ex.getRequestChannel(), ByteBuffer.wrap(req.body()), c, reused);
            }
          }

          @Override
          public void failed(IOException e) {
            failOrRetry(e, c, reused);
          }
        });
      } catch (RuntimeException e) { // the connection was closed under us
        failOrRetry(new IOException(e), c, reused);
      }
    }

    private void writeBody(StreamSinkChannel ch, ByteBuffer buf, ClientConnection c, boolean reused) {
      try {
        while (buf.hasRemaining()) {
          if (ch.write(buf) == 0) {
            ch.getWriteSetter().set(x -> writeBody(ch, buf, c, reused));
            ch.resumeWrites();
            return;
          }
        }
        ch.suspendWrites();
        ch.shutdownWrites();
        if (!ch.flush()) {
          ch.getWriteSetter().set(ChannelListeners.flushingChannelListener(null, (x, e) -> failOrRetry(e, c, reused)));
          ch.resumeWrites();
        }
      } catch (IOException e) {
        failOrRetry(e, c, reused);
      }
    }

    /** Reads the body of an answer to its end, then hands the connection back and completes. */
    private final class BodyReader {
      private final ClientExchange ex;
      private final ClientConnection connection;
      private final GrowingBytes body;

      BodyReader(ClientExchange ex, ClientConnection connection) {
        this.ex = ex;
        this.connection = connection;
        String cl = ex.getResponse().getResponseHeaders().getFirst(Headers.CONTENT_LENGTH);
        int expected = 256;
        if (cl != null) {
          try {
            expected = (int) Math.min(Long.parseLong(cl), 1 << 24);
          } catch (NumberFormatException e) {
            expected = 256;
          }
        }
        this.body = new GrowingBytes(expected, GrowingBytes.ARRAY_MAX);
      }

      void read(StreamSourceChannel ch) {
        try (PooledByteBuffer pooled = buffers.allocate()) {
          ByteBuffer b = pooled.getBuffer();
          for (;;) {
            b.clear();
            int n = ch.read(b);
            if (n == -1) {
              // Leave the channel alone: by now the connection is back in Undertow's hands.
              done();
              return;
            }
            if (n == 0) {
              ch.getReadSetter().set(c -> read(ch));
              ch.resumeReads();
              return;
            }
            b.flip();
            body.append(b);
          }
        } catch (IOException e) {
          IoUtils.safeClose(connection); // on its I/O thread: this is a read callback
          fail(e); // an answer had started: never resent
        }
      }

      private void done() {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (HeaderValues v : ex.getResponse().getResponseHeaders()) {
          headers.put(v.getHeaderName().toString(), List.copyOf(v));
        }
        Response r = new Response(ex.getResponse().getResponseCode(), headers, body.toArray());
        if (finished.compareAndSet(false, true)) {
          cancelTimer();
          origin.giveBack(connection); // closed already if the API said "Connection: close"
          complete(r);
        }
      }
    }

    /** @param c the connection the failed exchange ran on (a late report from an earlier one is ignored) */
    private void failOrRetry(IOException e, ClientConnection c, boolean reused) {
      IoUtils.safeClose(c);
      if (c != connection) {
        return;
      }
      if (reused && IDEMPOTENT.contains(req.method()) && !finished.get() && retried.compareAndSet(false, true)) {
        connection = null; // from here on, reports about c are late ones
        start(false); // the API may have closed an idle connection as we sent: try a fresh one once
      } else {
        fail(e);
      }
    }

    private void timedOut() {
      if (finished.compareAndSet(false, true)) {
        closeOnItsThread(connection);
        completeExceptionally(new HttpTimeoutException(req.method() + " " + req.base() + req.pathAndQuery()
            + " timed out after " + req.timeout().toMillis() + " ms"));
      }
    }

    private void fail(IOException e) {
      if (finished.compareAndSet(false, true)) {
        cancelTimer();
        completeExceptionally(e);
      }
    }

    private void cancelTimer() {
      XnioExecutor.Key k = timer;
      if (k != null) {
        k.remove();
      }
    }

    private void complete(Response r) {
      if (inline) {
        result.complete(r);
        return;
      }
      try {
        completions.execute(() -> result.complete(r));
      } catch (RuntimeException rejected) { // shutting down
        result.complete(r);
      }
    }

    /** Failures always go through the executor: rare, and what follows one (logging, retries) may take time. */
    private void completeExceptionally(Throwable t) {
      try {
        completions.execute(() -> result.completeExceptionally(t));
      } catch (RuntimeException rejected) {
        result.completeExceptionally(t);
      }
    }
  }
}
