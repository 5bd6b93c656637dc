package com.joyent.mockcloud.util;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads named {@code mockcloud-<role>-N}, so a thread dump says who is who. */
public final class NamedThreads implements ThreadFactory {
  private final String prefix;
  private final AtomicInteger n = new AtomicInteger();

  public NamedThreads(String role) {
    this.prefix = "mockcloud-" + role + "-";
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = new Thread(r, prefix + n.incrementAndGet());
    t.setDaemon(true);
    return t;
  }
}
