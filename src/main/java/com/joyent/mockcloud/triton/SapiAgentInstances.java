package com.joyent.mockcloud.triton;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SAPI adoption of a GZ agent's instance, as an agent's install does it: the agent's service
 * ({@code GET /services?type=agent&name=<agent>}), then {@code POST /instances} with the
 * instance uuid and {@code params.server_uuid}, {@code params.image_uuid}. One try; callers
 * decide on retries.
 */
public final class SapiAgentInstances {
  /** SAPI answered with a status that is not a success (the message says which request). */
  public static final class Refused extends IOException {
    Refused(String message) {
      super(message);
    }
  }

  private SapiAgentInstances() {}

  /**
   * @param dummyKeys also send the Node mock's {@code exists} and {@code name} (SAPI ignores them)
   * @return false when SAPI has no such agent service (nothing to adopt into)
   * @throws Refused when SAPI answers a request with an error status
   * @throws IOException when SAPI cannot be reached
   * @throws IllegalStateException when SAPI has more than one agent service of that name
   */
  public static boolean adopt(JsonHttpClient sapi, String agent, boolean dummyKeys, String instanceUuid,
      String serverUuid, String imageUuid) throws IOException {
    ApiResponse r = sapi.send("GET", "/services?type=agent&name=" + URLEncoder.encode(agent, StandardCharsets.UTF_8),
        null);
    if (!r.isSuccessful()) {
      throw new Refused("SAPI GET /services answered " + r.status());
    }
    List<Object> services = r.bodyList();
    if (services.isEmpty()) {
      return false;
    }
    if (services.size() > 1) {
      throw new IllegalStateException("SAPI has " + services.size() + " agent services named " + agent);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    if (dummyKeys) {
      body.put("exists", true);
      body.put("name", agent);
    }
    body.put("service_uuid", ((Map<?, ?>) services.get(0)).get("uuid"));
    body.put("uuid", instanceUuid);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("server_uuid", serverUuid);
    params.put("image_uuid", imageUuid);
    body.put("params", params);
    ApiResponse p = sapi.send("POST", "/instances", body);
    if (!p.isSuccessful()) {
      throw new Refused("SAPI POST /instances answered " + p.status());
    }
    return true;
  }
}
