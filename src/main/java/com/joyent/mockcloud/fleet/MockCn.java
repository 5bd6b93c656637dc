package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.cnagent.CnAgent;
import com.joyent.mockcloud.netagent.NetAgent;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vmagent.VmAgent;
import java.util.UUID;

/**
 * One running mock CN: its VMs and its agents (net-agent is null when no NAPI is configured).
 * Small on purpose: there are thousands.
 */
public record MockCn(UUID uuid, ServerVms vms, CnAgent cnAgent, VmAgent vmAgent, NetAgent netAgent) {
  /** Stops the agents; net-agent first, so it never mistakes the closing VM store for "no VMs". */
  void stop() {
    if (netAgent != null) {
      netAgent.stop();
    }
    cnAgent.stop();
    vmAgent.stop();
  }
}
