package com.joyent.mockcloud.fast;

/** A frame that breaks node-fast's protocol: as in node-fast, fatal to the connection. */
public final class FastProtocolException extends RuntimeException {
  public FastProtocolException(String message) {
    super(message);
  }
}
