package com.joyent.mockcloud.fleet;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands out listener ports for the CNs: 0 (the OS chooses, from the ephemeral range) unless a
 * base is configured, in which case ports count up from the base, so 10,000 listeners do not
 * use up the ephemeral range that outbound connections need. A port that turns out to be
 * taken is skipped by asking for the next one. Thread-safe.
 */
final class PortAllocator {
  static final int MAX_PORT = 65535;
  private final int base;
  private final AtomicInteger next;

  /** @param base first port to use, or 0 for OS-chosen ports */
  PortAllocator(int base) {
    if (base < 0 || base > MAX_PORT) {
      throw new IllegalArgumentException("port base must be between 1 and 65535 (or 0 for OS-chosen), got " + base);
    }
    this.base = base;
    this.next = new AtomicInteger(base);
  }

  boolean osChosen() {
    return base == 0;
  }

  /** The next port to try; 0 when the OS chooses. */
  int next() {
    if (base == 0) {
      return 0;
    }
    int p = next.getAndIncrement();
    if (p > MAX_PORT) {
      throw new IllegalStateException("no ports left above the port base " + base);
    }
    return p;
  }
}
