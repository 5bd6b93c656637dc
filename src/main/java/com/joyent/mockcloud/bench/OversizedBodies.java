package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.util.NamedThreads;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Oversized {@code POST /tasks} bodies sent the way a client that does not care sends them
 * (bench {@code --oversized-bodies}): N at once, each to a different CN's cn-agent listener,
 * each announcing its size and written as fast as the socket takes it, half with a
 * {@code Content-Length} and half chunked, so that both of cn-agent's rejection paths (on the
 * declared length, and once a chunked body has passed the limit) are exercised.
 *
 * <p>cn-agent answers a body over 4 MiB with {@code 413 PayloadTooLargeError} and closes the
 * connection without reading the rest, so the writer meets a broken pipe or a reset: each
 * request is a raw socket with a writer thread and a reader (the calling task) that reads the
 * answer while the body is still being written. The expected outcome is a 413 read back; how the
 * connection then ended (end of stream or reset from the server, or left open), how much of the
 * body went out, and how the writing ended (after the server's close the writer is given
 * {@link #CLOSE_WAIT} to meet it by itself) are recorded beside it. Every request is bounded by a deadline, after which its socket is closed;
 * the threads are the sender's own and are gone when {@link #run} returns.
 */
final class OversizedBodies {
  /** cn-agent's request body limit ({@code cnagent.CnAgentRoutes.MAX_BODY_BYTES}, docs/cn-agent.md "Limits"). */
  static final long CN_AGENT_BODY_LIMIT = 4L * 1024 * 1024;
  /** What every request may take at most, from connecting to seeing the connection closed. */
  static final Duration DEADLINE = Duration.ofSeconds(30);
  /** How long the reader waits, after the answer, for the server to close the connection. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  private static final int PIECE = 64 * 1024;
  private static final int BODY_KEPT = 200;
  private static final int OTHERS_KEPT = 10;
  private static final byte[] PREFIX = "{\"task\":\"nop\",\"params\":{\"pad\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SUFFIX = "\"}}".getBytes(StandardCharsets.US_ASCII);

  /** A CN's cn-agent listener. */
  record Target(String uuid, int port) {}

  /**
   * One request's outcome.
   *
   * @param status the answer's status, null when none was read
   * @param bodyStart the first characters of the answer's body (or of what came instead of an answer)
   * @param closed how the connection ended after the answer: {@code end of stream} or {@code reset}
   *     (the server closed it within {@link #CLOSE_WAIT}), {@code open} (it did not; the sender then
   *     closed it); null without an answer
   * @param bodyBytesWritten bytes of the body the socket took before the writing ended
   * @param writeEnd {@code complete}, or why the writing ended (the exception's message, e.g.
   *     "Broken pipe", "Connection reset"; "stopped: ..." when the sender closed the socket)
   * @param error why there is no answer (connect failed, closed or reset before one, deadline), or null
   * @param answerMs from connecting to the end of the answer (to the end of the request without one)
   * @param ms from connecting to the end of the request (the close seen, or the deadline)
   */
  record Outcome(String uuid, boolean chunked, Integer status, String bodyStart, String closed,
      long bodyBytesWritten, String writeEnd, String error, double answerMs, double ms) {

    boolean is413() {
      return status != null && status == 413;
    }

    /** Whether the server closed the connection after its answer. */
    boolean closedByServer() {
      return closed != null && !closed.equals(OPEN);
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cn", uuid);
      m.put("framing", chunked ? "chunked" : "content-length");
      m.put("status", status);
      m.put("body_start", bodyStart);
      m.put("closed_after_answer", closed);
      m.put("body_bytes_written", bodyBytesWritten);
      m.put("write_end", writeEnd);
      m.put("error", error);
      m.put("answer_ms", Bench.round(answerMs));
      m.put("ms", Bench.round(ms));
      return m;
    }

    String describe() {
      return uuid + " (" + (chunked ? "chunked" : "content-length") + "): "
          + (status != null ? status + " " + bodyStart + (closed == null ? "" : "; connection " + closed) : "no answer: " + error)
          + (bodyBytesWritten > 0 ? "; " + bodyBytesWritten + " body bytes written" : "")
          + "; writing ended: " + writeEnd;
    }
  }

  private OversizedBodies() {}

  /**
   * Sends one body of {@code bodyBytes} to each target at once (the odd-numbered ones chunked)
   * and returns the outcomes in the targets' order. Returns within about {@code deadline} plus a
   * few seconds, whatever the servers do.
   */
  static List<Outcome> run(List<Target> targets, long bodyBytes, Duration deadline) throws InterruptedException {
    if (bodyBytes < PREFIX.length + SUFFIX.length) {
      throw new IllegalArgumentException("a body needs at least " + (PREFIX.length + SUFFIX.length) + " bytes");
    }
    int n = targets.size();
    if (n == 0) {
      return List.of();
    }
    long end = System.nanoTime() + deadline.toNanos();
    Socket[] sockets = new Socket[n];
    for (int i = 0; i < n; i++) {
      sockets[i] = new Socket();
    }
    // A reader (the task) and a writer per request.
    ExecutorService pool = Executors.newFixedThreadPool(2 * n, NamedThreads.bench("oversized"));
    CountDownLatch connected = new CountDownLatch(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Outcome>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        Target t = targets.get(i);
        Socket s = sockets[i];
        boolean chunked = i % 2 == 1;
        futures.add(pool.submit(() -> one(t, s, chunked, bodyBytes, end, pool, connected, go)));
      }
      // All connected (or failed to), then all bodies at once.
      connected.await(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      go.countDown();
      List<Outcome> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.add(outcome(futures.get(i), targets.get(i), i % 2 == 1, end));
      }
      return out;
    } finally {
      go.countDown();
      for (Socket s : sockets) {
        closeQuietly(s);
      }
      pool.shutdownNow();
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("oversized-body sender threads did not end within 10 s of their sockets' close");
      }
    }
  }

  private static Outcome outcome(Future<Outcome> f, Target t, boolean chunked, long end) throws InterruptedException {
    long ms = DEADLINE.toMillis();
    try {
      // The reader bounds itself by the deadline; the margin covers its close wait and clean-up.
      return f.get(Math.max(0, end - System.nanoTime()) + TimeUnit.SECONDS.toNanos(10), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      return new Outcome(t.uuid(), chunked, null, null, null, 0, "-", "sender failed: " + e.getCause(), ms, ms);
    } catch (TimeoutException e) {
      f.cancel(true);
      return new Outcome(t.uuid(), chunked, null, null, null, 0, "-", "no outcome within the deadline", ms, ms);
    }
  }

  /** One request: connect, start the writer, read the answer and whether the connection closes. */
  private static Outcome one(Target t, Socket socket, boolean chunked, long bodyBytes, long end,
      ExecutorService pool, CountDownLatch connected, CountDownLatch go) throws InterruptedException {
    long t0 = System.nanoTime();
    AtomicLong written = new AtomicLong();
    String[] writeEnd = {"not started"};
    Future<?> writer = null;
    try {
      try {
        socket.connect(new InetSocketAddress("127.0.0.1", t.port()), (int) Math.max(1, Math.min(5_000, millisLeft(end))));
        socket.setTcpNoDelay(true);
      } finally {
        connected.countDown();
      }
      go.await(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      t0 = System.nanoTime();
      byte[] head = head(t, chunked, bodyBytes);
      writer = pool.submit(() -> {
        writeEnd[0] = write(socket, head, chunked, bodyBytes, written);
        return null;
      });
      InputStream in = new BufferedInputStream(socket.getInputStream());
      Answer a = read(socket, in, end);
      double answerMs = (System.nanoTime() - t0) / 1e6;
      if (a.status == null) {
        return finish(t, chunked, a, null, written, writer, writeEnd, socket, answerMs, t0);
      }
      String closed = closedAfter(socket, in, end);
      return finish(t, chunked, a, closed, written, writer, writeEnd, socket, answerMs, t0);
    } catch (IOException e) {
      double ms = (System.nanoTime() - t0) / 1e6;
      closeQuietly(socket);
      awaitWriter(writer, 5_000);
      return new Outcome(t.uuid(), chunked, null, null, null, written.get(), writeEnd[0],
          (socket.isConnected() ? "" : "connect: ") + message(e), ms, ms);
    }
  }

  private static Outcome finish(Target t, boolean chunked, Answer a, String closed, AtomicLong written,
      Future<?> writer, String[] writeEnd, Socket socket, double answerMs, long t0) {
    if (closed != null && !closed.equals(OPEN)) {
      // The server closed: the writer meets that by itself (a broken pipe, a reset), as a client
      // that does not care would; it gets a moment for it before the socket is closed under it.
      awaitWriter(writer, CLOSE_WAIT.toMillis());
    }
    // Otherwise this is the client giving up on a connection the server no longer reads.
    closeQuietly(socket);
    awaitWriter(writer, 5_000);
    return new Outcome(t.uuid(), chunked, a.status, a.bodyStart, closed, written.get(), writeEnd[0], a.error,
        answerMs, (System.nanoTime() - t0) / 1e6);
  }

  private static void awaitWriter(Future<?> writer, long ms) {
    if (writer == null) {
      return;
    }
    try {
      writer.get(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Its outcome is in writeEnd; the pool's shutdown ends it at the latest.
    }
  }

  private static byte[] head(Target t, boolean chunked, long bodyBytes) {
    StringBuilder h = new StringBuilder("POST /tasks HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(t.port()).append("\r\n")
        .append("User-Agent: mockcloud-bench\r\n")
        .append("Accept: application/json\r\n")
        .append("Content-Type: application/json\r\n")
        .append("x-server-uuid: ").append(t.uuid()).append("\r\n");
    if (chunked) {
      h.append("Transfer-Encoding: chunked\r\n");
    } else {
      h.append("Content-Length: ").append(bodyBytes).append("\r\n");
    }
    return h.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Writes the head and a body of exactly {@code bodyBytes} ({@code {"task":"nop","params":{"pad":"xxx…"}}})
   * in pieces of 64 KiB (each a chunk when chunked); returns how the writing ended.
   */
  static String write(Socket socket, byte[] head, boolean chunked, long bodyBytes, AtomicLong written) {
    try {
      OutputStream out = socket.getOutputStream();
      out.write(head);
      byte[] pad = new byte[PIECE];
      Arrays.fill(pad, (byte) 'x');
      piece(out, chunked, PREFIX, PREFIX.length, written);
      long padLeft = bodyBytes - PREFIX.length - SUFFIX.length;
      while (padLeft > 0) {
        int len = (int) Math.min(PIECE, padLeft);
        piece(out, chunked, pad, len, written);
        padLeft -= len;
      }
      piece(out, chunked, SUFFIX, SUFFIX.length, written);
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      return "complete";
    } catch (IOException e) {
      return (socket.isClosed() ? "stopped: " : "") + message(e);
    }
  }

  private static void piece(OutputStream out, boolean chunked, byte[] b, int len, AtomicLong written) throws IOException {
    if (chunked) {
      out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    out.write(b, 0, len);
    written.addAndGet(len);
    if (chunked) {
      out.write(CRLF);
    }
  }

  private static final byte[] CRLF = {'\r', '\n'};

  /** An answer read back: status and body start, or why there is none. */
  private record Answer(Integer status, String bodyStart, String error) {}

  /** Reads one answer (status line, headers, a body of its Content-Length, else to the end of the stream). */
  private static Answer read(Socket socket, InputStream in, long end) throws IOException {
    try {
      socket.setSoTimeout(timeout(end));
      String statusLine = line(in);
      if (statusLine == null) {
        return new Answer(null, null, "connection closed without an answer");
      }
      String[] parts = statusLine.split(" ", 3);
      Integer status;
      try {
        status = parts.length >= 2 && parts[0].startsWith("HTTP/") ? Integer.valueOf(parts[1]) : null;
      } catch (NumberFormatException e) {
        status = null;
      }
      if (status == null) {
        return new Answer(null, cut(statusLine), "not an HTTP answer");
      }
      long length = -1;
      for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        if (colon > 0 && h.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
          try {
            length = Long.parseLong(h.substring(colon + 1).trim());
          } catch (NumberFormatException e) {
            length = -1;
          }
        }
      }
      ByteArrayOutputStream kept = new ByteArrayOutputStream();
      long left = length < 0 ? Long.MAX_VALUE : length;
      byte[] buf = new byte[8192];
      while (left > 0) {
        socket.setSoTimeout(timeout(end));
        int r = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (r < 0) {
          break;
        }
        if (kept.size() < BODY_KEPT) {
          kept.write(buf, 0, Math.min(r, BODY_KEPT - kept.size()));
        }
        left -= r;
      }
      return new Answer(status, cut(kept.toString(StandardCharsets.UTF_8)), null);
    } catch (SocketTimeoutException e) {
      return new Answer(null, null, "no answer within " + DEADLINE.toSeconds() + " s");
    } catch (IOException e) {
      if (socket.isClosed()) {
        return new Answer(null, null, "no answer before the deadline closed the socket");
      }
      return new Answer(null, null, message(e) + " before an answer");
    }
  }

  /**
   * How the connection ends after the answer: {@code end of stream}, {@code reset} (the server
   * closed with body bytes unread) within {@link #CLOSE_WAIT}, else {@link #OPEN}.
   */
  private static String closedAfter(Socket socket, InputStream in, long end) {
    long until = Math.min(end, System.nanoTime() + CLOSE_WAIT.toNanos());
    try {
      byte[] buf = new byte[1024];
      while (true) {
        socket.setSoTimeout(timeout(until));
        if (in.read(buf) < 0) {
          return "end of stream";
        }
      }
    } catch (SocketTimeoutException e) {
      return OPEN;
    } catch (IOException e) {
      return socket.isClosed() ? OPEN : "reset"; // not our own close (at the deadline)
    }
  }

  /** {@link Outcome#closed()} of a connection the server left open after its answer. */
  static final String OPEN = "open";

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        return sb.toString();
      }
      if (c != '\r') {
        sb.append((char) c);
      }
      if (sb.length() > 8192) {
        throw new IOException("answer line over 8 KiB");
      }
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  private static int timeout(long end) throws SocketTimeoutException {
    long ms = millisLeft(end);
    if (ms <= 0) {
      throw new SocketTimeoutException("deadline");
    }
    return (int) Math.min(Integer.MAX_VALUE, ms);
  }

  private static long millisLeft(long end) {
    return TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
  }

  private static String cut(String s) {
    return s.length() > BODY_KEPT ? s.substring(0, BODY_KEPT) : s;
  }

  private static String message(IOException e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  /** The heartbeat bounds the idle window must keep through the oversized bodies, as printed. */
  static final String HEARTBEAT_BOUNDS = "CNAPI's gap p99 <= 6000 ms, no CN over 11 s (nor stale at the end); "
      + "run-servers: no heartbeat failed, lag p99 <= 1000 ms";

  /**
   * Whether the heartbeat figures of the idle window the bodies were sent in stayed in bounds
   * ({@link #HEARTBEAT_BOUNDS}: the p99 <= 6 s and no CN unknown to CNAPI; on
   * run-servers' side, no failure and 99 % left within a second of their schedule). {@code gaps}
   * is the receiver's window, {@code lag} run-servers' ({@link HeartbeatLag#window}); a figure
   * missing from both (a real CNAPI, no metrics) leaves the verdict null. Keys
   * {@code heartbeats_in_bounds}, {@code heartbeat_bounds}, {@code heartbeats_out_of_bounds} (why not).
   */
  static Map<String, Object> heartbeatVerdict(Map<String, Object> gaps, Map<String, Object> lag) {
    List<String> out = new ArrayList<>();
    int checked = 0;
    if (gaps != null && gaps.get("p99_ms") instanceof Number p99) {
      checked++;
      if (p99.doubleValue() > 6000) {
        out.add("CNAPI's gap p99 " + p99 + " ms");
      }
      long over = gaps.get("over_11s") instanceof Number n ? n.longValue() : 0;
      long stale = gaps.get("stale_now") instanceof Number n ? n.longValue() : 0;
      if (over > 0 || stale > 0) {
        out.add(over + " CNs over 11 s, " + stale + " stale at the end");
      }
    }
    if (lag != null && lag.containsKey("lag_count")) {
      checked++;
      if (lag.get("failed") instanceof Number f && f.longValue() > 0) {
        out.add(f + " heartbeats failed");
      }
      Object p99 = lag.get("lag_p99_ms");
      if (p99 instanceof String || (p99 instanceof Number n && n.doubleValue() > 1000)) {
        out.add("run-servers' lag p99 " + (p99 instanceof String ? p99 : "<= " + p99) + " ms");
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("heartbeats_in_bounds", checked == 0 ? null : out.isEmpty());
    m.put("heartbeat_bounds", HEARTBEAT_BOUNDS);
    m.put("heartbeats_out_of_bounds", out);
    return m;
  }

  /**
   * The JSON figures: {@code sent}, {@code body_mb}, {@code body_bytes}, {@code content_length}
   * and {@code chunked} (how many of each), {@code answered_413}, {@code closed_after_413} (413s after
   * which the server closed the connection),
   * {@code other} (anything else, no answer included), {@code other_sample} (the first few),
   * {@code p50_ms} / {@code max_ms} (time to the answer, or to the end for none), {@code requests}.
   */
  static Map<String, Object> summary(List<Outcome> outcomes, int bodyMb, long bodyBytes) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sent", outcomes.size());
    m.put("body_mb", bodyMb);
    m.put("body_bytes", bodyBytes);
    m.put("content_length", outcomes.stream().filter(o -> !o.chunked()).count());
    m.put("chunked", outcomes.stream().filter(Outcome::chunked).count());
    m.put("answered_413", outcomes.stream().filter(Outcome::is413).count());
    m.put("closed_after_413", outcomes.stream().filter(o -> o.is413() && o.closedByServer()).count());
    List<Outcome> others = outcomes.stream().filter(o -> !o.is413()).toList();
    m.put("other", others.size());
    m.put("other_sample", others.stream().limit(OTHERS_KEPT).map(Outcome::describe).toList());
    Percentiles p = new Percentiles(outcomes.stream().mapToDouble(Outcome::answerMs).toArray());
    m.put("p50_ms", outcomes.isEmpty() ? null : Bench.round(p.at(0.50)));
    m.put("max_ms", outcomes.isEmpty() ? null : Bench.round(p.at(1.0)));
    m.put("requests", outcomes.stream().map(Outcome::toJson).toList());
    return m;
  }
}
