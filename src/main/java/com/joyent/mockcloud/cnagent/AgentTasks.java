package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.io.FileTrees;
import com.joyent.mockcloud.triton.ApiResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** refresh_agents, agents_uninstall, agent_install (spec cn-agent.md §3.2.19, 3.2.21, 3.2.22). */
final class AgentTasks {
  private AgentTasks() {}

  /** POSTs the agents list to CNAPI; any failure is {@code AgentInstall error: …} (sic, as the reference). */
  static CompletionStage<?> refresh(TaskContext ctx) {
    return ctx.reporter().postAgentsNow().handle((resp, err) -> {
      String problem = problem(resp, err);
      if (problem != null) {
        ctx.fatal("AgentInstall error: " + problem);
      } else {
        ctx.finish();
      }
      return null;
    });
  }

  /** Removes {@code agents/<name>} for each name (names that would escape the directory are refused). */
  static CompletionStage<?> uninstall(TaskContext ctx) throws IOException {
    if (!(ctx.params().get("agents") instanceof List<?> names) || !names.stream().allMatch(n -> n instanceof String)) {
      throw TaskContext.crash("params.agents must be an array of strings");
    }
    for (Object n : names) {
      String name = (String) n;
      if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
        ctx.fatal("AgentsUninstallTask error: invalid agent name \"" + name + "\"");
        return CompletableFuture.completedFuture(null);
      }
    }
    for (Object n : names) {
      FileTrees.deleteTree(ctx.cn().dir().agentsDir().resolve((String) n));
    }
    ctx.cn().agentsChanged(); // an uninstalled config-agent or firewaller stops
    return ctx.reporter().postAgentsNow().handle((resp, err) -> {
      String problem = problem(resp, err);
      if (problem != null) {
        ctx.fatal("AgentsUninstallTask error: " + problem);
      } else {
        ctx.finish();
      }
      return null;
    });
  }

  /** Downloads the agent image from IMGAPI and installs it (see {@link AgentInstaller}). */
  static CompletionStage<?> install(TaskContext ctx) {
    String image = ctx.requireUuid("image_uuid");
    try {
      new AgentInstaller(ctx).install(image);
      ctx.cn().agentsChanged();
    } catch (AgentInstaller.InstallException | IOException | RuntimeException e) {
      if (e instanceof TaskCrash crash) {
        throw crash;
      }
      ctx.fatal("AgentInstall error: " + e.getMessage());
      return CompletableFuture.completedFuture(null);
    }
    // Telling CNAPI is best effort here: the install itself succeeded.
    return ctx.reporter().postAgentsNow().handle((resp, err) -> {
      String problem = problem(resp, err);
      if (problem != null) {
        ctx.log("agent_install: posting agents to CNAPI failed: " + problem);
      }
      ctx.progress(100);
      ctx.finish();
      return null;
    });
  }

  private static String problem(ApiResponse resp, Throwable err) {
    if (err != null) {
      Throwable t = err.getCause() != null ? err.getCause() : err;
      return t.getMessage() != null ? t.getMessage() : t.toString();
    }
    if (!resp.isSuccessful()) {
      return "CNAPI answered " + resp.status() + (resp.errorMessage() != null ? ": " + resp.errorMessage() : "");
    }
    return null;
  }
}
