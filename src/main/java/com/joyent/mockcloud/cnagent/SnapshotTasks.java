package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.vm.VmException;

/**
 * machine_create/delete/rollback_snapshot (spec cn-agent.md §3.2.9–3.2.11). Each answers with
 * {@code req_id} (the HTTP request id) after its {@code vm} or {@code details}, as a real CN
 * does: its tasks pass their own params, request id added, to vmadm.
 */
final class SnapshotTasks {
  private SnapshotTasks() {}

  static void create(TaskContext ctx) {
    String uuid = ctx.requireUuid("uuid");
    String name = ctx.requireString("snapshot_name");
    ctx.adoptRequestId();
    try {
      ctx.cn().vms().createSnapshot(uuid, name);
    } catch (VmException e) {
      VmErrors.fatal(ctx, "vmadm.create_snapshot error: ", e);
      return;
    }
    MachineTasks.finishWithView(ctx, uuid);
  }

  /** Idempotent: deleting a snapshot that is not there still answers the VM. */
  static void delete(TaskContext ctx) {
    String uuid = ctx.requireUuid("uuid");
    String name = ctx.requireString("snapshot_name");
    ctx.adoptRequestId();
    try {
      ctx.cn().vms().deleteSnapshot(uuid, name);
    } catch (VmException e) {
      if (e.kind() != VmException.Kind.NO_SNAPSHOT) {
        VmErrors.fatal(ctx, "vmadm.delete_snapshot error: ", e);
        return;
      }
    }
    MachineTasks.finishWithView(ctx, uuid);
  }

  static void rollback(TaskContext ctx) {
    String uuid = ctx.requireUuid("uuid");
    String name = ctx.requireString("snapshot_name");
    ctx.adoptRequestId();
    try {
      ctx.cn().vms().rollbackSnapshot(uuid, name);
    } catch (VmException e) {
      VmErrors.fatal(ctx, "vmadm.rollback_snapshot error: ", e);
      return;
    }
    MachineTasks.finishWithView(ctx, uuid);
  }
}
