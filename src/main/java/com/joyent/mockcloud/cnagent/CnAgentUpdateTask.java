package com.joyent.mockcloud.cnagent;

/**
 * {@code shutdown_cn_agent_update}: a real CN runs {@code svcadm disable cn-agent-update}, the
 * SMF service that replaces cn-agent during an agent update, once the update is over. A mock
 * CN's {@code agent_install} only records the new agent and runs no such service, so the
 * service is already disabled and disabling it does nothing, as on a CN where it is disabled:
 * {@code progress 100}, then {@code {}}. No params.
 */
final class CnAgentUpdateTask {
  private CnAgentUpdateTask() {}

  static void shutdown(TaskContext ctx) {
    ctx.log("svcadm disable cn-agent-update: no cn-agent-update service runs on a mock CN, nothing to disable");
    ctx.progress(100);
    ctx.finish();
  }
}
