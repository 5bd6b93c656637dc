package com.joyent.mockcloud.firewaller;

import com.joyent.mockcloud.fwrule.FwRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a CN must learn of VMs elsewhere for its rules: the tags ({@code true} for any value, or
 * the values), VMs and whether all VMs of the owner — from FWAPI's {@code /resolve} answer or
 * worked out from a rule, as fwadm's {@code remoteTargets} does — and the VMAPI predicate that
 * lists them (sdc-firewaller-agent lib/pred.js): the owner's VMs on other servers that are not
 * destroyed, failed or provisioning, and match one of the targets.
 */
record RemoteTargets(Map<String, Object> tags, Set<String> vms, boolean allVms) {
  static final RemoteTargets NONE = new RemoteTargets(Map.of(), Set.of(), false);

  boolean isEmpty() {
    return tags.isEmpty() && vms.isEmpty() && !allVms;
  }

  @SuppressWarnings("unchecked")
  static RemoteTargets fromResolve(Map<String, Object> resolved) {
    Map<String, Object> tags = resolved.get("tags") instanceof Map<?, ?> t ? (Map<String, Object>) t : Map.of();
    Set<String> vms = new TreeSet<>();
    if (resolved.get("vms") instanceof List<?> l) {
      l.forEach(v -> vms.add(String.valueOf(v)));
    }
    return new RemoteTargets(tags, vms, Boolean.TRUE.equals(resolved.get("allVMs")));
  }

  /** The other side of each side of {@code rule} that holds one of {@code localVms}, minus those VMs. */
  static RemoteTargets ofRule(FwRule rule, Set<String> matchedSides, Set<String> localVms) {
    Map<String, Object> tags = new LinkedHashMap<>();
    Set<String> vms = new TreeSet<>();
    boolean all = false;
    for (String side : matchedSides) {
      FwRule.Side other = side.equals("from") ? rule.to() : rule.from();
      all |= other.allVms();
      for (FwRule.Tag t : other.tags()) {
        add(tags, t);
      }
      other.vms().stream().filter(v -> !localVms.contains(v)).forEach(vms::add);
    }
    return new RemoteTargets(tags, vms, all);
  }

  @SuppressWarnings("unchecked")
  private static void add(Map<String, Object> tags, FwRule.Tag t) {
    if (t.value() == null) {
      tags.put(t.key(), true);
    } else if (!Boolean.TRUE.equals(tags.get(t.key()))) {
      List<Object> values = (List<Object>) tags.computeIfAbsent(t.key(), k -> new ArrayList<>());
      if (!values.contains(t.value())) {
        values.add(t.value());
      }
    }
  }

  /** The VMAPI {@code predicate} for these targets of {@code owner}'s VMs off {@code server}. */
  Map<String, Object> predicate(String owner, String server) {
    List<Object> and = new ArrayList<>();
    and.add(Map.of("eq", List.of("owner_uuid", owner)));
    and.add(Map.of("ne", List.of("server_uuid", server)));
    and.add(Map.of("ne", List.of("state", "destroyed")));
    and.add(Map.of("ne", List.of("state", "failed")));
    and.add(Map.of("ne", List.of("state", "provisioning")));
    if (!allVms) {
      List<Object> or = new ArrayList<>();
      tags.forEach((k, v) -> {
        if (v instanceof List<?> values) {
          values.forEach(value -> or.add(Map.of("eq", List.of("tag." + k, value))));
        } else {
          or.add(Map.of("eq", List.of("tag." + k, "*")));
        }
      });
      vms.forEach(v -> or.add(Map.of("eq", List.of("uuid", v))));
      if (or.size() == 1) {
        and.add(or.get(0));
      } else if (or.size() > 1) {
        and.add(Map.of("or", or));
      }
    }
    return Map.of("and", and);
  }

  /**
   * A remote VM as fwadm stores it, from a VMAPI VM or an update: its IPs (from {@code nics[].ip}
   * and {@code nics[].ips} without the prefix, {@code dhcp} and {@code addrconf} dropped, and
   * {@code ips}), sorted; its tags when it has some; its owner.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> remoteVm(Map<String, Object> vm) {
    Set<String> ips = new TreeSet<>();
    if (vm.get("nics") instanceof List<?> nics) {
      for (Object n : nics) {
        if (n instanceof Map<?, ?> nic) {
          addIp(ips, nic.get("ip"));
          if (nic.get("ips") instanceof List<?> l) {
            l.forEach(ip -> addIp(ips, ip));
          }
        }
      }
    }
    if (vm.get("ips") instanceof List<?> l) {
      l.forEach(ip -> addIp(ips, ip));
    }
    Map<String, Object> rvm = new LinkedHashMap<>();
    rvm.put("uuid", vm.get("uuid"));
    rvm.put("ips", new ArrayList<>(ips));
    if (vm.get("tags") instanceof Map<?, ?> t && !t.isEmpty()) {
      rvm.put("tags", new LinkedHashMap<>((Map<String, Object>) t));
    }
    if (vm.get("owner_uuid") != null) {
      rvm.put("owner_uuid", vm.get("owner_uuid"));
    }
    return rvm;
  }

  private static void addIp(Set<String> ips, Object ip) {
    if (ip instanceof String s && !s.isEmpty() && !s.equals("dhcp") && !s.equals("addrconf")) {
      int slash = s.indexOf('/');
      ips.add(slash < 0 ? s : s.substring(0, slash));
    }
  }
}
