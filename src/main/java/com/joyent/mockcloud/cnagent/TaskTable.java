package com.joyent.mockcloud.cnagent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every task a mock CN knows, and who runs it (spec cn-agent.md §3.0). A name listed with
 * a null body is known but unimplemented, as {@code machine_kill} in the reference: it
 * crashes. Tasks of the smartos backend that the dummy lacks (§3.3) are not listed, so
 * they answer 404 Unknown task.
 */
final class TaskTable {
  private static final Map<String, Task> TASKS = new LinkedHashMap<>();

  static {
    TASKS.put("nop", ServerTasks::nop);
    TASKS.put("image_ensure_present", Task.sync(ctx -> ctx.finish()));
    TASKS.put("machine_create", MachineTasks::create);
    TASKS.put("machine_reprovision", MachineTasks::reprovision);
    TASKS.put("machine_load", Task.sync(MachineTasks::load));
    TASKS.put("machine_boot", Task.sync(MachineTasks::boot));
    TASKS.put("machine_shutdown", Task.sync(MachineTasks::shutdown));
    TASKS.put("machine_reboot", Task.sync(MachineTasks::reboot));
    TASKS.put("machine_update", Task.sync(MachineTasks::update));
    TASKS.put("machine_destroy", MachineTasks::destroy);
    TASKS.put("machine_kill", null);
    TASKS.put("machine_create_snapshot", Task.sync(SnapshotTasks::create));
    TASKS.put("machine_delete_snapshot", Task.sync(SnapshotTasks::delete));
    TASKS.put("machine_rollback_snapshot", Task.sync(SnapshotTasks::rollback));
    TASKS.put("server_sysinfo", Task.sync(ServerTasks::sysinfo));
    TASKS.put("server_reboot", Task.sync(ServerTasks::reboot));
    TASKS.put("server_update_nics", Task.sync(ServerTasks::updateNics));
    TASKS.put("command_execute", Task.sync(ServerTasks::commandExecute));
    TASKS.put("recovery_config", Task.sync(RecoveryConfigTask::run));
    TASKS.put("refresh_agents", AgentTasks::refresh);
    TASKS.put("agent_install", AgentTasks::install);
    TASKS.put("agents_uninstall", AgentTasks::uninstall);
  }

  private TaskTable() {}

  static boolean isKnown(String name) {
    return TASKS.containsKey(name);
  }

  /** The body of a known task; null for one that crashes (machine_kill). */
  static Task body(String name) {
    return TASKS.get(name);
  }
}
