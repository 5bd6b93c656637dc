package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.firewaller.FwState;
import com.joyent.mockcloud.fwrule.FwRule;
import com.joyent.mockcloud.fwrule.FwRuleParser;
import com.joyent.mockcloud.fwrule.FwRules;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.util.Uuids;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fwadm SERVER list|list-rvms|rules VM}: a mock CN's firewall as its firewaller keeps it,
 * printed as SmartOS's {@code fwadm} prints it — {@code list} in columns {@code UUID ENABLED RULE}
 * (left-aligned, one space apart, a false or missing value as {@code -}, no header for no rules),
 * with {@code -o} to choose columns ({@code vms}, the CN's firewall-enabled VMs a rule applies to,
 * is mockcloud's), {@code -j} for JSON; {@code list-rvms} the remote VMs as JSON; {@code rules VM}
 * the rules that apply to one VM of the CN.
 */
@Command(name = "fwadm", mixinStandardHelpOptions = true,
    description = {"Show a mock CN's firewall rules and remote VMs, as fwadm on a SmartOS CN shows them.",
        "  list        rules: UUID ENABLED RULE (-o to choose columns, vms among them; -j for JSON)",
        "  list-rvms   remote VMs, as a JSON array",
        "  rules VM    the rules that apply to the CN's VM VM"},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:printed", "1:the CN or its files could not be read", "2:bad settings or arguments"})
public final class FwadmCommand implements Callable<Integer> {
  private static final Map<String, Integer> WIDTHS = Map.of("created_by", 10, "description", 15, "enabled", 7,
      "global", 6, "owner_uuid", 36, "rule", 20, "uuid", 36, "version", 20, "vms", 36);

  @Mixin SettingsOptions options;

  @Parameters(index = "0", paramLabel = "SERVER", description = "the mock CN's uuid")
  String server;

  @Parameters(index = "1", paramLabel = "ACTION", description = "list, list-rvms or rules")
  String action;

  @Parameters(index = "2", arity = "0..1", paramLabel = "VM", description = "the VM, for rules")
  String vm;

  @Option(names = "-o", split = ",", paramLabel = "FIELDS", description = "list: columns (uuid, enabled, rule, "
      + "owner_uuid, global, created_by, description, version, vms)")
  List<String> fields = List.of("uuid", "enabled", "rule");

  @Option(names = "-j", description = "list: a JSON array")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Settings settings = options.settings();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Uuids.isUuid(server)) {
      err.println("fwadm: SERVER must be a server uuid, got \"" + server + "\"");
      return 2;
    }
    ServerDirectory d = new ServerRoot(settings.root()).directoryOf(java.util.UUID.fromString(server));
    if (!Files.isDirectory(d.dir())) {
      err.println("fwadm: no mock CN " + server + " under " + settings.root());
      return 1;
    }
    for (String f : fields) {
      if (!WIDTHS.containsKey(f)) {
        err.println("fwadm: unknown field \"" + f + "\" (one of " + String.join(", ", new java.util.TreeSet<>(
            WIDTHS.keySet())) + ")");
        return 2;
      }
    }
    FwState state = new FwState(d.dir());
    switch (action) {
      case "list" -> list(out, state.rules(), localVms(d.vmsDir()));
      case "list-rvms" -> out.println(new String(Json.prettyBytes(state.remoteVms(), 2)));
      case "rules" -> {
        Map<String, Object> target = localVms(d.vmsDir()).stream().filter(v -> String.valueOf(v.get("uuid"))
            .equals(vm)).findFirst().orElse(null);
        if (target == null) {
          err.println("fwadm: VM " + vm + " is not on " + server);
          return 1;
        }
        for (Map<String, Object> r : state.rules()) {
          if (applies(r, target)) {
            out.printf("%s %-7s %s%n", r.get("uuid"), Boolean.TRUE.equals(r.get("enabled")), r.get("rule"));
          }
        }
      }
      default -> {
        err.println("fwadm: unknown action \"" + action + "\" (list, list-rvms or rules)");
        return 2;
      }
    }
    out.flush();
    return 0;
  }

  private void list(PrintWriter out, List<Map<String, Object>> rules, List<Map<String, Object>> vms) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, Object> r : rules) {
      Map<String, Object> row = new LinkedHashMap<>(r);
      List<String> on = new ArrayList<>();
      for (Map<String, Object> v : vms) {
        if (Boolean.TRUE.equals(v.get("firewall_enabled")) && applies(r, v)) {
          on.add(String.valueOf(v.get("uuid")));
        }
      }
      row.put("vms", on.isEmpty() ? null : String.join(",", on));
      rows.add(row);
    }
    if (json) {
      out.println(new String(Json.prettyBytes(rules, 2)));
      return;
    }
    if (rows.isEmpty()) {
      return; // fwadm prints no header for no rules
    }
    Map<String, Integer> width = new LinkedHashMap<>();
    for (String f : fields) {
      int w = Math.max(WIDTHS.get(f), f.length());
      for (Map<String, Object> row : rows) {
        w = Math.max(w, cell(row.get(f)).length());
      }
      width.put(f, w);
    }
    out.println(line(width, f -> f.toUpperCase(java.util.Locale.ROOT)));
    for (Map<String, Object> row : rows) {
      out.println(line(width, f -> cell(row.get(f))));
    }
  }

  private static String line(Map<String, Integer> width, java.util.function.Function<String, String> value) {
    StringBuilder b = new StringBuilder();
    width.forEach((f, w) -> {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(String.format("%-" + w + "s", value.apply(f)));
    });
    return b.toString();
  }

  /** fwadm prints a falsy value as {@code -}. */
  private static String cell(Object v) {
    return v == null || Boolean.FALSE.equals(v) || "".equals(v) ? "-" : String.valueOf(v);
  }

  @SuppressWarnings("unchecked")
  private static boolean applies(Map<String, Object> rule, Map<String, Object> vm) {
    try {
      FwRule parsed = FwRuleParser.parse(String.valueOf(rule.get("rule")));
      Map<String, Object> tags = vm.get("tags") instanceof Map<?, ?> t ? (Map<String, Object>) t : Map.of();
      return FwRules.appliesTo(parsed, (String) rule.get("owner_uuid"), (String) vm.get("owner_uuid"),
          String.valueOf(vm.get("uuid")), tags);
    } catch (FwRuleParser.RuleException e) {
      return false;
    }
  }

  private static List<Map<String, Object>> localVms(Path vmsDir) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    if (!Files.isDirectory(vmsDir)) {
      return out;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(vmsDir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    for (Path f : files) {
      try {
        out.add(Json.parseObject(Files.readAllBytes(f)));
      } catch (IOException | RuntimeException e) {
        // a VM file being written or not JSON: not a VM fwadm would see
      }
    }
    return out;
  }
}
