package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.cmon.CmonServer;
import com.joyent.mockcloud.firewaller.FirewallerServer;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.control.ControlServer;
import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.vm.VmStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The whole run-servers process in one object: the shared threads, the VM store and the
 * fleet of mock CNs, started and closed in the right order (the VM store before the agents
 * that read it; the agents before the threads they use).
 */
public final class Daemon implements Closeable {
  static final String CONTROL_PORT_FILE = "control.port";
  private final DaemonThreads threads;
  private final VmStore vmStore;
  private final Fleet fleet;
  private final CmonServer cmon;
  private final FirewallerServer firewallerServer;
  private final int firewallerPort;
  private final Settings settings;
  private final int cmonPort;
  private final int controlPort;
  private ControlServer control;

  public Daemon(Settings settings, DaemonOptions options) {
    this.settings = settings;
    this.cmonPort = options.cmonPort();
    this.firewallerPort = options.firewallerPort();
    this.controlPort = options.controlPort();
    this.threads = DaemonThreads.forThisMachine();
    this.vmStore = VmStore.builder()
        .executor(threads.taskPool())
        .scheduler(threads.scheduler())
        .watcher(threads.watcher())
        .build();
    this.fleet = new Fleet(settings, options.cnAgent(), options.configAgent(), threads, vmStore, Clock.systemUTC(),
        new PortAllocator(options.portBase()));
    fleet.setFirewallerOptions(options.firewaller());
    fleet.dhcpTiming(options.dhcp());
    this.cmon = new CmonServer(vmStore, Clock.systemUTC(), fleet::isCmonAgentPaused);
    this.firewallerServer = new FirewallerServer(fleet::firewallerOf, vmStore);
  }

  /** The VM store is ready before the agents; cmon-agent listens once every CN has started. */
  public Daemon start() throws IOException {
    fleet.start();
    cmon.start(threads.listeners(), settings.bindIp(), cmonPort);
    if (settings.fwapiUrl() != null) { // firewallers run only with an FWAPI to hear
      firewallerServer.start(threads.listeners(), settings.bindIp(), firewallerPort);
    }
    if (controlPort != DaemonOptions.NO_CONTROL_PORT) {
      control = ControlServer.start(threads.listeners(), controlPort, threads.metrics(), fleet.actions(),
          fleet.behaviours(), fleet.scenarios(), threads.taskPool());
      // So that server-action --root finds this daemon (its port may be OS-chosen).
      AtomicFiles.write(controlPortFile(settings.root()),
          (control.port() + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    return this;
  }

  /** {@code <root>/control.port}: the running daemon's control port, while it runs. */
  public static Path controlPortFile(Path root) {
    return root.resolve(CONTROL_PORT_FILE);
  }

  /** The control port's listener, or null when it is off. */
  public ControlServer control() {
    return control;
  }

  public CmonServer cmon() {
    return cmon;
  }

  /** The firewallers' shared HTTP API (listening only when an FWAPI is set). */
  public FirewallerServer firewallerServer() {
    return firewallerServer;
  }

  public Fleet fleet() {
    return fleet;
  }

  public DaemonThreads threads() {
    return threads;
  }

  @Override
  public void close() {
    if (control != null) {
      control.close();
      try {
        Files.deleteIfExists(controlPortFile(settings.root()));
      } catch (IOException e) {
        // a stale file only makes server-action say that nothing answers there
      }
    }
    cmon.close();
    firewallerServer.close();
    fleet.close();
    vmStore.close();
    threads.close();
  }
}
