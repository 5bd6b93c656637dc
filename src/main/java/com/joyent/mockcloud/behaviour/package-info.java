/**
 * Behaviour profiles: what a mock CN does unlike an ideal one (slow or failing tasks, missed
 * heartbeats, silent status reports), read from {@code behaviour.json} files and changed at run
 * time (docs/behaviour.md). {@link com.joyent.mockcloud.behaviour.FleetBehaviour} reads and
 * merges the files; each CN's agents ask their {@link com.joyent.mockcloud.behaviour.CnBehaviour}.
 */
package com.joyent.mockcloud.behaviour;
