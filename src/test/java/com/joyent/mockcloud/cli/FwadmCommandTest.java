package com.joyent.mockcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.firewaller.FwState;
import com.joyent.mockcloud.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fwadm SERVER list|list-rvms|rules}: a CN's firewall in fwadm's output format. */
class FwadmCommandTest {
  private static final String CN = "564d0b8e-6099-7648-351e-877faf6c5215";
  private static final String OWNER = "930896af-bf8c-48d4-885c-6573a94b1853";
  private static final String WEB = "aaaaaaaa-0000-4000-8000-000000000001";
  private static final String DB = "bbbbbbbb-0000-4000-8000-000000000002";
  private static final String R1 = "11111111-0000-4000-8000-000000000001";
  private static final String R2 = "22222222-0000-4000-8000-000000000002";
  @TempDir Path root;

  private static Map<String, Object> rule(String uuid, boolean enabled, String text) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("created_by", "fwapi");
    r.put("enabled", enabled);
    r.put("log", false);
    r.put("owner_uuid", OWNER);
    r.put("rule", text);
    r.put("uuid", uuid);
    r.put("version", "1386926482712.093012");
    return r;
  }

  private void vm(Path cn, String uuid, String role, boolean fw) throws Exception {
    Files.createDirectories(cn.resolve("vms"));
    Files.write(cn.resolve("vms").resolve(uuid + ".json"), Json.compactBytes(Map.of("uuid", uuid, "owner_uuid", OWNER,
        "tags", Map.of("role", role), "firewall_enabled", fw)));
  }

  @Test
  void list_printsFwadmsColumns_andTheVmsEachRuleAppliesTo() throws Exception {
    Path cn = root.resolve("servers").resolve(CN);
    FwState state = new FwState(cn);
    state.putRule(rule(R1, true, "FROM any TO tag \"role\" = \"web\" ALLOW tcp PORT 80"));
    state.putRule(rule(R2, false, "FROM any TO all vms ALLOW tcp PORT 22"));
    vm(cn, WEB, "web", true);
    vm(cn, DB, "db", false);

    CliRunner.Result list = CliRunner.run("fwadm", "--root", root.toString(), CN, "list");
    assertThat(list.exit()).as(list.err()).isZero();
    String r1 = "FROM any TO tag \"role\" = \"web\" ALLOW tcp PORT 80"; // the widest rule: the column's width
    String r2 = "FROM any TO all vms ALLOW tcp PORT 22";
    int w = r1.length();
    assertThat(list.out()).isEqualTo(String.format("%-36s %-7s %-" + w + "s%n", "UUID", "ENABLED", "RULE")
        + String.format("%s %-7s %-" + w + "s%n", R1, "true", r1)
        + String.format("%s %-7s %-" + w + "s%n", R2, "-", r2)); // a disabled rule shows -, as fwadm's

    CliRunner.Result vms = CliRunner.run("fwadm", "--root", root.toString(), CN, "list", "-o", "uuid,vms");
    assertThat(vms.out()).contains(R1 + " " + WEB).contains(R2 + " " + WEB);

    CliRunner.Result rules = CliRunner.run("fwadm", "--root", root.toString(), CN, "rules", DB);
    assertThat(rules.out()).isEqualTo(R2 + " false   FROM any TO all vms ALLOW tcp PORT 22\n");
  }

  @Test
  void noRules_printNothing_andMistakesAreClearErrors() throws Exception {
    Files.createDirectories(root.resolve("servers").resolve(CN));
    CliRunner.Result empty = CliRunner.run("fwadm", "--root", root.toString(), CN, "list");
    assertThat(empty.exit()).isZero();
    assertThat(empty.out()).isEmpty();
    assertThat(CliRunner.run("fwadm", "--root", root.toString(), CN, "list-rvms").out().trim()).isEqualTo("[]");
    CliRunner.Result bad = CliRunner.run("fwadm", "--root", root.toString(), CN, "list", "-o", "uuid,nope");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("unknown field \"nope\"");
    assertThat(CliRunner.run("fwadm", "--root", root.toString(), "nope", "list").exit()).isEqualTo(2);
    assertThat(CliRunner.run("fwadm", "--root", root.toString(), "11111111-1111-4111-8111-111111111111", "list")
        .exit()).isEqualTo(1);
  }
}
