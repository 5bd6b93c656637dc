package com.joyent.mockcloud.control;

import com.joyent.mockcloud.behaviour.BehaviourException;
import com.joyent.mockcloud.behaviour.FleetBehaviour;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import com.joyent.mockcloud.util.Uuids;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The behaviour files over the control port (docs/behaviour.md, "Control API"): {@code GET},
 * {@code PUT} and {@code DELETE} of {@code /behaviour} (the fleet's file) and of
 * {@code /servers/{uuid}/behaviour} (a running CN's; {@code ?effective=true} on GET answers the
 * fleet's merged with it). A PUT is checked as a file is and refused with the same words (409
 * InvalidArgument, nothing written), else written and applied before the answer. Writes run on
 * the task pool (they touch disk and may reopen a listener).
 */
final class BehaviourRoutes {
  private final FleetBehaviour behaviours;
  private final Executor work;

  BehaviourRoutes(FleetBehaviour behaviours, Executor work) {
    this.behaviours = behaviours;
    this.work = work;
  }

  void addTo(RestRouter r) {
    r.get("/behaviour", req -> RestResponse.ok(behaviours.fleetDocument()));
    r.route("PUT", "/behaviour", req -> {
      Object body = requireBody(req);
      return CompletableFuture.supplyAsync(() -> {
        try {
          behaviours.writeFleet(body);
        } catch (BehaviourException e) {
          throw new CompletionException(RestError.invalidArgument(e.getMessage()));
        } catch (IOException e) {
          throw new CompletionException(RestError.internalError("cannot write the fleet's behaviour file: " + e));
        }
        return RestResponse.ok(behaviours.fleetDocument());
      }, work);
    });
    r.route("DELETE", "/behaviour", req -> CompletableFuture.supplyAsync(() -> {
      try {
        behaviours.deleteFleet();
      } catch (IOException e) {
        throw new CompletionException(RestError.internalError("cannot remove the fleet's behaviour file: " + e));
      }
      return RestResponse.noContent();
    }, work));

    r.get("/servers/{uuid}/behaviour", req -> {
      UUID cn = cn(req);
      Map<String, Object> doc = "true".equals(req.query().get("effective")) ? behaviours.effectiveDocument(cn)
          : behaviours.cnDocument(cn);
      if (doc == null) {
        throw notRunning(cn);
      }
      return RestResponse.ok(doc);
    });
    r.route("PUT", "/servers/{uuid}/behaviour", req -> {
      UUID cn = cn(req);
      Object body = requireBody(req);
      return CompletableFuture.supplyAsync(() -> {
        try {
          if (!behaviours.writeCn(cn, body)) {
            throw new CompletionException(notRunning(cn));
          }
        } catch (BehaviourException e) {
          throw new CompletionException(RestError.invalidArgument(e.getMessage()));
        } catch (IOException e) {
          throw new CompletionException(RestError.internalError("cannot write the behaviour file of " + cn + ": " + e));
        }
        return RestResponse.ok(behaviours.cnDocument(cn));
      }, work);
    });
    r.route("DELETE", "/servers/{uuid}/behaviour", req -> {
      UUID cn = cn(req);
      return CompletableFuture.supplyAsync(() -> {
        try {
          if (!behaviours.deleteCn(cn)) {
            throw new CompletionException(notRunning(cn));
          }
        } catch (IOException e) {
          throw new CompletionException(RestError.internalError("cannot remove the behaviour file of " + cn + ": " + e));
        }
        return RestResponse.noContent();
      }, work);
    });
  }

  private static UUID cn(RestRequest req) {
    String uuid = req.pathParam("uuid");
    if (!Uuids.isUuid(uuid)) {
      throw RestError.invalidArgument("uuid must be a UUID, got " + uuid);
    }
    return UUID.fromString(uuid);
  }

  private static Object requireBody(RestRequest req) {
    if (req.body() == null) {
      throw RestError.invalidContent("a behaviour document (a JSON object) is required; DELETE removes the file");
    }
    return req.body();
  }

  private static RestError notRunning(UUID cn) {
    return RestError.resourceNotFound("server " + cn + " is not running here");
  }
}
