package com.joyent.mockcloud.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what a JDK client will not do: announce a body and not
 * send it, stop a chunked body half way, see whether the server closed the connection.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;

  public RawHttp(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
  }

  /**
   * One answer: status, headers (names lower case), body, and the header names as they came
   * on the wire (their case and order).
   */
  public record Answer(int status, Map<String, String> headers, String body, List<String> headerNames) {}

  public RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawHttp send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  /** Reads one answer with a {@code Content-Length} (or none, then to the end of the stream). */
  public Answer read() throws IOException {
    String statusLine = line();
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      names.add(h.substring(0, colon).trim());
      headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String cl = headers.get("content-length");
    if (cl != null) {
      body.write(in.readNBytes(Integer.parseInt(cl)));
    } else if (status != 204) {
      in.transferTo(body);
    }
    return new Answer(status, headers, body.toString(StandardCharsets.UTF_8), names);
  }

  /** True when the server closed the connection (end of stream, or reset) within the read timeout. */
  public boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    if (c == -1 && sb.length() == 0) {
      throw new IOException("connection closed before an answer");
    }
    return sb.toString();
  }

  /** A request head: {@code POST path} with the given extra header lines (each without CRLF). */
  public static String head(String method, String path, String... headers) {
    StringBuilder sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headers) {
      sb.append(h).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  /** One chunk of a chunked body. */
  public static String chunk(String data) {
    return Integer.toHexString(data.getBytes(StandardCharsets.ISO_8859_1).length) + "\r\n" + data + "\r\n";
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
