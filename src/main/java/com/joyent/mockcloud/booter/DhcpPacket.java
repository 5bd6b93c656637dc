package com.joyent.mockcloud.booter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A DHCP message (RFC 2131 §2) on Ethernet, and its byte form. Addresses are unsigned 32-bit
 * values as {@code Ipv4.parse} gives them; {@code chaddr} is the 6-byte MAC. Immutable.
 *
 * <p>{@link #decode} refuses what a client or server must drop: too short, not Ethernet, a wrong
 * magic cookie, an option running past the end of the packet, no message type. Overloaded
 * {@code file}/{@code sname} fields (option 52) are read as options.
 */
public record DhcpPacket(int op, long xid, int secs, boolean broadcast, long ciaddr, long yiaddr, long siaddr,
    long giaddr, byte[] chaddr, String sname, String file, DhcpOptions options) {
  public static final int BOOTREQUEST = 1;
  public static final int BOOTREPLY = 2;
  /** RFC 2131 §3: the first four option bytes. */
  static final int MAGIC_COOKIE = 0x63825363;
  private static final int FIXED = 236;
  /** BOOTP's minimum size: clients and servers pad their messages to it. */
  private static final int MIN_SIZE = 300;

  public DhcpPacket {
    if (chaddr.length != 6) {
      throw new IllegalArgumentException("chaddr must be a 6-byte MAC, got " + chaddr.length + " bytes");
    }
    if (op != BOOTREQUEST && op != BOOTREPLY) {
      throw new IllegalArgumentException("op must be 1 (request) or 2 (reply), got " + op);
    }
    if (xid < 0 || xid > 0xffffffffL || secs < 0 || secs > 0xffff) {
      throw new IllegalArgumentException("xid must fit 32 bits and secs 16 bits");
    }
    chaddr = chaddr.clone();
    sname = sname == null ? "" : sname;
    file = file == null ? "" : file;
    if (sname.length() > 64 || file.length() > 128) {
      throw new IllegalArgumentException("sname is at most 64 bytes and file 128");
    }
    options = options.copy();
  }

  /** A copy: changing it changes nothing in this packet. */
  @Override
  public DhcpOptions options() {
    return options.copy();
  }

  /** Why a packet was dropped: each reason is counted by whoever reads packets. */
  public enum Problem { TRUNCATED, NOT_ETHERNET, BAD_COOKIE, OPTION_OVERFLOW, NO_MESSAGE_TYPE }

  /** A packet that is not a DHCP message we can read. */
  public static final class MalformedException extends Exception {
    private final Problem problem;

    MalformedException(Problem problem, String message) {
      super(message);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }

  public DhcpMessageType type() {
    return options.type();
  }

  /** The client's MAC as NAPI writes it: lower-case, colon-separated. */
  public String mac() {
    return formatMac(chaddr);
  }

  @Override
  public byte[] chaddr() {
    return chaddr.clone();
  }

  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(MIN_SIZE + 64);
    out.write(op);
    out.write(1); // htype: Ethernet
    out.write(6); // hlen
    out.write(0); // hops
    writeInt(out, xid);
    out.write(secs >>> 8);
    out.write(secs);
    out.write(broadcast ? 0x80 : 0);
    out.write(0);
    writeInt(out, ciaddr);
    writeInt(out, yiaddr);
    writeInt(out, siaddr);
    writeInt(out, giaddr);
    out.write(chaddr, 0, 6);
    out.write(new byte[10], 0, 10);
    writeField(out, sname, 64, "sname");
    writeField(out, file, 128, "file");
    writeInt(out, MAGIC_COOKIE);
    options.writeTo(out);
    while (out.size() < MIN_SIZE) {
      out.write(DhcpOptions.PAD);
    }
    return out.toByteArray();
  }

  public static DhcpPacket decode(byte[] b) throws MalformedException {
    return decode(b, 0, b.length);
  }

  public static DhcpPacket decode(byte[] b, int offset, int length) throws MalformedException {
    if (length < FIXED + 4) {
      throw new MalformedException(Problem.TRUNCATED, "a DHCP message is at least 240 bytes, got " + length);
    }
    int p = offset;
    int op = b[p] & 0xff;
    if ((op != BOOTREQUEST && op != BOOTREPLY) || b[p + 1] != 1 || b[p + 2] != 6) {
      throw new MalformedException(Problem.NOT_ETHERNET, "op " + op + ", htype " + (b[p + 1] & 0xff) + ", hlen "
          + (b[p + 2] & 0xff) + ": not an Ethernet BOOTP message");
    }
    long xid = DhcpOptions.be32(b, p + 4);
    int secs = (b[p + 8] & 0xff) << 8 | b[p + 9] & 0xff;
    boolean broadcast = (b[p + 10] & 0x80) != 0;
    long ciaddr = DhcpOptions.be32(b, p + 12);
    long yiaddr = DhcpOptions.be32(b, p + 16);
    long siaddr = DhcpOptions.be32(b, p + 20);
    long giaddr = DhcpOptions.be32(b, p + 24);
    byte[] chaddr = Arrays.copyOfRange(b, p + 28, p + 34);
    int snameAt = p + 44;
    int fileAt = p + 108;
    if (DhcpOptions.be32(b, p + FIXED) != (MAGIC_COOKIE & 0xffffffffL)) {
      throw new MalformedException(Problem.BAD_COOKIE, "magic cookie 0x"
          + HexFormat.of().formatHex(b, p + FIXED, p + FIXED + 4) + ", not 0x63825363");
    }
    DhcpOptions options = new DhcpOptions();
    readOptions(b, p + FIXED + 4, offset + length, options, "options");
    String sname = field(b, snameAt, 64);
    String file = field(b, fileAt, 128);
    int overload = options.byteValue(DhcpOptions.OVERLOAD);
    if (overload == 1 || overload == 3) {
      readOptions(b, fileAt, fileAt + 128, options, "file");
      file = "";
    }
    if (overload == 2 || overload == 3) {
      readOptions(b, snameAt, snameAt + 64, options, "sname");
      sname = "";
    }
    if (options.type() == null) {
      throw new MalformedException(Problem.NO_MESSAGE_TYPE, "no DHCP message type (option 53)");
    }
    return new DhcpPacket(op, xid, secs, broadcast, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname, file, options);
  }

  /** Options from {@code from} up to END or {@code to}; a length running past {@code to} is refused. */
  private static void readOptions(byte[] b, int from, int to, DhcpOptions into, String where)
      throws MalformedException {
    int i = from;
    while (i < to) {
      int code = b[i] & 0xff;
      if (code == DhcpOptions.END) {
        return;
      }
      if (code == DhcpOptions.PAD) {
        i++;
        continue;
      }
      if (i + 1 >= to || i + 2 + (b[i + 1] & 0xff) > to) {
        throw new MalformedException(Problem.OPTION_OVERFLOW, "option " + code + " in " + where
            + " runs past the end of the packet");
      }
      int len = b[i + 1] & 0xff;
      into.append(code, Arrays.copyOfRange(b, i + 2, i + 2 + len));
      i += 2 + len;
    }
  }

  private static String field(byte[] b, int at, int size) {
    int n = 0;
    while (n < size && b[at + n] != 0) {
      n++;
    }
    return new String(b, at, n, StandardCharsets.US_ASCII);
  }

  private static void writeField(ByteArrayOutputStream out, String s, int size, String name) {
    byte[] v = s.getBytes(StandardCharsets.US_ASCII);
    if (v.length > size) { // a full field has no NUL, as RFC 951 allows
      throw new IllegalArgumentException(name + " is longer than " + size + " bytes: " + s);
    }
    out.write(v, 0, v.length);
    out.write(new byte[size - v.length], 0, size - v.length);
  }

  private static void writeInt(ByteArrayOutputStream out, long v) {
    out.write((int) (v >>> 24));
    out.write((int) (v >>> 16));
    out.write((int) (v >>> 8));
    out.write((int) v);
  }

  static String formatMac(byte[] mac) {
    StringBuilder sb = new StringBuilder(17);
    for (int i = 0; i < mac.length; i++) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(Character.forDigit((mac[i] >> 4) & 0xf, 16)).append(Character.forDigit(mac[i] & 0xf, 16));
    }
    return sb.toString();
  }

  /** {@code "90:b8:d0:aa:bb:01"} as 6 bytes. */
  public static byte[] parseMac(String mac) {
    String[] parts = mac.split(":", -1);
    if (parts.length != 6 || !mac.matches("[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2}){5}")) {
      throw new IllegalArgumentException("not a MAC address: " + mac);
    }
    byte[] out = new byte[6];
    for (int i = 0; i < 6; i++) {
      out[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DhcpPacket d && op == d.op && xid == d.xid && Arrays.equals(chaddr, d.chaddr)
        && Arrays.equals(encode(), d.encode());
  }

  @Override
  public int hashCode() {
    return Long.hashCode(xid) * 31 + Arrays.hashCode(chaddr);
  }

  @Override
  public String toString() {
    return "DhcpPacket[" + type() + " xid=" + Long.toHexString(xid) + " mac=" + mac() + " options=" + options + "]";
  }
}
