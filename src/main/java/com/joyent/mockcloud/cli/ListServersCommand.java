package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.ServerRoot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code list-servers}: the mock CNs under the root, one line each or {@code --json}. A CN whose
 * files cannot be read is left out with one warning line on stderr, as run-servers skips it and
 * runs the others; the exit status stays 0 so scripts reading the list keep working (the warning
 * is there for the operator).
 */
@Command(name = "list-servers", mixinStandardHelpOptions = true,
    description = {"List the mock CNs under the root: uuid, hostname, admin IP, VM count.",
        "A CN whose sysinfo.json or vms directory cannot be read is left out, with one line on "
            + "standard error naming the file and the reason (run-servers skips such a CN too)."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:the list was printed (CNs that could not be read are left out and reported on stderr)",
        "1:the servers directory could not be listed",
        "2:bad settings or arguments"})
public final class ListServersCommand implements Callable<Integer> {
  @Mixin SettingsOptions options;

  @Option(names = "--json", description = "print a JSON array (for scripts)")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Settings settings = options.settings();
    PrintWriter err = spec.commandLine().getErr();
    List<Map<String, Object>> rows = new ArrayList<>();
    if (!Files.isDirectory(settings.root())) {
      // An empty table alone reads as "no CNs here" when the likelier cause is the wrong root.
      err.println(spec.name() + ": the root " + settings.root() + " does not exist, so it holds no mock CNs "
          + "(--root or MOCKCLOUD_ROOT names another; create-server makes it)");
    }
    for (ServerDirectory d : new ServerRoot(settings.root()).list()) {
      Map<String, Object> row = new LinkedHashMap<>();
      Path reading = d.sysinfoFile();
      try {
        Map<String, Object> sysinfo = d.readSysinfo();
        row.put("uuid", d.uuid().toString());
        row.put("hostname", sysinfo.getOrDefault("Hostname", ""));
        row.put("admin_ip", sysinfo.getOrDefault("Admin IP", ""));
        reading = d.vmsDir();
        row.put("vms", d.vmCount());
      } catch (IOException e) {
        err.println(spec.name() + ": skipping server " + d.uuid() + ": " + reason(reading, e));
        continue;
      }
      rows.add(row);
    }
    err.flush();
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

  /** One line naming the file and what is wrong with it. */
  static String reason(Path file, IOException e) {
    String why;
    if (e instanceof AccessDeniedException) {
      why = file + ": permission denied";
    } else if (e instanceof NoSuchFileException) {
      why = file + ": no such file (removed while listing?)";
    } else {
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      why = msg.contains(file.toString()) ? msg : file + ": " + msg;
    }
    int nl = why.indexOf('\n');
    return (nl < 0 ? why : why.substring(0, nl)).strip();
  }
}
