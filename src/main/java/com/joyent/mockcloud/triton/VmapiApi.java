package com.joyent.mockcloud.triton;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** The VMAPI calls of mockcloud: vm-agent's sync and updates, and the server tools' calls. */
public final class VmapiApi {
  /** VMAPI's page size, and its default limit. */
  private static final int PAGE = 1000;
  private final JsonHttpClient http;

  /** Over a client of the caller's (tests); the process gets its views from {@link TritonApis}. */
  public VmapiApi(JsonHttpClient http) {
    this.http = http;
  }

  /**
   * A server's VMs, uuid → VM, every page: {@code GET /vms?server_uuid=<uuid>[&state=<state>]},
   * then while a page is full the next with {@code &limit=1000&offset=<n>}. Fails with an
   * IllegalStateException on a non-2xx answer.
   *
   * @param state e.g. {@code active}, or null for every VM
   */
  public CompletableFuture<Map<String, Map<String, Object>>> listVmsOnServer(String server, String state) {
    String path = "/vms?server_uuid=" + server + (state == null ? "" : "&state=" + state);
    return listFrom(path, 0, new LinkedHashMap<>());
  }

  private CompletableFuture<Map<String, Map<String, Object>>> listFrom(String first, int offset,
      Map<String, Map<String, Object>> acc) {
    String path = first + (offset == 0 ? "" : "&limit=" + PAGE + "&offset=" + offset);
    return http.sendAsync("GET", path, null).thenCompose(r -> {
      if (!r.isSuccessful()) {
        return CompletableFuture.failedFuture(new IllegalStateException(http.describe("GET", path) + " answered " + r.status()));
      }
      List<Object> page = r.bodyList();
      for (Object o : page) {
        if (o instanceof Map<?, ?> m && m.get("uuid") instanceof String u) {
          @SuppressWarnings("unchecked")
          Map<String, Object> vm = (Map<String, Object>) m;
          acc.put(u, vm);
        }
      }
      return page.size() >= PAGE ? listFrom(first, offset + page.size(), acc) : CompletableFuture.completedFuture(acc);
    });
  }

  /** {@link #listVmsOnServer(String, String)} of every state, waiting (the tools). */
  public List<Map<String, Object>> listVmsOnServer(UUID serverUuid) throws IOException {
    try {
      return List.copyOf(listVmsOnServer(serverUuid.toString(), null).get().values());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted listing the VMs of " + serverUuid, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(String.valueOf(e.getCause().getMessage()), e.getCause());
    }
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
