package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.configagent.ConfigAgentOptions;
import com.joyent.mockcloud.firewaller.FirewallerOptions;

/**
 * How the run-servers process listens: the cmon-agent port (9163 as on a real CN; 0 for an
 * OS-chosen one), the firewaller agent's HTTP port (2021 as on a real CN; 0 for an OS-chosen
 * one), the first cn-agent port ({@code --port-base}, 0 = OS-chosen per CN), and the cn-agent
 * timings, and the control port (127.0.0.1; {@link #NO_CONTROL_PORT} = none, 0 = OS-chosen).
 */
public record DaemonOptions(int cmonPort, int firewallerPort, int portBase, CnAgentOptions cnAgent, int controlPort,
    ConfigAgentOptions configAgent, FirewallerOptions firewaller, com.joyent.mockcloud.booter.DhcpTiming dhcp) {
  public static final int NO_CONTROL_PORT = -1;

  /** With config-agent's and firewaller's default timings. */
  public DaemonOptions(int cmonPort, int firewallerPort, int portBase, CnAgentOptions cnAgent, int controlPort) {
    this(cmonPort, firewallerPort, portBase, cnAgent, controlPort, ConfigAgentOptions.defaults(),
        FirewallerOptions.defaults(), com.joyent.mockcloud.booter.DhcpTiming.standard());
  }

  public DaemonOptions withConfigAgent(ConfigAgentOptions o) {
    return new DaemonOptions(cmonPort, firewallerPort, portBase, cnAgent, controlPort, o, firewaller, dhcp);
  }

  public DaemonOptions withFirewaller(FirewallerOptions o) {
    return new DaemonOptions(cmonPort, firewallerPort, portBase, cnAgent, controlPort, configAgent, o, dhcp);
  }

  /** The DHCP clients' clocks (--admin-ip-source dhcp): RFC 2131's by default, shrunk by tests. */
  public DaemonOptions withDhcpTiming(com.joyent.mockcloud.booter.DhcpTiming t) {
    return new DaemonOptions(cmonPort, firewallerPort, portBase, cnAgent, controlPort, configAgent, firewaller, t);
  }

  public static DaemonOptions defaults() {
    return new DaemonOptions(9163, 2021, 0, CnAgentOptions.defaults(), NO_CONTROL_PORT);
  }

  /** For tests: every port chosen by the OS, the control port too. */
  public static DaemonOptions ephemeral(CnAgentOptions cnAgent) {
    return new DaemonOptions(0, 0, 0, cnAgent, 0);
  }
}
