package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A VMAPI client for the end-to-end tests: JSON calls, a job waited for, a VM provisioned. */
final class VmapiCalls {
  static final String IMAGE = "2b683a82-a066-11e3-97ab-2faa44701c5a";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  record Reply(int status, Object body, HttpResponse<String> raw) {
    @SuppressWarnings("unchecked")
    Map<String, Object> object() {
      return (Map<String, Object>) body;
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> array() {
      return (List<Map<String, Object>>) body;
    }
  }

  private final String vmapi;
  private final String owner;

  VmapiCalls(String vmapiUrl, String owner) {
    this.vmapi = vmapiUrl;
    this.owner = owner;
  }

  /** {@code method} on {@code url} (absolute, or a path under VMAPI) with a JSON body or none. */
  Reply send(String method, String url, Object body) throws Exception {
    String full = url.startsWith("/") ? vmapi + url : url;
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(full)).timeout(Duration.ofSeconds(60));
    b.header("content-type", "application/json").method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(Json.compact(body)));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body().isEmpty() ? null : Json.parse(r.body().getBytes()), r);
  }

  /** A CreateVm body: a joyent-minimal VM of 256 MiB on the admin network. */
  Map<String, Object> createBody(String alias) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("owner_uuid", owner);
    b.put("brand", "joyent-minimal");
    b.put("image_uuid", IMAGE);
    b.put("networks", List.of("admin"));
    b.put("ram", 256);
    b.put("alias", alias);
    return b;
  }

  /** Polls GET /jobs/:uuid until the job has ended, as sdc-clients' createVmAndWait does. */
  @SuppressWarnings("unchecked")
  Map<String, Object> finished(String job) throws Exception {
    Map<String, Object>[] last = new Map[1];
    Await.require(Duration.ofSeconds(30), () -> {
      try {
        last[0] = send("GET", "/jobs/" + job, null).object();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
      return !"queued".equals(last[0].get("execution")) && !"running".equals(last[0].get("execution"));
    }, "job " + job + " to end");
    return last[0];
  }

  /** POST /vms/:uuid?action=… answered 202; the job once it has ended. */
  Map<String, Object> action(String vm, String action, Map<String, Object> body) throws Exception {
    Reply r = send("POST", "/vms/" + vm + "?action=" + action, body);
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(202);
    assertThat(r.object()).containsOnlyKeys("vm_uuid", "job_uuid").containsEntry("vm_uuid", vm);
    return finished((String) r.object().get("job_uuid"));
  }

  @SuppressWarnings("unchecked")
  static List<Object> names(Map<String, Object> job) {
    return ((List<Map<String, Object>>) job.get("chain_results")).stream().map(c -> c.get("name")).toList();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> lastResult(Map<String, Object> job) {
    List<Map<String, Object>> chain = (List<Map<String, Object>>) job.get("chain_results");
    return chain.get(chain.size() - 1);
  }

  /** Provisions through VMAPI and waits for the job to succeed; the VM's uuid. */
  String provision(Map<String, Object> body) throws Exception {
    Reply r = send("POST", "/vms", body);
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(202);
    Map<String, Object> job = finished((String) r.object().get("job_uuid"));
    assertThat(job.get("execution")).as(String.valueOf(job)).isEqualTo("succeeded");
    return (String) r.object().get("vm_uuid");
  }

  /** {@link #provision} of {@link #createBody} on {@code server}, with these tags and firewall. */
  String provisionOn(java.util.UUID server, String alias, Map<String, Object> tags, boolean firewallEnabled)
      throws Exception {
    Map<String, Object> body = new java.util.LinkedHashMap<>(createBody(alias));
    body.put("server_uuid", server.toString());
    body.put("tags", tags);
    body.put("firewall_enabled", firewallEnabled);
    return provision(body);
  }

  Map<String, Object> vm(String uuid) throws Exception {
    return send("GET", "/vms/" + uuid, null).object();
  }
}
