package com.joyent.mockcloud.util;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads named {@code mockcloud-<role>-N}, so a thread dump says who is who; every
 * thread mockcloud starts itself comes from one of these (docs/concurrency.md lists them all).
 */
public final class NamedThreads implements ThreadFactory {
  private final String prefix;
  private final AtomicInteger n = new AtomicInteger();

  public NamedThreads(String role) {
    this("mockcloud-", role);
  }

  private NamedThreads(String product, String role) {
    this.prefix = product + role + "-";
  }

  /** The bench's own threads, {@code bench-<role>-N}: told apart from its children's by name. */
  public static NamedThreads bench(String role) {
    return new NamedThreads("bench-", role);
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = new Thread(r, prefix + n.incrementAndGet());
    t.setDaemon(true);
    return t;
  }
}
