package com.joyent.mockcloud.triton;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The VMAPI calls the server tools make. */
public final class VmapiClient {
  private final JsonHttpClient http;

  public VmapiClient(JsonHttpClient http) {
    this.http = http;
  }

  /** {@code GET /vms?server_uuid=<uuid>}, every page (VMAPI pages at 1000). */
  public List<Map<String, Object>> listVmsOnServer(UUID serverUuid) throws IOException {
    return http.getAllPages("/vms?server_uuid=" + serverUuid);
  }

  /** {@code GET /vms/<uuid>?sync=true}: makes VMAPI ask the CN, so it notices a VM is gone. 404 is fine. */
  public void syncVm(String vmUuid) throws IOException {
    String path = "/vms/" + vmUuid + "?sync=true";
    ApiResponse r = http.send("GET", path, null);
    if (!r.isSuccessful() && r.status() != 404) {
      throw new ApiException(http.describe("GET", path), r);
    }
  }
}
