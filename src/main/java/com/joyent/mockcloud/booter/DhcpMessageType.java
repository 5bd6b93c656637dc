package com.joyent.mockcloud.booter;

/** DHCP message types, option 53 (RFC 2132 §9.6). */
public enum DhcpMessageType {
  DISCOVER(1), OFFER(2), REQUEST(3), DECLINE(4), ACK(5), NAK(6), RELEASE(7), INFORM(8);

  private final int code;

  DhcpMessageType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type with {@code code}, or null. */
  public static DhcpMessageType of(int code) {
    for (DhcpMessageType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
