package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.cnagent.CnAgent;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vmagent.VmAgent;
import java.util.UUID;

/** One running mock CN: its VMs and its agents. Small on purpose: there are thousands. */
public record MockCn(UUID uuid, ServerVms vms, CnAgent cnAgent, VmAgent vmAgent) {
  void stop() {
    cnAgent.stop();
    vmAgent.stop();
  }
}
