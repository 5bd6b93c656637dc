package com.joyent.mockcloud.triton;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The NAPI calls the server tools make (spec net-agent-cmon-mockcloud.md §3.6–3.7). */
public final class NapiClient {
  private final JsonHttpClient http;

  public NapiClient(JsonHttpClient http) {
    this.http = http;
  }

  /** {@code GET /nics/<mac without colons>}: the NIC, or empty on 404 ResourceNotFound. */
  public Optional<Map<String, Object>> getNic(String mac) throws IOException {
    String path = "/nics/" + mac.replace(":", "");
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
    return http.getAllPages("/nics?belongs_to_uuid=" + URLEncoder.encode(belongsToUuid, StandardCharsets.UTF_8));
  }

  /** {@code DELETE /nics/<mac>}: true if deleted, false if NAPI had no such NIC. */
  public boolean deleteNic(String mac) throws IOException {
    String path = "/nics/" + mac.replace(":", "");
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
