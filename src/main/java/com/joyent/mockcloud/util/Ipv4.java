package com.joyent.mockcloud.util;

/** IPv4 addresses as longs, and CIDR blocks. Pure; thread-safe. */
public final class Ipv4 {
  private Ipv4() {}

  /** Parses a dotted quad; null when it is not one. */
  public static Long parse(String s) {
    if (s == null) {
      return null;
    }
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    long v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        return null;
      }
      int octet = Integer.parseInt(p);
      if (octet > 255) {
        return null;
      }
      v = (v << 8) | octet;
    }
    return v;
  }

  public static String format(long v) {
    return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
  }

  /** A network block, e.g. {@code 10.99.0.0/16}. */
  public record Cidr(long base, int bits) {
    public static Cidr parse(String cidr) {
      String[] parts = cidr == null ? new String[0] : cidr.split("/", 2);
      Long base = parts.length == 2 ? Ipv4.parse(parts[0]) : null;
      int bits;
      try {
        bits = parts.length == 2 ? Integer.parseInt(parts[1]) : -1;
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (base == null || bits < 8 || bits > 30) {
        throw new IllegalArgumentException("subnet must be an IPv4 CIDR with a prefix of 8-30 bits, got " + cidr);
      }
      long mask = mask(bits);
      if ((base & ~mask & 0xffffffffL) != 0) {
        throw new IllegalArgumentException("subnet has host bits set: " + cidr);
      }
      return new Cidr(base, bits);
    }

    private static long mask(int bits) {
      return (0xffffffffL << (32 - bits)) & 0xffffffffL;
    }

    public String netmask() {
      return format(mask(bits));
    }

    public long last() {
      return base | (~mask(bits) & 0xffffffffL);
    }

    public boolean contains(long ip) {
      return ip >= base && ip <= last();
    }

    @Override
    public String toString() {
      return format(base) + "/" + bits;
    }
  }
}
