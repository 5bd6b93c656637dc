package com.joyent.mockcloud.control;

import com.joyent.mockcloud.behaviour.BehaviourException;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import com.joyent.mockcloud.scenario.ScenarioRun;
import com.joyent.mockcloud.scenario.Scenarios;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Scenarios on the control port (docs/behaviour.md, "Scenarios"): {@code POST /scenarios} starts
 * one (checked first: 409 InvalidArgument naming the bad key, 409 InvalidState while another
 * runs), {@code GET /scenarios} lists them, {@code GET /scenarios/{id}?from=N} answers its state
 * and report lines from the N-th, {@code POST /scenarios/{id}/stop} stops it.
 */
final class ScenarioRoutes {
  private final Scenarios scenarios;
  private final Executor work;

  ScenarioRoutes(Scenarios scenarios, Executor work) {
    this.scenarios = scenarios;
    this.work = work;
  }

  void addTo(RestRouter r) {
    r.post("/scenarios", req -> {
      if (req.body() == null) {
        throw RestError.invalidContent("a scenario (a JSON object with steps) is required");
      }
      ScenarioRun run;
      try {
        run = scenarios.start(req.body());
      } catch (BehaviourException e) {
        throw RestError.invalidArgument(e.getMessage());
      } catch (IllegalStateException e) {
        throw new RestError(409, "InvalidState", e.getMessage());
      }
      return RestResponse.ok(Scenarios.summary(run));
    });
    r.get("/scenarios", req -> RestResponse.ok(scenarios.list().stream().map(Scenarios::summary).toList()));
    r.get("/scenarios/{id}", req -> {
      ScenarioRun run = run(req);
      long from = 0;
      String f = req.query().get("from");
      if (f != null) {
        if (!f.matches("\\d{1,18}")) {
          throw RestError.invalidArgument("from must be a whole number of lines, got " + f);
        }
        from = Long.parseLong(f);
      }
      Map<String, Object> m = new LinkedHashMap<>(Scenarios.summary(run));
      m.put("report", run.report(from));
      return RestResponse.ok(m);
    });
    r.route("POST", "/scenarios/{id}/stop", req -> {
      ScenarioRun run = run(req);
      return CompletableFuture.supplyAsync(() -> {
        run.stop();
        return RestResponse.ok(Scenarios.summary(run));
      }, work);
    });
  }

  private ScenarioRun run(RestRequest req) {
    ScenarioRun run = scenarios.get(req.pathParam("id"));
    if (run == null) {
      throw RestError.resourceNotFound("no scenario " + req.pathParam("id"));
    }
    return run;
  }
}
