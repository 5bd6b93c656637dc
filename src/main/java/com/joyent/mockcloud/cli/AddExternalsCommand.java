package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.triton.ApiException;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.CnapiApi;
import com.joyent.mockcloud.triton.TritonApis;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code add-externals}: gives every mock CN (sysinfo {@code System Type} Virtual) whose
 * {@code dnet1} lacks the {@code external} tag that tag, through CNAPI's
 * {@code PUT /servers/<uuid>/nics} (spec net-agent-cmon-mockcloud.md §5.7), so VMs with
 * external NICs can be placed on mock CNs. Running it again changes nothing.
 */
@Command(name = "add-externals", mixinStandardHelpOptions = true,
    description = "Tag dnet1 of every mock CN lacking it with 'external' via CNAPI (PUT /servers/:uuid/nics).")
public final class AddExternalsCommand implements Callable<Integer> {
  @Mixin SettingsOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Settings settings = options.settings();
    CnapiApi cnapi = TritonApis.standalone(settings).cnapi("mockcloud add-externals");
    PrintWriter out = spec.commandLine().getOut();
    ApiResponse list = cnapi.listServers();
    if (!list.isSuccessful()) {
      throw new ApiException("CNAPI GET /servers", list);
    }
    int failures = 0;
    for (Object o : list.bodyList()) {
      if (!(o instanceof Map<?, ?> summary) || !(summary.get("uuid") instanceof String uuid)) {
        continue;
      }
      ApiResponse server = cnapi.getServer(uuid);
      Map<?, ?> sysinfo = server.bodyObject().get("sysinfo") instanceof Map<?, ?> s ? s : Map.of();
      if (!"Virtual".equals(sysinfo.get("System Type"))) {
        continue;
      }
      Map<?, ?> dnet1 = sysinfo.get("Network Interfaces") instanceof Map<?, ?> n && n.get("dnet1") instanceof Map<?, ?> d
          ? d : null;
      if (dnet1 == null || (dnet1.get("NIC Names") instanceof List<?> names && names.contains("external"))) {
        continue;
      }
      Map<String, Object> nic = new LinkedHashMap<>();
      nic.put("mac", dnet1.get("MAC Address"));
      nic.put("nic_tags_provided", List.of("external"));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("action", "update");
      body.put("nics", List.of(nic));
      ApiResponse r = cnapi.updateServerNics(uuid, body);
      if (r.isSuccessful() && r.bodyObject().get("job_uuid") instanceof String job) {
        out.println(uuid + ": external tag requested (job " + job + ")");
      } else {
        failures++;
        out.println(uuid + ": failed to add the external tag: " + r.status()
            + (r.errorMessage() != null ? " " + r.errorMessage() : ""));
      }
    }
    out.flush();
    return failures == 0 ? 0 : Main.EXIT_FAILURE;
  }
}
