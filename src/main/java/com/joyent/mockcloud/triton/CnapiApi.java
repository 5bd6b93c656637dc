package com.joyent.mockcloud.triton;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The CNAPI calls of mockcloud: a cn-agent's reports (spec cn-agent.md §1.3) and the server
 * tools' calls. A cn-agent's view is made by {@link TritonApis#cnapi} on the reporters' own
 * client and gate, so its heartbeats travel on no other threads (docs/concurrency.md).
 */
public final class CnapiApi {
  private static final Map<String, Object> EMPTY_BODY = Map.of();
  private final JsonHttpClient http;

  /** Over a client of the caller's (tests); the process gets its views from {@link TritonApis}. */
  public CnapiApi(JsonHttpClient http) {
    this.http = http;
  }

  /** {@code POST /servers/<uuid>/sysinfo} with {@code {"sysinfo": ...}}. */
  public CompletableFuture<ApiResponse> postSysinfo(UUID server, Map<String, Object> body, RequestGate.Lane lane) {
    return http.sendAsync("POST", "/servers/" + server + "/sysinfo", body, lane);
  }

  /** {@code POST /servers/<uuid>} with {@code {"agents": [...]}}. */
  public CompletableFuture<ApiResponse> postAgents(UUID server, Map<String, Object> body, RequestGate.Lane lane) {
    return http.sendAsync("POST", "/servers/" + server, body, lane);
  }

  /** ServerUpdate: {@code POST /servers/<uuid>} with the keys to change (e.g. {@code traits}). */
  public CompletableFuture<ApiResponse> updateServer(UUID server, Map<String, Object> body, RequestGate.Lane lane) {
    return http.sendAsync("POST", "/servers/" + server, body, lane);
  }

  /**
   * {@code POST /servers/<uuid>/events/heartbeat} with {@code {}}, in the heartbeat lane; the
   * answer completes on the I/O thread that read it, so what is chained must be short.
   */
  public CompletableFuture<ApiResponse> heartbeat(UUID server) {
    return http.sendAsync("POST", "/servers/" + server + "/events/heartbeat", EMPTY_BODY, RequestGate.Lane.HEARTBEAT,
        true);
  }

  /** {@code POST /servers/<uuid>/events/status}, completing on the I/O thread as a heartbeat. */
  public CompletableFuture<ApiResponse> postStatus(UUID server, Object body) {
    return http.sendAsync("POST", "/servers/" + server + "/events/status", body, RequestGate.Lane.REPORT, true);
  }

  /** {@code GET /servers} (one page, as CNAPI answers without a limit). */
  public ApiResponse listServers() throws IOException {
    return http.send("GET", "/servers", null);
  }

  /** {@code GET /servers/<uuid>}. */
  public ApiResponse getServer(String serverUuid) throws IOException {
    return http.send("GET", "/servers/" + serverUuid, null);
  }

  /** {@code GET /boot/<uuid>} ({@code default} for the parameters of a CN CNAPI does not know). */
  public ApiResponse bootParams(String serverUuid) throws IOException {
    return http.send("GET", "/boot/" + serverUuid, null);
  }

  /** {@code PUT /servers/<uuid>/nics} (spec net-agent-cmon-mockcloud.md §5.7). */
  public ApiResponse updateServerNics(String serverUuid, Map<String, Object> body) throws IOException {
    return http.send("PUT", "/servers/" + serverUuid + "/nics", body);
  }

  /** {@code DELETE /servers/<uuid>}; true if CNAPI had it, false for 404 ResourceNotFound. */
  public boolean deleteServer(UUID serverUuid) throws IOException {
    String path = "/servers/" + serverUuid;
    ApiResponse r = http.send("DELETE", path, null);
    if (r.status() == 404) {
      return false;
    }
    if (!r.isSuccessful()) {
      throw new ApiException(http.describe("DELETE", path), r);
    }
    return true;
  }
}
