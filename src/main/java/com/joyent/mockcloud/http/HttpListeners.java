package com.joyent.mockcloud.http;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * Opens HTTP listeners that all share one XNIO worker and one buffer pool, so a thousand
 * listeners cost a thousand sockets and no extra threads; client WebSockets share a second,
 * one-thread worker, started when they are first asked for. Create one per process (the
 * sandbox and the daemon each own one); {@link #close()} stops the workers.
 */
public final class HttpListeners implements Closeable {
  private final String name;
  private final XnioWorker worker;
  private final ByteBufferPool buffers;
  private XnioWorker socketWorker; // guarded by this, as webSockets; made on first use
  private WebSocketDialer webSockets;

  /** @param ioThreads how many I/O threads serve every listener */
  public HttpListeners(String name, int ioThreads) {
    this.name = name;
    try {
      this.worker = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
          .set(Options.WORKER_NAME, name)
          .set(Options.WORKER_IO_THREADS, ioThreads)
          // Handlers never block, so the blocking-task pool stays small and idle.
          .set(Options.WORKER_TASK_CORE_THREADS, 1)
          .set(Options.WORKER_TASK_MAX_THREADS, 2)
          .set(Options.TCP_NODELAY, true)
          .getMap());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the HTTP I/O worker", e);
    }
    // Small direct buffers: requests and replies are a few KB of JSON.
    this.buffers = new DefaultByteBufferPool(true, 4096, 256, 4);
  }

  /**
   * Client WebSockets, on an I/O thread of their own ({@code <name>-ws I/O-1}): every NIC change
   * reaches every CN's changefeed socket (thousands of frames per change), and that flood must
   * not delay the heartbeats and task requests on the listener and client threads. Started on
   * the first call, so a process that dials none (the sandbox) has no such thread.
   */
  public synchronized WebSocketDialer webSockets() {
    if (webSockets == null) {
      try {
        socketWorker = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
            .set(Options.WORKER_NAME, name + "-ws")
            .set(Options.WORKER_IO_THREADS, 1)
            .set(Options.WORKER_TASK_CORE_THREADS, 1)
            .set(Options.WORKER_TASK_MAX_THREADS, 1)
            .set(Options.TCP_NODELAY, true)
            .getMap());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the WebSocket I/O worker", e);
      }
      webSockets = new WebSocketDialer(socketWorker, buffers);
    }
    return webSockets;
  }

  /** A client for outbound requests on this worker and buffer pool; futures complete on {@code completions}. */
  public OutboundHttp newClient(Executor completions) {
    return new OutboundHttp(worker, buffers, completions);
  }

  /**
   * Starts a listener on {@code host:port} (0 = OS-chosen) and returns it bound.
   *
   * @throws PortTakenException when something else holds {@code host:port}
   */
  public Listener open(String host, int port, HttpHandler handler) {
    ConnectionTracker connections = new ConnectionTracker(handler);
    Undertow undertow = Undertow.builder()
        .setWorker(worker)
        .setByteBufferPool(buffers)
        .addHttpListener(port, host)
        .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
        .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
        // Node's keep-alive timeout: an idle connection is closed after it, as the answers say.
        .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, RestRouter.KEEP_ALIVE_SECONDS * 1000)
        .setHandler(connections)
        .build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      // Undertow wraps what binding threw; a taken port is a BindException somewhere in the chain.
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BindException b) {
          throw new PortTakenException(host, port, b);
        }
      }
      throw e;
    }
    InetSocketAddress addr = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    return new Listener(undertow, addr, connections);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (socketWorker != null) {
        socketWorker.shutdown();
      }
    }
    worker.shutdown();
  }

  /** Something else holds the address a listener was asked to bind. */
  public static final class PortTakenException extends UncheckedIOException {
    PortTakenException(String host, int port, BindException cause) {
      super(host + ":" + port + " is taken (" + cause.getMessage() + ")", cause);
    }
  }

  /**
   * One bound listener. {@link #close} closes the listening socket (answers being written still
   * go out); {@link #closeAndDrop} also the connections it accepted, as a CN that loses power
   * drops its clients' connections. Neither touches the shared worker.
   */
  public static final class Listener implements Closeable {
    private final Undertow undertow;
    private final InetSocketAddress address;
    private final ConnectionTracker connections;

    Listener(Undertow undertow, InetSocketAddress address, ConnectionTracker connections) {
      this.undertow = undertow;
      this.address = address;
      this.connections = connections;
    }

    public InetSocketAddress address() {
      return address;
    }

    public int port() {
      return address.getPort();
    }

    public String baseUrl() {
      return "http://" + address.getHostString() + ":" + address.getPort();
    }

    @Override
    public void close() {
      undertow.stop();
    }

    /** Closes the socket and every connection it accepted, answers in progress too. */
    public void closeAndDrop() {
      undertow.stop();
      connections.closeAll();
    }
  }

  /**
   * Remembers the connections that sent a request, until they close: Undertow's stop() closes
   * the listening socket only. One small set per listener, holding its open keep-alive connections.
   */
  static final class ConnectionTracker implements HttpHandler {
    private final HttpHandler next;
    private final Set<ServerConnection> open = ConcurrentHashMap.newKeySet();

    ConnectionTracker(HttpHandler next) {
      this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
      ServerConnection c = exchange.getConnection();
      if (open.add(c)) {
        c.addCloseListener(open::remove);
      }
      next.handleRequest(exchange);
    }

    void closeAll() {
      for (ServerConnection c : open) {
        IoUtils.safeClose(c);
      }
      open.clear();
    }
  }
}
