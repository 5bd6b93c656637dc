package com.joyent.mockcloud.cnagent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every task a mock CN knows, and who runs it: the dummy backend's tasks (spec cn-agent.md
 * §3.0) and those of a real SmartOS cn-agent's smartos backend (§3.3). Each smartos task runs
 * as the real one wherever a mock CN can honestly produce its effect on its VM files and
 * sysinfo, and otherwise fails with an error that names it and says why
 * ({@link UnsupportedTask}). The eleven {@code zfs_*} tasks are not listed yet (issue 24), so
 * they answer 404 Unknown task. docs/cn-agent.md has the table.
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
    TASKS.put("machine_kill", Task.sync(MachineKillTask::run));
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

    // The smartos backend's tasks that the dummy lacks (§3.3).
    TASKS.put("server_overprovision_ratio", Task.sync(OverprovisionRatioTask::run));
    TASKS.put("shutdown_cn_agent_update", Task.sync(CnAgentUpdateTask::shutdown));
    TASKS.put("machine_proc", Task.sync(MachineProcTask::run));
    TASKS.put("machine_update_nics", Task.sync(MachineUpdateNicsTask::run));
    TASKS.put("image_get", Task.sync(ImageGetTask::run));
    TASKS.put("machine_info", Task.sync(MachineInfoTask::run));
    TASKS.put("sleep", TestTasks::sleep);
    TASKS.put("test_subtask", TestTasks::testSubtask);
    String noProcesses = "its VMs are files and run no processes, so there is nothing to run a command in";
    TASKS.put("docker_exec", UnsupportedTask.because("docker_exec", noProcesses));
    TASKS.put("docker_copy", UnsupportedTask.because("docker_copy",
        "its VMs have no zone filesystem to copy files into or out of"));
    TASKS.put("docker_stats", UnsupportedTask.because("docker_stats",
        "its VMs run no processes, so there are no container statistics to stream"));
    TASKS.put("docker_build", UnsupportedTask.because("docker_build", noProcesses + " or build an image with"));
    TASKS.put("machine_screenshot", UnsupportedTask.because("machine_screenshot",
        "its VMs have no hypervisor and no console to take a screenshot of"));
    TASKS.put("machine_migrate", UnsupportedTask.because("machine_migrate",
        "its VMs have no datasets to send to another CN"));
    TASKS.put("machine_migrate_receive", UnsupportedTask.because("machine_migrate_receive",
        "it has no ZFS pool to receive a migrated VM's datasets into"));
    TASKS.put("machine_create_image", UnsupportedTask.because("machine_create_image",
        "its VMs have no zone dataset to make an image of and publish to IMGAPI"));
  }

  private TaskTable() {}

  static boolean isKnown(String name) {
    return TASKS.containsKey(name);
  }

  /** The body of a known task. */
  static Task body(String name) {
    return TASKS.get(name);
  }
}
