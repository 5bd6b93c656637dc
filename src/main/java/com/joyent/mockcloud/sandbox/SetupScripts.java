package com.joyent.mockcloud.sandbox;

import java.util.concurrent.CompletionStage;

/**
 * What the scripts of CNAPI's server-setup and server-factory-reset workflows do to a CN (on a
 * real one, through Ur or cn-agent's command_execute: joysetup, agentsetup, the factory-reset
 * mark, exit 113), done to a mock CN by the fleet that runs it in this process. A sandbox
 * without one (no mock CNs in its process) answers those two workflows with a 501.
 */
public interface SetupScripts {
  /**
   * The factory-reset mark and the reboot: the CN goes down and boots not set up, with no VMs.
   * Completes once it is down; fails with the reason it could not be done.
   */
  CompletionStage<Void> factoryReset(String server);

  /**
   * joysetup, agentsetup and the reboot after them: the CN goes down and boots set up, named
   * {@code hostname} if that is not null. Completes once it is down.
   */
  CompletionStage<Void> setUp(String server, String hostname);
}
