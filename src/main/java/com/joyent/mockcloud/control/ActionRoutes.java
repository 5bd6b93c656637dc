package com.joyent.mockcloud.control;

import com.joyent.mockcloud.fleet.ServerActions;
import com.joyent.mockcloud.fleet.ServerActions.Action;
import com.joyent.mockcloud.fleet.ServerActions.ActionException;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import com.joyent.mockcloud.util.Uuids;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * {@code POST /servers/{uuid}/actions/{action}} on the control port (docs/behaviour.md, "Server
 * actions"): reboot (body {@code {"down_seconds": N}}, optional), power-off, power-on,
 * restart-agent. Answers 200 with the CN's state once the action is done (a reboot: once the CN
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
    Object body = req.body();
    if (body != null && !(body instanceof Map<?, ?>)) {
      throw RestError.invalidContent("the body must be a JSON object");
    }
    Map<String, Object> b = req.bodyObject();
    for (String k : b.keySet()) {
      if (!BODY_KEYS.contains(k)) {
        throw RestError.invalidArgument("unknown key " + k + "; known keys are down_seconds");
      }
    }
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
      throw new CompletionException(switch (e.kind()) {
        case NOT_FOUND -> RestError.resourceNotFound(e.getMessage());
        case CONFLICT -> new RestError(409, "InvalidState", e.getMessage());
        case INVALID -> RestError.invalidArgument(e.getMessage());
        case FAILED -> RestError.internalError(e.getMessage());
      });
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("uuid", r.uuid().toString());
    answer.put("action", r.action().wire());
    answer.put("state", actions.stateOf(r.uuid()));
    return RestResponse.ok(answer);
  }
}
