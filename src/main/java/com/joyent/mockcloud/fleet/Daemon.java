package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.server.DaemonThreads;
import com.joyent.mockcloud.vm.VmStore;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;

/**
 * The whole run-servers process in one object: the shared threads, the VM store and the
 * fleet of mock CNs, started and closed in the right order (the VM store before the agents
 * that read it; the agents before the threads they use).
 */
public final class Daemon implements Closeable {
  private final DaemonThreads threads;
  private final VmStore vmStore;
  private final Fleet fleet;

  public Daemon(Settings settings, CnAgentOptions options) {
    this.threads = DaemonThreads.forThisMachine();
    this.vmStore = VmStore.builder()
        .executor(threads.taskPool())
        .scheduler(threads.scheduler())
        .build();
    this.fleet = new Fleet(settings, options, threads, vmStore, Clock.systemUTC());
  }

  public Daemon start() throws IOException {
    fleet.start();
    return this;
  }

  public Fleet fleet() {
    return fleet;
  }

  public DaemonThreads threads() {
    return threads;
  }

  @Override
  public void close() {
    fleet.close();
    vmStore.close();
    threads.close();
  }
}
