package com.joyent.mockcloud.booter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of a DHCP message (RFC 2132), in the order they were put or read. A code read
 * more than once has its values joined, as RFC 3396 says for long options. Not thread-safe:
 * one message's options are built or read by one thread.
 */
public final class DhcpOptions {
  public static final int PAD = 0;
  public static final int SUBNET_MASK = 1;
  public static final int ROUTER = 3;
  public static final int DNS_SERVERS = 6;
  public static final int HOSTNAME = 12;
  public static final int DOMAIN_NAME = 15;
  public static final int BROADCAST_ADDRESS = 28;
  public static final int VENDOR_SPECIFIC = 43;
  public static final int REQUESTED_IP = 50;
  public static final int LEASE_TIME = 51;
  public static final int OVERLOAD = 52;
  public static final int MESSAGE_TYPE = 53;
  public static final int SERVER_ID = 54;
  public static final int PARAMETER_REQUEST_LIST = 55;
  public static final int MESSAGE = 56;
  public static final int MAX_MESSAGE_SIZE = 57;
  public static final int RENEWAL_TIME = 58;
  public static final int REBINDING_TIME = 59;
  public static final int VENDOR_CLASS = 60;
  public static final int CLIENT_ID = 61;
  public static final int TFTP_SERVER = 66;
  public static final int BOOTFILE = 67;
  public static final int USER_CLASS = 77;
  public static final int CLIENT_ARCH = 93;
  public static final int CLIENT_NDI = 94;
  public static final int CLIENT_UUID = 97;
  public static final int END = 255;

  private final Map<Integer, byte[]> values = new LinkedHashMap<>();

  /** Sets {@code code} to {@code value} (replacing an earlier value); codes 0 and 255 carry no value. */
  public DhcpOptions put(int code, byte[] value) {
    if (code <= PAD || code >= END) {
      throw new IllegalArgumentException("option " + code + " carries no value");
    }
    values.put(code, value.clone());
    return this;
  }

  public DhcpOptions putByte(int code, int value) {
    return put(code, new byte[] {(byte) value});
  }

  public DhcpOptions putShort(int code, int value) {
    return put(code, new byte[] {(byte) (value >>> 8), (byte) value});
  }

  public DhcpOptions putInt(int code, long value) {
    return put(code, new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
  }

  /** One or more IPv4 addresses, each as the unsigned 32-bit value {@code Ipv4.parse} gives. */
  public DhcpOptions putIps(int code, long... ips) {
    byte[] b = new byte[4 * ips.length];
    for (int i = 0; i < ips.length; i++) {
      for (int k = 0; k < 4; k++) {
        b[4 * i + k] = (byte) (ips[i] >>> (24 - 8 * k));
      }
    }
    return put(code, b);
  }

  public DhcpOptions putString(int code, String value) {
    return put(code, value.getBytes(StandardCharsets.US_ASCII));
  }

  /** Adds {@code value} after what {@code code} already holds: how a decoder joins split options. */
  void append(int code, byte[] value) {
    byte[] had = values.get(code);
    if (had == null) {
      values.put(code, value);
      return;
    }
    byte[] joined = new byte[had.length + value.length];
    System.arraycopy(had, 0, joined, 0, had.length);
    System.arraycopy(value, 0, joined, had.length, value.length);
    values.put(code, joined);
  }

  public DhcpOptions copy() {
    DhcpOptions c = new DhcpOptions();
    values.forEach((k, v) -> c.values.put(k, v.clone()));
    return c;
  }

  public boolean has(int code) {
    return values.containsKey(code);
  }

  public Set<Integer> codes() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** The raw value, or null. */
  public byte[] bytes(int code) {
    byte[] v = values.get(code);
    return v == null ? null : v.clone();
  }

  /** A one-byte option, or -1 when absent or not one byte long. */
  public int byteValue(int code) {
    byte[] v = values.get(code);
    return v == null || v.length != 1 ? -1 : v[0] & 0xff;
  }

  /** A two-byte option, or -1 when absent or not two bytes long. */
  public int shortValue(int code) {
    byte[] v = values.get(code);
    return v == null || v.length != 2 ? -1 : (v[0] & 0xff) << 8 | v[1] & 0xff;
  }

  /** A four-byte option as unsigned, or -1 when absent or not four bytes long. */
  public long intValue(int code) {
    byte[] v = values.get(code);
    return v == null || v.length != 4 ? -1 : be32(v, 0);
  }

  /** The first address of an address option, or -1 when absent or not a multiple of four bytes. */
  public long ip(int code) {
    List<Long> ips = ips(code);
    return ips.isEmpty() ? -1 : ips.get(0);
  }

  /** Every address of an address option; empty when absent or malformed. */
  public List<Long> ips(int code) {
    byte[] v = values.get(code);
    if (v == null || v.length == 0 || v.length % 4 != 0) {
      return List.of();
    }
    List<Long> out = new ArrayList<>(v.length / 4);
    for (int i = 0; i < v.length; i += 4) {
      out.add(be32(v, i));
    }
    return out;
  }

  /** A text option (trailing NULs, which some clients send, dropped), or null. */
  public String string(int code) {
    byte[] v = values.get(code);
    if (v == null) {
      return null;
    }
    int n = v.length;
    while (n > 0 && v[n - 1] == 0) {
      n--;
    }
    return new String(v, 0, n, StandardCharsets.US_ASCII);
  }

  /** The message type (option 53), or null when absent or unknown. */
  public DhcpMessageType type() {
    return DhcpMessageType.of(byteValue(MESSAGE_TYPE));
  }

  /** The options as they go on the wire: values over 255 bytes split in order (RFC 3396), then END. */
  void writeTo(ByteArrayOutputStream out) {
    for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
      byte[] v = e.getValue();
      int off = 0;
      do {
        int n = Math.min(255, v.length - off);
        out.write(e.getKey());
        out.write(n);
        out.write(v, off, n);
        off += n;
      } while (off < v.length);
    }
    out.write(END);
  }

  static long be32(byte[] b, int off) {
    return (b[off] & 0xffL) << 24 | (b[off + 1] & 0xffL) << 16 | (b[off + 2] & 0xffL) << 8 | b[off + 3] & 0xffL;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(e.getKey()).append('=').append(java.util.HexFormat.of().formatHex(e.getValue()));
    }
    return sb.append('}').toString();
  }
}
