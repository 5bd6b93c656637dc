package com.joyent.mockcloud.triton;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** The VMAPI calls of mockcloud: vm-agent's sync and updates, and the server tools' calls. */
public final class VmapiApi {
  private final JsonHttpClient http;

  /** Over a client of the caller's (tests); the process gets its views from {@link TritonApis}. */
  public VmapiApi(JsonHttpClient http) {
    this.http = http;
  }

  /**
   * A server's VMs, uuid → VM, every page ({@link JsonHttpClient#getAllPages}):
   * {@code GET /vms?server_uuid=<uuid>[&state=<state>]}.
   *
   * @param state e.g. {@code active}, or null for every VM
   */
  public CompletableFuture<Map<String, Map<String, Object>>> listVmsOnServer(String server, String state) {
    return http.getAllPages("/vms?server_uuid=" + server + (state == null ? "" : "&state=" + state)).thenApply(vms -> {
      Map<String, Map<String, Object>> byUuid = new LinkedHashMap<>();
      for (Map<String, Object> vm : vms) {
        if (vm.get("uuid") instanceof String u) {
          byUuid.put(u, vm);
        }
      }
      return byUuid;
    });
  }

  /** {@link #listVmsOnServer(String, String)} of every state, waiting (the tools). */
  public List<Map<String, Object>> listVmsOnServer(UUID serverUuid) throws IOException {
    return List.copyOf(JsonHttpClient.await(listVmsOnServer(serverUuid.toString(), null),
        "listing the VMs of " + serverUuid).values());
  }

  /** {@code PUT /vms?server_uuid=<uuid>} with {@code {"vms": {uuid: vm, ...}}}: vm-agent's initial sync. */
  public CompletableFuture<ApiResponse> putVms(String server, Map<String, Object> body) {
    return http.sendAsync("PUT", "/vms?server_uuid=" + server, body);
  }

  /** {@code PUT /vms/<uuid>}: one VM's change (or its destruction). */
  public CompletableFuture<ApiResponse> putVm(String vmUuid, Map<String, Object> body) {
    return http.sendAsync("PUT", "/vms/" + vmUuid, body);
  }

  /** "VMAPI PUT /vms/x", for error messages. */
  public String describe(String method, String pathAndQuery) {
    return http.describe(method, pathAndQuery);
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
