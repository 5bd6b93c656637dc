package com.joyent.mockcloud.netagent;

/**
 * A snapshot of one CN's net-agent, for tests and monitoring.
 *
 * @param started sysinfo and the instance uuid were read and the first pass began
 * @param requests NAPI requests sent (including the changefeed probe and upgrade)
 * @param failures failed NAPI calls and failed local changes
 * @param retries retries scheduled after a failure
 * @param trackedNics MACs currently tracked
 * @param changefeedConnected the changefeed is registered and bootstrapped
 */
public record NetAgentStats(boolean started, long requests, long failures, long retries, int trackedNics,
    boolean changefeedConnected) {}
