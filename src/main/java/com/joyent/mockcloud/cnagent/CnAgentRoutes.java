package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.behaviour.CnBehaviour;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestHandler;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import io.undertow.server.HttpHandler;
import io.undertow.util.AttachmentKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The HTTP surface of one CN's cn-agent (spec cn-agent.md §2.4–2.8): {@code POST /tasks}
 * with its checks in the reference's order, {@code GET /history}, {@code POST /pause},
 * {@code POST /resume}. Framework errors (404 route, 405, 400, 406, 413 over
 * {@link #MAX_BODY_BYTES}) come from {@link RestRouter}; tasks beyond the {@link TaskAdmission}
 * bounds get 503 where a paused agent's do.
 */
final class CnAgentRoutes {
  static final String SERVER_HEADER = "Compute Node Agent";
  /** What a paused cn-agent answers a task with (503). */
  static final String PAUSED_MESSAGE = "CN Agent is not accepting tasks for maintenance";

  private CnAgentRoutes() {}

  /** Which CN a request is for: set by that CN's listener before routing. */
  static final AttachmentKey<CnAgent> AGENT = AttachmentKey.create(CnAgent.class);

  /**
   * The largest {@code POST /tasks} (or other) body accepted: 4 MiB. Larger ones get 413
   * {@code PayloadTooLargeError} and the connection is closed, before the body is read
   * (declared length) or once the limit is passed (chunked); why this size: docs/cn-agent.md.
   */
  static final long MAX_BODY_BYTES = 4L * 1024 * 1024;

  /** One router for every CN (its matchers cost memory); each listener attaches its agent. */
  private static final RestRouter ROUTER = new RestRouter(SERVER_HEADER).maxBodyBytes(MAX_BODY_BYTES)
      .route("POST", "/tasks", asBehaved(req -> postTask(agent(req), req)))
      .route("GET", "/history", asBehaved(RestHandler.sync(req -> RestResponse.ok(agent(req).history().render()))))
      .route("POST", "/pause", asBehaved(RestHandler.sync(req -> {
        agent(req).setPaused(true);
        return RestResponse.noContent();
      })))
      .route("POST", "/resume", asBehaved(RestHandler.sync(req -> {
        agent(req).setPaused(false);
        return RestResponse.noContent();
      })));

  /**
   * A route as the CN's listener behaviour has it (docs/behaviour.md): {@code hang} holds the
   * request unanswered until the behaviour changes, then handles it under the new one;
   * {@code unavailable} answers 503 with a paused cn-agent's words; otherwise the route itself.
   */
  private static RestHandler asBehaved(RestHandler route) {
    return new RestHandler() {
      @Override
      public CompletionStage<RestResponse> handle(RestRequest req) {
        CnAgent agent = agent(req);
        CnBehaviour behaviour = agent.context().behaviour();
        return switch (behaviour.current().listener()) {
          case HANG -> behaviour.untilChanged().thenCompose(changed -> handle(req));
          case UNAVAILABLE -> {
            if ("/tasks".equals(req.path())) {
              rejected(agent, req);
            }
            throw RestError.serviceUnavailable(PAUSED_MESSAGE);
          }
          case NORMAL, REFUSE -> route.handle(req);
        };
      }
    };
  }

  /** The handler of one CN's listener. */
  static HttpHandler handlerFor(CnAgent agent) {
    return exchange -> {
      exchange.putAttachment(AGENT, agent);
      ROUTER.handleRequest(exchange);
    };
  }

  private static CnAgent agent(RestRequest req) {
    return req.exchange().getAttachment(AGENT);
  }

  /** Counts a task refused with a 503 before it ran (paused, or too many in flight). */
  private static void rejected(CnAgent agent, RestRequest req) {
    Object task = req.params().get("task");
    agent.context().reporting().metrics().taskEnded(task instanceof String t && TaskTable.isKnown(t) ? t : "unknown",
        "rejected", 0);
  }

  private static CompletionStage<RestResponse> postTask(CnAgent agent, RestRequest req) {
    String header = req.header("x-server-uuid");
    String target = header != null && !header.isEmpty() ? header : agent.serverUuid().toString();
    if (!agent.acceptsTasks() || !target.equals(agent.serverUuid().toString())) {
      // No task handler for that server (yet): the reference answers 404 with no body.
      return CompletableFuture.completedFuture(RestResponse.of(404, null));
    }
    if (agent.isPaused()) {
      rejected(agent, req);
      throw RestError.serviceUnavailable(PAUSED_MESSAGE);
    }
    // Busy is refused where paused is, with the same 503 (docs/cn-agent.md, limits).
    TaskAdmission.Slot slot;
    try {
      slot = agent.admitTask();
    } catch (RestError busy) {
      rejected(agent, req);
      throw busy;
    }
    boolean dispatched = false;
    try {
      if (!req.params().containsKey("task")) {
        throw RestError.invalidArgument("Missing key 'task'");
      }
      if (!req.params().containsKey("params")) {
        throw RestError.invalidArgument("Missing key 'params'");
      }
      Object task = req.params().get("task");
      String name = String.valueOf(task);
      if (!(task instanceof String) || !TaskTable.isKnown(name)) {
        throw RestError.resourceNotFound("Unknown task, '" + name + "'");
      }
      CompletionStage<RestResponse> answer = agent.runTask(name, req.requestId(), req.params().get("params"), slot);
      dispatched = true;
      return answer;
    } finally {
      if (!dispatched) {
        slot.release(); // refused by a later check: it never ran
      }
    }
  }
}
