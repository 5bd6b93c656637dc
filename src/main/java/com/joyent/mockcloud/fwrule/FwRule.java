package com.joyent.mockcloud.fwrule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A parsed firewall rule (sdc-fwrule's syntax): {@code FROM <side> TO <side> ALLOW|BLOCK
 * <protocol> [PRIORITY n]}. {@link #text()} is the canonical form FWAPI stores and answers
 * (targets ordered and de-duplicated, tags quoted, ports sorted), and {@link #affects} says
 * whether a side names a VM, as fwadm matches them.
 */
public record FwRule(Side from, Side to, String action, String protocol, List<Port> ports, List<IcmpType> types,
    boolean allPorts, Integer priority) {

  /** One side: {@code any}, {@code all vms}, and targets. */
  public record Side(boolean any, boolean allVms, List<String> ips, List<String> subnets, List<Tag> tags,
      List<String> vms) {
    int size() {
      return (any ? 1 : 0) + (allVms ? 1 : 0) + ips.size() + subnets.size() + tags.size() + vms.size();
    }

    /** Whether this side names VMs at all ({@code all vms}, a vm or a tag). */
    public boolean namesVms() {
      return allVms || !tags.isEmpty() || !vms.isEmpty();
    }

    /** Whether a VM with {@code uuid} and {@code tags} is on this side. */
    public boolean matches(String uuid, Map<String, Object> vmTags) {
      if (allVms || vms.contains(uuid)) {
        return true;
      }
      for (Tag t : tags) {
        if (vmTags != null && vmTags.containsKey(t.key())
            && (t.value() == null || t.value().equals(String.valueOf(vmTags.get(t.key()))))) {
          return true;
        }
      }
      return false;
    }

    String text() {
      List<String> parts = new ArrayList<>();
      if (any) {
        parts.add("any");
      }
      if (allVms) {
        parts.add("all vms");
      }
      new TreeSet<>(ips).forEach(ip -> parts.add("ip " + ip));
      new TreeSet<>(subnets).forEach(s -> parts.add("subnet " + s));
      tags.stream().map(Tag::text).collect(Collectors.toCollection(TreeSet::new)).forEach(parts::add);
      new TreeSet<>(vms).forEach(v -> parts.add("vm " + v));
      return parts.size() == 1 ? parts.get(0) : "(" + String.join(" OR ", parts) + ")";
    }
  }

  /** {@code tag k} (value null: any value) or {@code tag k = v}. */
  public record Tag(String key, String value) {
    String text() {
      return "tag " + quote(key) + (value == null ? "" : " = " + quote(value));
    }
  }

  /** A port or a range {@code from - to} (equal for one port). */
  public record Port(int from, int to) {}

  /** An ICMP type with its code, or null for every code. */
  public record IcmpType(int type, Integer code) {}

  /** Whether the VM is on either side (the rule then applies to it, subject to the owner). */
  public boolean affects(String uuid, Map<String, Object> vmTags) {
    return from.matches(uuid, vmTags) || to.matches(uuid, vmTags);
  }

  /** The canonical text, as sdc-fwrule writes it back. */
  public String text() {
    StringBuilder b = new StringBuilder("FROM ").append(from.text()).append(" TO ").append(to.text()).append(' ')
        .append(action).append(' ').append(protocol);
    if (protocol.equals("tcp") || protocol.equals("udp")) {
      b.append(' ').append(portsText());
    } else if (protocol.startsWith("icmp")) {
      b.append(' ').append(typesText());
    }
    if (priority != null) {
      b.append(" PRIORITY ").append(priority);
    }
    return b.toString();
  }

  private String portsText() {
    if (allPorts) {
      return "PORT all";
    }
    List<Port> sorted = ports.stream().distinct()
        .sorted(Comparator.comparingInt(Port::from).thenComparingInt(Port::to)).toList();
    if (sorted.stream().anyMatch(p -> p.from() != p.to())) {
      return "PORTS " + sorted.stream().map(p -> p.from() == p.to() ? String.valueOf(p.from())
          : p.from() + " - " + p.to()).collect(Collectors.joining(", "));
    }
    if (sorted.size() == 1) {
      return "PORT " + sorted.get(0).from();
    }
    return "(" + sorted.stream().map(p -> "PORT " + p.from()).collect(Collectors.joining(" AND ")) + ")";
  }

  private String typesText() {
    if (types.isEmpty()) {
      return "TYPE all";
    }
    List<String> parts = types.stream()
        .sorted(Comparator.comparingInt(IcmpType::type).thenComparing(t -> t.code() == null ? -1 : t.code()))
        .map(t -> "TYPE " + t.type() + (t.code() == null ? "" : " CODE " + t.code())).distinct().toList();
    return parts.size() == 1 ? parts.get(0) : "(" + String.join(" AND ", parts) + ")";
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FwRule r && r.text().equals(text());
  }

  @Override
  public int hashCode() {
    return Objects.hash(text());
  }
}
