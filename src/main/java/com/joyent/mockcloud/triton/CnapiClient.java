package com.joyent.mockcloud.triton;

import java.io.IOException;
import java.util.UUID;

/** The CNAPI calls the server tools make. The mock CNs' own reporting lives in cnagent/. */
public final class CnapiClient {
  private final JsonHttpClient http;

  public CnapiClient(JsonHttpClient http) {
    this.http = http;
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
