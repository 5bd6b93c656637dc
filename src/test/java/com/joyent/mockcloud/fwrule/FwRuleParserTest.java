package com.joyent.mockcloud.fwrule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FwRuleParserTest {
  private static final String VM1 = "8a2d9c3e-1111-4b22-9c33-0d4e5f6a7b8c";
  private static final String VM2 = "0b2d9c3e-2222-4b22-9c33-0d4e5f6a7b8c";

  private static String canonical(String rule) throws Exception {
    return FwRuleParser.parse(rule).text();
  }

  @Test
  void canonicalText_ordersTargets_quotesTags_sortsPorts() throws Exception {
    assertThat(canonical("from any to tag www allow TCP (port 443 and port 80)"))
        .isEqualTo("FROM any TO tag \"www\" ALLOW tcp (PORT 80 AND PORT 443)");
    assertThat(canonical("FROM (vm " + VM2 + " OR tag role = db OR ip 10.0.0.5 OR all vms OR subnet 10.1.0.0/16 OR vm "
        + VM1 + " OR vm " + VM2 + ") TO all vms BLOCK udp PORT 53"))
        .isEqualTo("FROM (all vms OR ip 10.0.0.5 OR subnet 10.1.0.0/16 OR tag \"role\" = \"db\" OR vm " + VM2
            + " OR vm " + VM1 + ") TO all vms BLOCK udp PORT 53");
    assertThat(canonical("FROM any TO all vms ALLOW tcp PORTS 1000-2000, 80")).isEqualTo(
        "FROM any TO all vms ALLOW tcp PORTS 80, 1000 - 2000");
    assertThat(canonical("FROM any TO all vms ALLOW tcp port all")).isEqualTo("FROM any TO all vms ALLOW tcp PORT all");
    assertThat(canonical("FROM any TO all vms ALLOW icmp TYPE 8 CODE 0"))
        .isEqualTo("FROM any TO all vms ALLOW icmp TYPE 8 CODE 0");
    assertThat(canonical("FROM any TO all vms ALLOW icmp (TYPE 8 CODE 0 AND TYPE 0)"))
        .isEqualTo("FROM any TO all vms ALLOW icmp (TYPE 0 AND TYPE 8 CODE 0)");
    assertThat(canonical("FROM tag \"a \\\"b\\\"\" TO any ALLOW tcp PORT 22 PRIORITY 10"))
        .isEqualTo("FROM tag \"a \\\"b\\\"\" TO any ALLOW tcp PORT 22 PRIORITY 10");
    assertThat(canonical("FROM any TO vm " + VM1 + " ALLOW esp")).isEqualTo("FROM any TO vm " + VM1 + " ALLOW esp");
  }

  @Test
  void matching_tagWithAndWithoutValue_vm_allVms() throws Exception {
    FwRule keyOnly = FwRuleParser.parse("FROM any TO tag role ALLOW tcp PORT 80");
    FwRule keyValue = FwRuleParser.parse("FROM any TO tag role = web ALLOW tcp PORT 80");
    FwRule vm = FwRuleParser.parse("FROM any TO vm " + VM1 + " ALLOW tcp PORT 80");
    FwRule all = FwRuleParser.parse("FROM all vms TO any BLOCK tcp PORT 25");
    assertThat(keyOnly.affects(VM2, Map.of("role", "db"))).isTrue();
    assertThat(keyValue.affects(VM2, Map.of("role", "db"))).isFalse();
    assertThat(keyValue.affects(VM2, Map.of("role", "web"))).isTrue();
    assertThat(FwRuleParser.parse("FROM any TO tag web = true ALLOW tcp PORT 80").affects(VM2, Map.of("web", true)))
        .as("a boolean tag matches its text").isTrue();
    assertThat(keyOnly.affects(VM2, Map.of())).isFalse();
    assertThat(vm.affects(VM1, Map.of())).isTrue();
    assertThat(vm.affects(VM2, Map.of())).isFalse();
    assertThat(all.affects(VM2, null)).isTrue();
  }

  @Test
  void badRules_areRefusedWithFwrulesWords() {
    assertThatThrownBy(() -> FwRuleParser.parse("invalid")).hasMessage(
        "Error at character 0: 'invalid', expected: 'FROM', found: word");
    assertThatThrownBy(() -> FwRuleParser.parse("FROM foo TO any ALLOW tcp PORT 80")).hasMessage(
        "Error at character 5: 'foo', expected: '(', 'all', 'any', 'ip', 'subnet', 'vm', 'tag', found: word");
    assertThatThrownBy(() -> FwRuleParser.parse("FROM any TO all vms ALLOW tcp PORT 0"))
        .hasMessage("Port number \"0\" is invalid");
    assertThatThrownBy(() -> FwRuleParser.parse("FROM any TO ip 10.0.0.1 ALLOW tcp PORT 80"))
        .hasMessage("rule does not affect VMs");
    assertThatThrownBy(() -> FwRuleParser.parse("FROM any TO subnet 10.8.0.0/5 ALLOW tcp PORT 80"))
        .hasMessage("Subnet \"10.8.0.0/5\" is invalid (bits set to right of mask)");
    assertThatThrownBy(() -> FwRuleParser.parse("FROM any TO vm nope ALLOW tcp PORT 80"))
        .hasMessage("UUID \"nope\" is invalid");
    assertThatThrownBy(() -> FwRuleParser.parse("From any TO all vms ALLOW tcp PORT 80"))
        .hasMessageStartingWith("Error at character 0: 'From', expected: 'FROM'");
    assertThatThrownBy(() -> FwRuleParser.parse("FROM any TO all vms ALLOW icmp TYPE 260"))
        .hasMessage("ICMP type \"260\" is invalid");
    assertThatThrownBy(() -> FwRuleParser.parse("FROM any TO all vms ALLOW tcp")).hasMessageContaining("found: EOF");
    StringBuilder many = new StringBuilder("FROM any TO all vms ALLOW tcp (PORT 1");
    for (int p = 2; p <= 25; p++) {
      many.append(" AND PORT ").append(p);
    }
    assertThatThrownBy(() -> FwRuleParser.parse(many + ")")).hasMessage("maximum of 24 ports allowed");
  }
}
