package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * CNAPI's server workflows as jobs in the sandbox's workflow API: server-update-nics (NAPI's
 * {@code nic_tags_provided}, then cn-agent's server_update_nics, then the sysinfo it returns
 * back into CNAPI, so the tags reach the server's sysinfo as on a real CN) and server-reboot
 * (optionally pausing and draining cn-agent, then the server_reboot task, then
 * {@code transitional_status: rebooting}). The chains carry the real workflows' task names
 * and results (sdc-cnapi lib/workflows, sdc-wf-shared).
 */
final class CnapiServerJobs {
  private static final int TWO_HOURS = 2 * 60 * 60;
  private static final long DRAIN_POLL_MS = 500;
  /** CNAPI sends server_reboot to cn-agents at least this new; older ones get Ur's exit 113. */
  private static final int[] SERVER_REBOOT_TASK_VERSION = {2, 11, 0};

  private static final long REBOOT_POLL_MS = 1000;
  private static final int REBOOT_WAIT_SECONDS = 1200;

  private final WorkflowJobs jobs;
  private final SandboxCnapi cnapi;
  private final SandboxNapi napi;
  /** What the setup and factory-reset scripts do to a mock CN; null when no fleet runs beside the sandbox. */
  private volatile SetupScripts scripts;

  CnapiServerJobs(WorkflowJobs jobs, SandboxCnapi cnapi, SandboxNapi napi) {
    this.jobs = jobs;
    this.cnapi = cnapi;
    this.napi = napi;
  }

  /** NicUpdate ({@code PUT /servers/:uuid/nics}): CNAPI's checks, then server-update-nics-1.0.1. */
  WorkflowJobs.Job updateNics(String server, Map<String, Object> request, String reqId) {
    List<Map<String, Object>> errors = new ArrayList<>();
    if (!(request.get("action") instanceof String)) {
      errors.add(RestError.fieldError("action", "Invalid", "value was not a string"));
    }
    if (!(request.get("nics") instanceof List<?>)) {
      errors.add(RestError.fieldError("nics", "Invalid", "value was not an array"));
    }
    if (!errors.isEmpty()) {
      throw new RestError(500, "InvalidParameters", "Request parameters failed validation", Map.of("errors", errors));
    }
    String action = (String) request.get("action");
    if (!List.of("update", "replace", "delete").contains(action)) {
      throw SandboxCnapi.cnapiInvalid(500, "action", "action must be 'update', 'replace', or 'delete'");
    }
    if (!Boolean.TRUE.equals(cnapi.server(server).get("setup"))) {
      throw RestError.internalError("Server is not setup");
    }
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("nic_action", action);
    params.put("nics", request.get("nics"));
    params.put("server_uuid", server);
    params.put("target", server);
    putIfGiven(params, request, "origin");
    putIfGiven(params, request, "creator_uuid");
    WorkflowJobs.Job job = jobs.create("server-update-nics-1.0.1", null, params, TWO_HOURS);
    NicSteps nicSteps = new NicSteps(server, action, (List<?>) request.get("nics"), reqId);
    WorkflowChain chain = new WorkflowChain().now("cnapi.validate_params", () -> "All parameters OK!");
    nicSteps.inNapi(chain);
    nicSteps.onServer(chain)
        .now("cnapi.refresh_server_sysinfo", () -> {
          if (nicSteps.returnedSysinfo != null) {
            cnapi.registerFromWorkflow(server, nicSteps.returnedSysinfo);
          }
          return "";
        })
        .run(job);
    return job;
  }

  /**
   * The NIC tag steps server-update-nics and server-setup share (sdc-wf-shared's napi and cnapi
   * modules): the tags in NAPI first, then cn-agent's server_update_nics on the server.
   */
  private final class NicSteps {
    private final String server;
    private final String action;
    private final List<?> given;
    private final String reqId;
    private final List<Map<String, Object>> nics = new ArrayList<>();
    private final List<Map<String, Object>> current = new ArrayList<>();
    private String task;
    private Map<String, Object> returnedSysinfo;

    /** @param given the request's {@code nics}, or null when it has none (setup) */
    NicSteps(String server, String action, List<?> given, String reqId) {
      this.server = server;
      this.action = action;
      this.given = given;
      this.reqId = reqId;
    }

    WorkflowChain inNapi(WorkflowChain chain) {
      return chain
          .now("napi.validate_nic_params", () -> {
            if (given == null) {
              return "No nics specified";
            }
            for (Object n : given) {
              if (!(n instanceof Map<?, ?> m)) {
                throw new WorkflowChain.TaskError("nics object must be an array of objects");
              }
              if (m.containsKey("mac") && m.containsKey("nic_tags_provided")) {
                Map<String, Object> nic = new LinkedHashMap<>();
                nic.put("mac", m.get("mac"));
                nic.put("nic_tags_provided", m.get("nic_tags_provided"));
                nics.add(nic);
              }
            }
            return "nic parameters OK!";
          })
          .now("napi.get_current_nics", () -> {
            current.addAll(napi.nics().list(Set.of(server), n -> true));
            return current.size() + " nics retrieved from NAPI";
          })
          .now("napi.apply_nic_updates", () -> applyNicUpdates(action, nics, current))
          .now("napi.update_nics", () -> {
            if (nics.isEmpty()) {
              return "No nics to update";
            }
            for (Map<String, Object> nic : nics) {
              napi.updateNic(String.valueOf(nic.get("mac")), nic);
            }
            return "nics updated in NAPI successfully";
          });
    }

    WorkflowChain onServer(WorkflowChain chain) {
      return chain
          .now("cnapi.update_nics", () -> {
            if (nics.isEmpty()) {
              return "No nics to update";
            }
            task = cnapi.dispatchTask(server, "server_update_nics", Map.of("nics", nics), reqId);
            return "Started nic update task on server";
          })
          .task("cnapi.poll_tasks", () -> {
            if (task == null) {
              return CompletableFuture.completedFuture("No tasks to poll");
            }
            return cnapi.tasks().await(task, 120).thenApply(t -> {
              if (!"complete".equals(t.get("status"))) {
                throw new WorkflowChain.TaskError("CNAPI task \"" + task + "\" failed for server \"" + server + "\"");
              }
              returnedSysinfo = finishedSysinfo(t);
              return "All server tasks returned successfully";
            });
          });
    }
  }

  /**
   * applyNicUpdates: for update and delete, every NIC of the server with its tags after the
   * change (update adds the given tags, delete removes them); replace sends the given ones.
   */
  private static String applyNicUpdates(String action, List<Map<String, Object>> nics,
      List<Map<String, Object>> current) {
    if (nics.isEmpty()) {
      return "No nics to get changes for";
    }
    if ("replace".equals(action)) {
      return "replacing nic values";
    }
    Map<String, Set<Object>> tags = new LinkedHashMap<>(); // by normalised MAC, in NAPI's order
    Map<String, Object> macs = new LinkedHashMap<>();
    for (Map<String, Object> nic : current) {
      Set<Object> have = new LinkedHashSet<>();
      if (nic.get("nic_tags_provided") instanceof List<?> l) {
        have.addAll(l);
      }
      String key = NicStore.normalizeMac(nic.get("mac"));
      tags.put(key, have);
      macs.put(key, nic.get("mac"));
    }
    for (Map<String, Object> nic : nics) {
      String key = NicStore.normalizeMac(nic.get("mac"));
      Set<Object> have = key == null ? null : tags.get(key);
      if (have == null || !(nic.get("nic_tags_provided") instanceof List<?> given)) {
        continue; // a MAC the server lacks is skipped, as the real workflow only logs it
      }
      if ("delete".equals(action)) {
        have.removeAll(given);
      } else {
        have.addAll(given);
      }
    }
    nics.clear();
    tags.forEach((key, t) -> {
      Map<String, Object> nic = new LinkedHashMap<>();
      nic.put("mac", macs.get(key));
      nic.put("nic_tags_provided", new ArrayList<>(t));
      nics.add(nic);
    });
    return "applied nic " + action + "s";
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> finishedSysinfo(Map<String, Object> task) {
    if (task.get("history") instanceof List<?> history) {
      for (Object h : history) {
        if (h instanceof Map<?, ?> e && e.get("event") instanceof Map<?, ?> ev && ev.get("sysinfo") instanceof Map<?, ?> s) {
          return (Map<String, Object>) s;
        }
      }
    }
    return null;
  }

  /** ServerReboot without {@code nojob}: server-reboot-1.2.0. */
  WorkflowJobs.Job reboot(String server, Map<String, Object> request, String reqId) {
    boolean drain = Boolean.TRUE.equals(request.get("drain"));
    boolean supported = supportsRebootTask(cnapi.server(server));
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("cnapi_url", cnapi.selfUrl());
    params.put("server_uuid", server);
    params.put("target", server);
    putIfGiven(params, request, "origin");
    putIfGiven(params, request, "creator_uuid");
    params.put("drain", drain);
    params.put("supportsServerRebootTask", supported);
    WorkflowJobs.Job job = jobs.create("server-reboot-1.2.0", null, params, TWO_HOURS);
    new WorkflowChain()
        .now("cnapi.validate_params", () -> "All parameters OK!")
        .task("cnapi.pause_cn_agent_task_handler", () -> drain
            ? cnapi.agentRequest(server, "POST", "/pause", reqId).thenApply(x -> "")
            : CompletableFuture.completedFuture("No need to pause cn-agent"))
        .task("cnapi.wait_for_cn_agent_drained", () -> {
          CompletableFuture<String> drained = new CompletableFuture<>();
          if (drain) {
            awaitDrained(server, reqId, System.nanoTime() + TimeUnit.MINUTES.toNanos(15), 0, drained);
          } else {
            drained.complete("");
          }
          return drained;
        })
        .task("cnapi.send_reboot_message", () -> {
          if (!supported) {
            throw new WorkflowChain.TaskError("the cn-agent of server " + server + " is older than 2.11.0 and the "
                + "sandbox has no Ur to send exit 113 through");
          }
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("server_uuid", server);
          p.put("nojob", true); // the workflow POSTs ServerReboot with nojob=true
          return cnapi.rebootTask(server, p, reqId).thenApply(x -> "");
        })
        .now("cnapi.mark_server_as_rebooting", () -> {
          cnapi.servers().update(server, Map.of("transitional_status", "rebooting"));
          return "";
        })
        .run(job);
    return job;
  }

  void setupScripts(SetupScripts s) {
    this.scripts = s;
  }

  /** Whether the setup and factory-reset workflows can run (a fleet in this process does their scripts). */
  boolean runsSetupScripts() {
    return scripts != null;
  }

  /**
   * ServerSetup of a server that is not set up: server-setup-1.1.0. The NIC tags go to NAPI,
   * then the scripts run (the mock CN reboots set up, under {@code hostname} if given), the
   * tags to the CN, and the job waits for the server to come back running with a later boot.
   */
  WorkflowJobs.Job setup(String server, Map<String, Object> request, String reqId) {
    SetupScripts s = scripts;
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("nic_action", "update");
    params.put("amqp_host", "127.0.0.1");
    params.put("cnapi_url", cnapi.selfUrl());
    params.put("assets_url", cnapi.selfUrl());
    params.put("server_uuid", server);
    params.put("server", cnapi.server(server));
    params.put("target", server);
    for (String k : List.of("nics", "hostname", "origin", "creator_uuid", "disk_spares", "disk_width",
        "disk_cache", "disk_layout", "encryption_enabled", "disk_exclude")) {
      putIfGiven(params, request, k);
    }
    String hostname = request.get("hostname") instanceof String h && !h.isEmpty() ? h : null;
    WorkflowJobs.Job job = jobs.create("server-setup-1.1.0", null, params, TWO_HOURS);
    long createdAt = java.time.Instant.parse(String.valueOf(job.snapshot().get("created_at"))).toEpochMilli();
    NicSteps nicSteps = new NicSteps(server, "update", (List<?>) request.get("nics"), reqId);
    WorkflowChain chain = new WorkflowChain().now("cnapi.validate_params", () -> "All parameters OK!");
    nicSteps.inNapi(chain)
        .now("cnapi.mark_as_setting_up", () -> {
          cnapi.servers().update(server, Map.of("setting_up", true));
          return "";
        })
        .now("cnapi.clear_server_agents", () -> {
          cnapi.servers().update(server, Map.of("agents", List.of()));
          return "";
        })
        // The files and scripts a real CN fetches and runs: their effect on a mock CN is applied
        // at its reboot (cnapi.reboot_server), so these have nothing to do.
        .now("cnapi.fetch_setup_files", () -> "")
        .now("cnapi.execute_joysetup_script", () -> "")
        .now("cnapi.execute_agentsetup_script", () -> "");
    nicSteps.onServer(chain)
        .now("cnapi.touch_setup_complete", () -> "")
        .task("cnapi.reboot_server", () -> s.setUp(server, hostname).thenApply(x -> ""))
        .task("cnapi.wait_for_reboot", () -> {
          CompletableFuture<String> back = new CompletableFuture<>();
          awaitReboot(server, createdAt, System.nanoTime() + TimeUnit.SECONDS.toNanos(REBOOT_WAIT_SECONDS), back);
          return back;
        })
        .now("cnapi.run_postsetup_script", () -> "") // a script was refused before the job
        .now("cnapi.restart_ur", () -> "")
        .now("cnapi.mark_server_as_setup", () -> {
          cnapi.servers().update(server, Map.of("setup", true, "setting_up", false));
          return "";
        })
        .run(job);
    return job;
  }

  /**
   * ServerFactoryReset of a server without VMs: server-factory-reset-1.0.0. The mock CN reboots
   * not set up and without VMs, and its NICs leave NAPI. Then, standing in for booter's answer
   * to the DHCP request of the boot that follows, its admin NIC is in NAPI again (same MAC and
   * address) if the job removed it.
   */
  @SuppressWarnings("unchecked")
  WorkflowJobs.Job factoryReset(String server, Map<String, Object> request) {
    SetupScripts s = scripts;
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("cnapi_url", cnapi.selfUrl());
    params.put("napi_url", napi.selfUrl());
    params.put("assets_url", cnapi.selfUrl());
    params.put("server_uuid", server);
    params.put("target", server);
    putIfGiven(params, request, "origin");
    putIfGiven(params, request, "creator_uuid");
    WorkflowJobs.Job job = jobs.create("server-factory-reset-1.0.0", null, params, TWO_HOURS);
    Map<String, Object> sysinfo = cnapi.server(server).get("sysinfo") instanceof Map<?, ?> m
        ? new LinkedHashMap<>((Map<String, Object>) m) : Map.of();
    List<Map<String, Object>> current = new ArrayList<>();
    new WorkflowChain()
        .now("cnapi.validate_params", () -> "All parameters OK!")
        .task("cnapi.execute_factory_reset_script", () -> s.factoryReset(server).thenApply(x -> ""))
        .now("napi.get_current_nics", () -> {
          current.addAll(napi.nics().list(Set.of(server), n -> true));
          return current.size() + " nics retrieved from NAPI";
        })
        .now("napi.delete_server_nics", () -> {
          if (current.isEmpty()) {
            return "No nics to update";
          }
          for (Map<String, Object> nic : current) {
            napi.deleteNic(String.valueOf(nic.get("mac")));
          }
          return "nics deleted from NAPI successfully";
        })
        .run(job);
    job.ended().thenRun(() -> {
      if ("succeeded".equals(job.execution())) {
        napi.bootAdminNic(sysinfo);
      }
    });
    return job;
  }

  /** waitForReboot: the server running again with a {@code last_boot} later than the job's creation. */
  private void awaitReboot(String server, long createdAt, long deadline, CompletableFuture<String> done) {
    Map<String, Object> s = cnapi.renderedServer(server);
    long lastBoot = s != null && s.get("last_boot") instanceof String t ? java.time.Instant.parse(t).toEpochMilli() : 0;
    if (s != null && "running".equals(s.get("status")) && lastBoot > createdAt) {
      done.complete("");
    } else if (s == null) {
      done.completeExceptionally(new WorkflowChain.TaskError("server " + server + " not found"));
    } else if (System.nanoTime() - deadline > 0) {
      done.completeExceptionally(new WorkflowChain.TaskError("server " + server + " did not come back from its "
          + "reboot within " + REBOOT_WAIT_SECONDS + " s"));
    } else {
      CompletableFuture.delayedExecutor(REBOOT_POLL_MS, TimeUnit.MILLISECONDS)
          .execute(() -> awaitReboot(server, createdAt, deadline, done));
    }
  }

  /** waitForCnAgentDrained: the task history until no task is active; five failed reads fail it. */
  private void awaitDrained(String server, String reqId, long deadline, int errors, CompletableFuture<String> done) {
    java.util.concurrent.CompletionStage<Object> history;
    try {
      history = cnapi.agentRequest(server, "GET", "/history", reqId);
    } catch (RuntimeException e) {
      history = CompletableFuture.failedFuture(e);
    }
    history.whenComplete((tasks, err) -> {
      boolean active = tasks instanceof List<?> l
          && l.stream().anyMatch(t -> t instanceof Map<?, ?> m && "active".equals(m.get("status")));
      int failures = err == null ? errors : errors + 1;
      if (err == null && !active) {
        done.complete("");
      } else if (err != null && failures >= 5) {
        done.completeExceptionally(new WorkflowChain.TaskError(String.valueOf(err.getMessage())));
      } else if (System.nanoTime() - deadline > 0) {
        done.completeExceptionally(new WorkflowChain.TaskError("Waiting for cn-agent tasks to drain timed out"));
      } else {
        CompletableFuture.delayedExecutor(DRAIN_POLL_MS, TimeUnit.MILLISECONDS)
            .execute(() -> awaitDrained(server, reqId, deadline, failures, done));
      }
    });
  }

  /** CNAPI's check: the server's cn-agent is at least 2.11.0. */
  static boolean supportsRebootTask(Map<String, Object> server) {
    String version = cnAgentVersion(server);
    return version != null && atLeast(version, SERVER_REBOOT_TASK_VERSION);
  }

  /** The version of cn-agent in the server's {@code agents}, or null (getCnAgentFromStashedServer). */
  static String cnAgentVersion(Map<String, Object> server) {
    if (server != null && server.get("agents") instanceof List<?> agents) {
      for (Object a : agents) {
        if (a instanceof Map<?, ?> m && "cn-agent".equals(m.get("name")) && m.get("version") instanceof String v) {
          return v;
        }
      }
    }
    return null;
  }

  private static boolean atLeast(String version, int[] wanted) {
    String[] parts = version.split("[.-]");
    for (int i = 0; i < wanted.length; i++) {
      int have;
      try {
        have = i < parts.length ? Integer.parseInt(parts[i]) : 0;
      } catch (NumberFormatException e) {
        return false;
      }
      if (have != wanted[i]) {
        return have > wanted[i];
      }
    }
    return true;
  }

  private static void putIfGiven(Map<String, Object> params, Map<String, Object> request, String key) {
    if (request.get(key) != null) {
      params.put(key, request.get(key));
    }
  }
}
