package com.joyent.mockcloud.mirror;

import com.joyent.mockcloud.triton.JsonHttpClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a datacenter through its APIs, with GETs only, into a {@link MirrorArchive}: CNAPI's
 * servers (sysinfo, agents, memory, disk), VMAPI's VMs that are not destroyed, NAPI's nic
 * tags, networks, network pools and the NICs of servers and VMs, and PAPI's packages when a
 * PAPI is given. Every list is paged with {@code limit=1000&offset=N} until a short page, as the
 * APIs cap a page at 1000. Any answer but a 2xx stops the export with an {@link ApiException}
 * naming the call; nothing is written then.
 */
public final class MirrorExporter {
  private static final String VMS_NOT_DESTROYED = URLEncoder.encode("{\"ne\":[\"state\",\"destroyed\"]}",
      StandardCharsets.UTF_8);

  private final JsonHttpClient cnapi;
  private final JsonHttpClient vmapi;
  private final JsonHttpClient napi;
  private final JsonHttpClient papi;
  private final Clock clock;
  private final Consumer<String> progress;

  /** @param papi null when the datacenter's packages are not wanted */
  public MirrorExporter(JsonHttpClient cnapi, JsonHttpClient vmapi, JsonHttpClient napi, JsonHttpClient papi,
      Clock clock, Consumer<String> progress) {
    this.cnapi = cnapi;
    this.vmapi = vmapi;
    this.napi = napi;
    this.papi = papi;
    this.clock = clock;
    this.progress = progress;
  }

  public MirrorArchive export() throws IOException {
    Map<String, List<Map<String, Object>>> sections = new LinkedHashMap<>();
    sections.put("nic_tags", list(napi, "/nic_tags", "nic tags"));
    sections.put("networks", list(napi, "/networks", "networks"));
    sections.put("network_pools", list(napi, "/network_pools", "network pools"));
    sections.put("servers", list(cnapi, "/servers?extras=sysinfo,agents,memory,disk", "servers"));
    sections.put("vms", list(vmapi, "/vms?predicate=" + VMS_NOT_DESTROYED + "&sort=uuid.asc", "VMs"));
    List<Map<String, Object>> nics = new ArrayList<>(list(napi, "/nics?belongs_to_type=server", "server NICs"));
    nics.addAll(list(napi, "/nics?belongs_to_type=zone", "VM NICs"));
    sections.put("nics", nics);
    sections.put("packages", papi == null ? List.of() : list(papi, "/packages", "packages"));
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("datacenter", datacenterOf(sections.get("servers")));
    source.put("cnapi", cnapi.base().toString());
    source.put("vmapi", vmapi.base().toString());
    source.put("napi", napi.base().toString());
    if (papi != null) {
      source.put("papi", papi.base().toString());
    }
    return MirrorArchive.of(source, clock.instant().toString(), false, sections);
  }

  private static String datacenterOf(List<Map<String, Object>> servers) {
    for (Map<String, Object> s : servers) {
      if (s.get("datacenter") instanceof String dc) {
        return dc;
      }
      if (s.get("sysinfo") instanceof Map<?, ?> si && si.get("Datacenter Name") instanceof String dc) {
        return dc;
      }
    }
    return null;
  }

  private List<Map<String, Object>> list(JsonHttpClient api, String path, String what) throws IOException {
    return ApiPages.list(api, path, n -> progress.accept(what + ": " + n + " so far"), n -> progress.accept(what + ": " + n));
  }
}
