package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.ServerRoot;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code list-servers}: the mock CNs under the root, one line each or {@code --json}. */
@Command(name = "list-servers", mixinStandardHelpOptions = true,
    description = "List the mock CNs under the root: uuid, hostname, admin IP, VM count.")
public final class ListServersCommand implements Callable<Integer> {
  @Mixin SettingsOptions options;

  @Option(names = "--json", description = "print a JSON array (for scripts)")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Settings settings = options.settings();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ServerDirectory d : new ServerRoot(settings.root()).list()) {
      Map<String, Object> sysinfo = d.readSysinfo();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("uuid", d.uuid().toString());
      row.put("hostname", sysinfo.getOrDefault("Hostname", ""));
      row.put("admin_ip", sysinfo.getOrDefault("Admin IP", ""));
      row.put("vms", d.vmCount());
      rows.add(row);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.compact(rows));
    } else {
      out.printf("%-36s  %-12s  %-15s  %s%n", "UUID", "HOSTNAME", "ADMIN IP", "VMS");
      for (Map<String, Object> r : rows) {
        out.printf("%-36s  %-12s  %-15s  %s%n", r.get("uuid"), r.get("hostname"), r.get("admin_ip"), r.get("vms"));
      }
    }
    out.flush();
    return 0;
  }
}
