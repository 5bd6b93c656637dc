package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.cnagent.CnAgent;
import com.joyent.mockcloud.configagent.ConfigAgent;
import com.joyent.mockcloud.firewaller.Firewaller;
import com.joyent.mockcloud.io.DirectoryWatcher;
import com.joyent.mockcloud.netagent.NetAgent;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vmagent.VmAgent;
import java.util.UUID;

/**
 * One running mock CN: its VMs, its agents (net-agent is null when no NAPI is configured,
 * config-agent when no SAPI is, firewaller
 * when no FWAPI is) and
 * the watch on its directory that notices sysinfo.json changes (null: it is polled). Small on
 * purpose: there are thousands.
 */
public record MockCn(UUID uuid, ServerVms vms, CnAgent cnAgent, VmAgent vmAgent, NetAgent netAgent,
    ConfigAgent configAgent, Firewaller firewaller, DirectoryWatcher.Watch sysinfoWatch) {
  /**
   * Stops the agents; net-agent first, so it never mistakes the closing VM store for "no VMs".
   *
   * @param powerLoss also drop cn-agent's connections, answers in progress too
   */
  void stop(boolean powerLoss) {
    if (sysinfoWatch != null) {
      sysinfoWatch.cancel();
    }
    if (netAgent != null) {
      netAgent.stop();
    }
    cnAgent.stop(powerLoss);
    vmAgent.stop();
    if (configAgent != null) {
      configAgent.stop();
    }
    if (firewaller != null) {
      firewaller.stop();
    }
  }

  /** Stops cn-agent alone (restart-agent), as killed: its directory watch, reports, listener and connections. */
  void stopCnAgent() {
    if (sysinfoWatch != null) {
      sysinfoWatch.cancel();
    }
    cnAgent.stop(true);
  }
}
