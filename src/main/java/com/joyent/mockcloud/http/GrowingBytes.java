package com.joyent.mockcloud.http;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A body being read: bytes appended from I/O buffers into one array that doubles as it fills,
 * never past a cap. The request reader ({@link BodyReader}) and the outbound client's answer
 * reader share it. Confined to the I/O thread reading the body.
 */
final class GrowingBytes {
  /** The largest array the JVM allocates: the cap when none is given. */
  static final long ARRAY_MAX = Integer.MAX_VALUE - 8;

  private final long cap;
  private byte[] bytes;
  private int length;

  /** @param initial the first array's size (what the body declared, within reason) */
  GrowingBytes(int initial, long cap) {
    this.cap = Math.min(cap, ARRAY_MAX);
    this.bytes = new byte[(int) Math.max(0, Math.min(initial, this.cap))];
  }

  int length() {
    return length;
  }

  /** Appends what {@code src} has left; the caller has checked that {@code length() + src.remaining()} is within the cap. */
  void append(ByteBuffer src) {
    int n = src.remaining();
    if (length + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, (int) Math.min(Math.max(length + n, 2L * bytes.length), cap));
    }
    src.get(bytes, length, n);
    length += n;
  }

  /** The bytes appended, in an array of exactly that length (the buffer itself when it is full). */
  byte[] toArray() {
    return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
  }
}
