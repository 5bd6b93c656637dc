package com.joyent.mockcloud.triton;

import com.joyent.mockcloud.http.WebSocketDialer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The NAPI calls of mockcloud: a net-agent's (spec net-agent-cmon-mockcloud.md §2, with
 * {@code If-Match} on its DELETEs and {@code accept-version} on the changefeed), made by
 * {@link TritonApis#napi} behind the process's gate of this NAPI and started on its starter;
 * and the server tools' (§3.6–3.7), which wait. A 4xx/5xx is an {@link ApiResponse}; only a
 * transport failure fails a future. Thread-safe.
 */
public final class NapiApi {
  private final JsonHttpClient http;
  private final WebSocketDialer webSockets;

  /** Over a client of the caller's (tests); the process gets its views from {@link TritonApis}. */
  public NapiApi(JsonHttpClient http, WebSocketDialer webSockets) {
    this.http = http;
    this.webSockets = webSockets;
  }

  /** This NAPI's URL. */
  public URI url() {
    return http.base();
  }

  // ------------------------------------------------------------------ net-agent (asynchronous)

  /** {@code GET /nics/<mac without colons>}. */
  public CompletableFuture<ApiResponse> fetchNic(String mac) {
    return send("GET", "/nics/" + pathMac(mac), null, null);
  }

  /** {@code POST /nics}. */
  public CompletableFuture<ApiResponse> postNic(Object body) {
    return send("POST", "/nics", body, null);
  }

  /** {@code PUT /nics/<mac>}. */
  public CompletableFuture<ApiResponse> putNic(String mac, Object body) {
    return send("PUT", "/nics/" + pathMac(mac), body, null);
  }

  /** {@code DELETE /nics/<mac>}, with {@code If-Match: <etag>} unless the etag is null. */
  public CompletableFuture<ApiResponse> removeNic(String mac, String etag) {
    return send("DELETE", "/nics/" + pathMac(mac), null, etag);
  }

  /** {@code GET /nics?belongs_to_uuid=<cn>&belongs_to_type=server}: the CN's own NICs (one page). */
  public CompletableFuture<ApiResponse> fetchServerNics(String cn) {
    return send("GET", "/nics?belongs_to_uuid=" + cn + "&belongs_to_type=server", null, null);
  }

  /** {@code GET /networks/<uuid>}. */
  public CompletableFuture<ApiResponse> fetchNetwork(String uuid) {
    return send("GET", "/networks/" + uuid, null, null);
  }

  /** {@code GET /aggregations/<id>}. */
  public CompletableFuture<ApiResponse> fetchAggregation(String id) {
    return send("GET", "/aggregations/" + id, null, null);
  }

  /** {@code POST /aggregations}. */
  public CompletableFuture<ApiResponse> postAggregation(Object body) {
    return send("POST", "/aggregations", body, null);
  }

  /** {@code DELETE /aggregations/<id>}, with {@code If-Match: <etag>} unless the etag is null. */
  public CompletableFuture<ApiResponse> removeAggregation(String id, String etag) {
    return send("DELETE", "/aggregations/" + id, null, etag);
  }

  /** {@code GET /changefeeds} with {@code accept-version: ~2}: has this NAPI a changefeed? */
  public CompletableFuture<ApiResponse> probeChangefeed() {
    return http.sendAsync("GET", "/changefeeds", null, Map.of("accept-version", "~2"));
  }

  /**
   * Opens the changefeed WebSocket ({@code ws://<napi>/changefeeds} with {@code accept-version: ~2}
   * and this view's {@code user-agent}) under the same gate as the requests.
   */
  public CompletableFuture<WebSocketDialer.Socket> connectChangefeed(Duration timeout, WebSocketDialer.Handler handler) {
    URI ws = URI.create(http.base().toString().replaceFirst("^http", "ws") + "/changefeeds");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("accept-version", "~2");
    headers.put("user-agent", http.userAgent());
    return http.gated(() -> webSockets.connect(ws, headers, timeout, handler));
  }

  private CompletableFuture<ApiResponse> send(String method, String path, Object body, String ifMatch) {
    return http.sendAsync(method, path, body, ifMatch == null ? Map.of() : Map.of("If-Match", ifMatch));
  }

  private static String pathMac(String mac) {
    return mac.replace(":", "");
  }

  // ------------------------------------------------------------------ server tools (waiting)

  /** {@code GET /nics/<mac without colons>}: the NIC, or empty on 404 ResourceNotFound. */
  public Optional<Map<String, Object>> getNic(String mac) throws IOException {
    String path = "/nics/" + pathMac(mac);
    ApiResponse r = http.send("GET", path, null);
    if (r.status() == 404) {
      return Optional.empty();
    }
    if (!r.isSuccessful()) {
      throw new ApiException(http.describe("GET", path), r);
    }
    return Optional.of(r.bodyObject());
  }

  /**
   * Allocates the admin NIC of a new CN as booter does: {@code POST /networks/admin/nics},
   * owned by and belonging to the UFDS admin. Returns the NIC (with its {@code ip}).
   */
  public Map<String, Object> createAdminNic(String mac, UUID adminUuid) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("belongs_to_type", "other");
    body.put("belongs_to_uuid", adminUuid.toString());
    body.put("owner_uuid", adminUuid.toString());
    body.put("mac", mac);
    body.put("nic_tags_provided", List.of("admin"));
    ApiResponse r = http.send("POST", "/networks/admin/nics", body);
    if (!r.isSuccessful()) {
      throw new ApiException(http.describe("POST", "/networks/admin/nics"), r);
    }
    if (!(r.bodyObject().get("ip") instanceof String)) {
      throw new ApiException(http.describe("POST", "/networks/admin/nics") + " returned a NIC without an ip");
    }
    return r.bodyObject();
  }

  /** {@code GET /nics?belongs_to_uuid=<uuid>}, every page. */
  public List<Map<String, Object>> listNicsBelongingTo(String belongsToUuid) throws IOException {
    String path = "/nics?belongs_to_uuid=" + URLEncoder.encode(belongsToUuid, StandardCharsets.UTF_8);
    return JsonHttpClient.await(http.getAllPages(path), http.describe("GET", path));
  }

  /** {@code DELETE /nics/<mac>}: true if deleted, false if NAPI had no such NIC. */
  public boolean deleteNic(String mac) throws IOException {
    String path = "/nics/" + pathMac(mac);
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
