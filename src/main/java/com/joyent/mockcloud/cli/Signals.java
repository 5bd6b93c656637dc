package com.joyent.mockcloud.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT end the daemons cleanly with exit status 0 (as an SMF stop method
 * expects), instead of the JVM's default 143/130: the handler only wakes the main thread,
 * which closes everything in order and returns.
 */
final class Signals {
  private Signals() {}

  static void onTermination(Runnable action) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), sig -> action.run());
      } catch (IllegalArgumentException e) {
        // Signal not available on this platform: the JVM's default handling stays.
      }
    }
  }
}
