package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.io.FileTrees;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.util.Timer;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmException;
import com.joyent.mockcloud.vm.VmStore;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-shot server actions (docs/behaviour.md, "Server actions"): a mock CN rebooted, powered
 * off, powered on, or its cn-agent restarted, as an operator or a failure would do it to a real
 * one. The fleet does the stopping and starting; this class keeps which CN is down for how long
 * and refuses what a CN in its state cannot do. Thread-safe; blocking work runs on the task pool.
 */
public final class ServerActions {
  private static final Logger LOG = LoggerFactory.getLogger(ServerActions.class);
  /**
   * A reboot's default down time: longer than CNAPI's 11 s heartbeat lifetime, so CNAPI sees the
   * CN go {@code unknown} and come back, as it sees a real reboot (which takes minutes).
   */
  public static final Duration DEFAULT_DOWN = Duration.ofSeconds(15);
  /** The longest down time asked for (a day): a longer one is a power-off. */
  public static final Duration MAX_DOWN = Duration.ofDays(1);

  private final Fleet fleet;
  private final VmStore vms;
  private final Timer timer;
  private final Executor work;
  /** CNs in a reboot's down time → the power-on to come. */
  private final Map<UUID, Future<?>> rebooting = new ConcurrentHashMap<>();

  ServerActions(Fleet fleet, VmStore vms, Timer timer, Executor work) {
    this.fleet = fleet;
    this.vms = vms;
    this.timer = timer;
    this.work = work;
  }

  /** The actions, by the names the CLI and the control API take. */
  public enum Action {
    REBOOT("reboot"), POWER_OFF("power-off"), POWER_ON("power-on"), RESTART_AGENT("restart-agent");

    private final String wire;

    Action(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /** The action called {@code name}, or null. */
    public static Action named(String name) {
      return Arrays.stream(values()).filter(a -> a.wire.equals(name)).findFirst().orElse(null);
    }

    public static String names() {
      return Arrays.stream(values()).map(Action::wire).collect(Collectors.joining(", "));
    }
  }

  /**
   * Does {@code action} to {@code uuid}. Returns once the CN is down (reboot, power-off), back
   * (power-on) or its cn-agent listens again (restart-agent); a reboot's power-on follows
   * {@code down} later.
   *
   * @param down a reboot's down time; ignored by the other actions
   * @throws ActionException when there is no such CN or its state does not allow the action
   */
  public void run(Action action, UUID uuid, Duration down) throws ActionException {
    switch (action) {
      case REBOOT -> reboot(uuid, down);
      case POWER_OFF -> powerOff(uuid);
      case POWER_ON -> powerOn(uuid);
      case RESTART_AGENT -> restartAgent(uuid);
    }
  }

  /** Down for {@code down} (heartbeats, reports and listener stop), then back as after a boot. */
  public void reboot(UUID uuid, Duration down) throws ActionException {
    rebootChanged(uuid, down, null, null);
    LOG.info("server {} rebooting, back in {} s", uuid, down.toSeconds());
  }

  /**
   * What a factory reset does to a real CN (sdc-cnapi's server-factory-reset workflow marks the
   * zpool and exits 113; the CN boots on an empty pool, not set up): down, its VMs' files gone,
   * sysinfo {@code Setup} "false", and back after {@code down} as after a boot.
   */
  public void factoryReset(UUID uuid, Duration down) throws ActionException {
    rebootChanged(uuid, down, null, d -> {
      FileTrees.deleteTree(d.vmsDir());
      Files.createDirectories(d.vmsDir());
      Map<String, Object> sysinfo = d.readSysinfo();
      sysinfo.put("Setup", "false");
      d.writeSysinfo(sysinfo, 2);
    });
    LOG.info("server {} factory reset, back not set up in {} s", uuid, down.toSeconds());
  }

  /**
   * What server-setup's joysetup, agentsetup and reboot leave on a CN that was not set up: back
   * after {@code down} with sysinfo {@code Setup} "true" and, if given, the new {@code Hostname}.
   *
   * @throws ActionException CONFLICT when the CN is set up already
   */
  public void setUp(UUID uuid, String hostname, Duration down) throws ActionException {
    rebootChanged(uuid, down, sysinfo -> {
      if (!"false".equals(String.valueOf(sysinfo.get("Setup")))) {
        throw new ActionException(ActionException.Kind.CONFLICT, "server " + uuid + " is set up already");
      }
    }, d -> {
      Map<String, Object> sysinfo = d.readSysinfo();
      sysinfo.put("Setup", "true");
      if (hostname != null) {
        sysinfo.put("Hostname", hostname);
      }
      d.writeSysinfo(sysinfo, 2);
    });
    LOG.info("server {} set up, back in {} s", uuid, down.toSeconds());
  }

  /** A check of the sysinfo before anything is done, or a change to the directory while the CN is down. */
  @FunctionalInterface
  private interface Step<T> {
    void accept(T t) throws IOException, ActionException;
  }

  /**
   * Down, {@code whileDown} done to its directory, back after {@code down}. If the change fails,
   * the CN boots at once and the action fails.
   */
  private void rebootChanged(UUID uuid, Duration down, Step<Map<String, Object>> check,
      Step<ServerDirectory> whileDown) throws ActionException {
    if (down.isNegative() || down.compareTo(MAX_DOWN) > 0) {
      throw new ActionException(ActionException.Kind.INVALID,
          "down time must be 0 to " + MAX_DOWN.toSeconds() + " s, got " + down.toSeconds());
    }
    synchronized (this) {
      requireKnown(uuid);
      if (rebooting.containsKey(uuid)) {
        throw new ActionException(ActionException.Kind.CONFLICT, "server " + uuid + " is rebooting");
      }
      if (fleet.isPoweredOff(uuid)) {
        throw new ActionException(ActionException.Kind.CONFLICT, "server " + uuid + " is powered off");
      }
      ServerDirectory d = fleet.directoryOf(uuid);
      try {
        if (check != null) {
          check.accept(d.readSysinfo());
        }
        fleet.powerOff(uuid);
        if (whileDown != null) {
          whileDown.accept(d);
        }
      } catch (IOException e) {
        if (fleet.isPoweredOff(uuid)) {
          boot(uuid);
        }
        throw new ActionException(ActionException.Kind.FAILED, "server " + uuid + ": " + e.getMessage());
      }
      rebooting.put(uuid, timer.schedule(() -> work.execute(() -> endReboot(uuid)), down.toMillis(),
          TimeUnit.MILLISECONDS));
    }
  }

  /** Gone: connection refused, nothing sent, until {@link #powerOn}. Ends a reboot's down time there. */
  public synchronized void powerOff(UUID uuid) throws ActionException {
    requireKnown(uuid);
    Future<?> pending = rebooting.remove(uuid);
    if (pending != null) {
      pending.cancel(false); // off during a reboot's down time: it stays off
      LOG.info("server {} powered off (it was rebooting)", uuid);
      return;
    }
    if (!fleet.powerOff(uuid)) {
      throw new ActionException(ActionException.Kind.CONFLICT, "server " + uuid + " is powered off");
    }
    LOG.info("server {} powered off", uuid);
  }

  /** A boot of a powered-off CN (or at once, of one in a reboot's down time). */
  public void powerOn(UUID uuid) throws ActionException {
    synchronized (this) {
      requireKnown(uuid);
      Future<?> pending = rebooting.remove(uuid);
      if (pending != null) {
        pending.cancel(false);
      } else if (!fleet.isPoweredOff(uuid)) {
        throw new ActionException(ActionException.Kind.CONFLICT, "server " + uuid + " is running");
      }
    }
    boot(uuid);
  }

  /** cn-agent restarts: empty history, same port, a new registration; the VMs go on untouched. */
  public void restartAgent(UUID uuid) throws ActionException {
    synchronized (this) {
      requireKnown(uuid);
      if (!fleet.running().containsKey(uuid)) {
        throw new ActionException(ActionException.Kind.CONFLICT, "server " + uuid + " is "
            + (rebooting.containsKey(uuid) ? "rebooting" : "powered off"));
      }
    }
    try {
      fleet.restartCnAgent(uuid);
      LOG.info("server {}: cn-agent restarted", uuid);
    } catch (IOException | RuntimeException e) {
      throw new ActionException(ActionException.Kind.FAILED, "cn-agent of " + uuid + " did not restart: " + e);
    }
  }

  /**
   * A VM dies on its own ({@link ServerVms#crash}): VMAPI hears of it through vm-agent, as of a
   * real zone that died. Returns the VM as it is now.
   *
   * @throws ActionException NOT_FOUND when no running mock CN has the VM; INVALID for an exit status outside 0..255
   */
  public Map<String, Object> crashVm(String vm, int exitStatus) throws ActionException {
    if (exitStatus < 0 || exitStatus > 255) {
      throw new ActionException(ActionException.Kind.INVALID, "exit_status must be 0 to 255, got " + exitStatus);
    }
    ServerVms server = serverOfVm(vm);
    try {
      server.crash(vm, exitStatus);
      return server.load(vm);
    } catch (VmException e) {
      throw vmFailed(vm, e);
    }
  }

  /** A VM changes state on its own ({@link ServerVms#changeStateOnItsOwn}). Returns the VM as it is now. */
  public Map<String, Object> changeVmState(String vm, String state) throws ActionException {
    if (!ServerVms.STATES_ON_ITS_OWN.contains(state)) {
      throw new ActionException(ActionException.Kind.INVALID, "state must be one of "
          + String.join(", ", ServerVms.STATES_ON_ITS_OWN) + ", got " + state);
    }
    ServerVms server = serverOfVm(vm);
    try {
      server.changeStateOnItsOwn(vm, state);
      return server.load(vm);
    } catch (VmException e) {
      throw vmFailed(vm, e);
    }
  }

  /** The VM went away meanwhile (not found), or its file could not be written. */
  private static ActionException vmFailed(String vm, VmException e) {
    return new ActionException(e.kind() == VmException.Kind.NOT_FOUND ? ActionException.Kind.NOT_FOUND
        : ActionException.Kind.FAILED, "VM " + vm + ": " + e.getMessage());
  }

  private ServerVms serverOfVm(String vm) throws ActionException {
    return vms.serverOfVm(vm).filter(s -> s.exists(vm))
        .orElseThrow(() -> new ActionException(ActionException.Kind.NOT_FOUND, "no running mock CN has VM " + vm));
  }

  /**
   * {@code running}, {@code rebooting} (in its down time), {@code booting} (asking booter for its
   * lease, with --admin-ip-source dhcp), {@code powered_off}, or {@code unknown}.
   */
  public String stateOf(UUID uuid) {
    if (rebooting.containsKey(uuid)) {
      return "rebooting";
    }
    if (fleet.isDhcpBooting(uuid)) {
      return "booting";
    }
    if (fleet.isPoweredOff(uuid)) {
      return "powered_off";
    }
    return fleet.running().containsKey(uuid) ? "running" : "unknown";
  }

  /** Whether {@code uuid} is in a reboot's down time. */
  public boolean isRebooting(UUID uuid) {
    return rebooting.containsKey(uuid);
  }

  private void endReboot(UUID uuid) {
    synchronized (this) {
      if (rebooting.remove(uuid) == null) {
        return; // powered on or off meanwhile
      }
    }
    try {
      boot(uuid);
    } catch (ActionException e) {
      LOG.warn("server {} did not come back from its reboot: {}", uuid, e.getMessage());
    }
  }

  private void boot(UUID uuid) throws ActionException {
    try {
      if (fleet.powerOn(uuid)) {
        LOG.info("server {} booted", uuid);
      }
    } catch (IOException | RuntimeException e) {
      throw new ActionException(ActionException.Kind.FAILED, "server " + uuid + " did not boot: " + e);
    }
  }

  private void requireKnown(UUID uuid) throws ActionException {
    if (!fleet.running().containsKey(uuid) && !fleet.isPoweredOff(uuid) && !rebooting.containsKey(uuid)
        && !fleet.isDhcpBooting(uuid)) {
      throw new ActionException(ActionException.Kind.NOT_FOUND, "server " + uuid + " not found");
    }
  }

  /** An action refused: no such CN, a state that does not allow it, a bad argument, or a start that failed. */
  public static final class ActionException extends Exception {
    public enum Kind { NOT_FOUND, CONFLICT, INVALID, FAILED }

    private final Kind kind;

    public ActionException(Kind kind, String message) {
      super(message);
      this.kind = kind;
    }

    public Kind kind() {
      return kind;
    }
  }
}
