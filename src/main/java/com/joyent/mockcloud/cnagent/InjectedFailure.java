package com.joyent.mockcloud.cnagent;

import java.util.Map;

/**
 * The message a task fails with when a behaviour file says it fails ({@code fail_rate}): the
 * prefix its own failures carry on a real CN (spec cn-agent.md §3, "fatal X"), then the file's
 * {@code error} or a default that says where it came from. Answered as 500 {@code {"error": …}},
 * the shape of the task's real errors.
 */
final class InjectedFailure {
  static final String DEFAULT = "failure injected by behaviour.json";

  /** The prefix each task's real failures start with; absent: the bare message (machine_create's). */
  private static final Map<String, String> PREFIX = Map.ofEntries(
      Map.entry("machine_load", "VM.load error: "),
      Map.entry("machine_boot", "vmadm.start error: "),
      Map.entry("machine_shutdown", "vmadm.stop error: "),
      Map.entry("machine_reboot", "vmadm.reboot error: "),
      Map.entry("machine_update", "vmadm.update error: "),
      Map.entry("machine_reprovision", "vmadm.reprovision error: "),
      Map.entry("machine_destroy", "delete error: "),
      Map.entry("machine_create_snapshot", "vmadm.create_snapshot error: "),
      Map.entry("machine_delete_snapshot", "vmadm.delete_snapshot error: "),
      Map.entry("machine_rollback_snapshot", "vmadm.rollback_snapshot error: "),
      Map.entry("image_get", "Image.get error: "),
      Map.entry("agent_install", "AgentInstall error: "),
      Map.entry("agents_uninstall", "AgentsUninstallTask error: "),
      Map.entry("recovery_config", "Recovery Configuration error: "));

  private InjectedFailure() {}

  static String message(String task, String error) {
    return PREFIX.getOrDefault(task, "") + (error != null ? error : DEFAULT);
  }
}
