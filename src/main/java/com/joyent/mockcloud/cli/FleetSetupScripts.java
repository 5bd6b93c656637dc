package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.fleet.ServerActions;
import com.joyent.mockcloud.sandbox.SetupScripts;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The sandbox's setup and factory-reset workflows done to the mock CNs of a fleet in the same
 * process ({@link ServerActions#setUp}, {@link ServerActions#factoryReset}), on the fleet's task
 * pool since they write the CN's files.
 */
public final class FleetSetupScripts implements SetupScripts {
  private final ServerActions actions;
  private final Executor work;
  private final Duration down;

  /** @param down how long a CN is down in the reboot these end with */
  public FleetSetupScripts(ServerActions actions, Executor work, Duration down) {
    this.actions = actions;
    this.work = work;
    this.down = down;
  }

  @Override
  public CompletionStage<Void> factoryReset(String server) {
    return CompletableFuture.runAsync(() -> run(() -> actions.factoryReset(UUID.fromString(server), down)), work);
  }

  @Override
  public CompletionStage<Void> setUp(String server, String hostname) {
    return CompletableFuture.runAsync(() -> run(() -> actions.setUp(UUID.fromString(server), hostname, down)), work);
  }

  private interface Action {
    void run() throws ServerActions.ActionException;
  }

  private static void run(Action a) {
    try {
      a.run();
    } catch (ServerActions.ActionException e) {
      throw new CompletionException(e.getMessage(), e);
    }
  }
}
