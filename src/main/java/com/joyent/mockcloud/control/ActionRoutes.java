package com.joyent.mockcloud.control;

import com.joyent.mockcloud.fleet.ServerActions;
import com.joyent.mockcloud.fleet.ServerActions.Action;
import com.joyent.mockcloud.fleet.ServerActions.ActionException;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import com.joyent.mockcloud.util.Uuids;
import com.joyent.mockcloud.vm.ServerVms;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * {@code POST /servers/{uuid}/actions/{action}} on the control port (docs/behaviour.md, "Server
 * actions"): reboot (body {@code {"down_seconds": N}}, optional), power-off, power-on,
 * restart-agent; and {@code POST /vms/{uuid}/actions/{crash|set-state}}, a VM event with no task. Answers 200 with the CN's state once the action is done (a reboot: once the CN
 * is down); bad input is a restify-style 4xx and changes nothing. The action runs on the task
 * pool, never on the I/O thread.
 */
final class ActionRoutes {
  private static final Set<String> BODY_KEYS = Set.of("down_seconds");

  private final ServerActions actions;
  private final Executor work;

  ActionRoutes(ServerActions actions, Executor work) {
    this.actions = actions;
    this.work = work;
  }

  void addTo(RestRouter r) {
    r.route("POST", "/servers/{uuid}/actions/{action}", req -> {
      Request parsed = parse(req); // throws the 4xx on the I/O thread, before any work
      return CompletableFuture.supplyAsync(() -> run(parsed), work);
    });
    r.route("POST", "/vms/{uuid}/actions/{action}", req -> {
      VmRequest parsed = parseVm(req);
      return CompletableFuture.supplyAsync(() -> runVm(parsed), work);
    });
  }

  /** A VM event without a task: {@code crash} (body {@code {"exit_status": N}}, default 1) or {@code set-state} ({@code {"state": S}}). */
  private record VmRequest(String vm, String action, int exitStatus, String state) {}

  private static VmRequest parseVm(RestRequest req) {
    String vm = req.pathParam("uuid");
    if (!Uuids.isUuid(vm)) {
      throw RestError.invalidArgument("uuid must be a UUID, got " + vm);
    }
    String action = req.pathParam("action");
    Map<String, Object> b = object(req);
    switch (action) {
      case "crash" -> {
        onlyKeys(b, Set.of("exit_status"));
        Object v = b.getOrDefault("exit_status", 1);
        if (!(v instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue()) || n.intValue() < 0
            || n.intValue() > 255) {
          throw RestError.invalidArgument("exit_status must be a whole number from 0 to 255, got " + v);
        }
        return new VmRequest(vm, action, n.intValue(), null);
      }
      case "set-state" -> {
        onlyKeys(b, Set.of("state"));
        if (!(b.get("state") instanceof String s) || !ServerVms.STATES_ON_ITS_OWN.contains(s)) {
          throw RestError.invalidArgument("state must be one of " + String.join(", ", ServerVms.STATES_ON_ITS_OWN)
              + ", got " + b.get("state"));
        }
        return new VmRequest(vm, action, 0, s);
      }
      default -> throw RestError.resourceNotFound("no VM action " + action + "; VM actions are crash, set-state");
    }
  }

  private RestResponse runVm(VmRequest r) {
    Map<String, Object> vm;
    try {
      vm = r.action().equals("crash") ? actions.crashVm(r.vm(), r.exitStatus()) : actions.changeVmState(r.vm(), r.state());
    } catch (ActionException e) {
      throw new CompletionException(error(e));
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    for (String k : List.of("uuid", "server_uuid", "state", "zone_state", "exit_status", "exit_timestamp")) {
      if (vm.containsKey(k)) {
        answer.put(k, vm.get(k));
      }
    }
    return RestResponse.ok(answer);
  }

  private static Map<String, Object> object(RestRequest req) {
    Object body = req.body();
    if (body != null && !(body instanceof Map<?, ?>)) {
      throw RestError.invalidContent("the body must be a JSON object");
    }
    return req.bodyObject();
  }

  private static void onlyKeys(Map<String, Object> b, Set<String> known) {
    for (String k : b.keySet()) {
      if (!known.contains(k)) {
        throw RestError.invalidArgument("unknown key " + k + "; known keys are " + String.join(", ", known));
      }
    }
  }

  private static RestError error(ActionException e) {
    return switch (e.kind()) {
      case NOT_FOUND -> RestError.resourceNotFound(e.getMessage());
      case CONFLICT -> new RestError(409, "InvalidState", e.getMessage());
      case INVALID -> RestError.invalidArgument(e.getMessage());
      case FAILED -> RestError.internalError(e.getMessage());
    };
  }

  private record Request(Action action, UUID uuid, Duration down) {}

  private static Request parse(RestRequest req) {
    String uuid = req.pathParam("uuid");
    if (!Uuids.isUuid(uuid)) {
      throw RestError.invalidArgument("uuid must be a UUID, got " + uuid);
    }
    Action action = Action.named(req.pathParam("action"));
    if (action == null) {
      throw RestError.resourceNotFound("no action " + req.pathParam("action") + "; actions are " + Action.names());
    }
    Map<String, Object> b = object(req);
    onlyKeys(b, BODY_KEYS);
    Duration down = ServerActions.DEFAULT_DOWN;
    if (b.containsKey("down_seconds")) {
      if (action != Action.REBOOT) {
        throw RestError.invalidArgument("down_seconds is for reboot only");
      }
      Object v = b.get("down_seconds");
      if (!(v instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue()) || n.longValue() < 0
          || n.longValue() > ServerActions.MAX_DOWN.toSeconds()) {
        throw RestError.invalidArgument("down_seconds must be a whole number from 0 to "
            + ServerActions.MAX_DOWN.toSeconds() + ", got " + v);
      }
      down = Duration.ofSeconds(n.longValue());
    }
    return new Request(action, UUID.fromString(uuid), down);
  }

  private RestResponse run(Request r) {
    try {
      actions.run(r.action(), r.uuid(), r.down());
    } catch (ActionException e) {
      throw new CompletionException(error(e));
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("uuid", r.uuid().toString());
    answer.put("action", r.action().wire());
    answer.put("state", actions.stateOf(r.uuid()));
    return RestResponse.ok(answer);
  }
}
