package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.vm.VmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code machine_update_nics} as the smartos backend runs it (CNAPI's VmNicsUpdate, sent when
 * NAPI changes a network): every VM with a NIC on {@code original_network} gets the new
 * gateway on that NIC, the resolvers of all {@code networks} its NICs are on (unless its
 * {@code internal_metadata.set_resolvers} is false) and their routes (set or removed against
 * its current {@code routes}), one {@code vmadm update} per VM that changes. Steps
 * {@code pre_check} (20), {@code filter_vms} (50), {@code perform_updates} (100), as the real
 * task's {@code start:}/{@code end:} events.
 *
 * <p>Then, as the real task, it loads {@code params.uuid} and answers {@code {"vm": …}}. CNAPI
 * sends no {@code uuid} to this task (its route has none), so there, as on a real CN, the
 * updates are made and the task then crashes (the crash answer); a caller that names a VM
 * gets that VM. Errors: {@code Invalid request parameter(s): networks, original_network, …};
 * {@code Error updating VM "<uuid>": <why>}; {@code vmadm.load error: VM does not exist}.
 */
final class MachineUpdateNicsTask {
  private MachineUpdateNicsTask() {}

  /**
   * A network with its first and last address as numbers (the real task's start_num/end_num;
   * NaN when its prefix length is not a number, so that it matches no NIC, as there).
   */
  private record Net(Map<?, ?> fields, double start, double end) {}

  static void run(TaskContext ctx) throws Exception {
    Map<String, Object> p = ctx.params();
    List<Net> networks = new ArrayList<>();
    Net[] orig = new Net[1];
    String invalid = ctx.step("pre_check", 20, "Pre-flight sanity check", () -> preCheck(p, networks, orig));
    if (invalid != null) {
      ctx.fatal(invalid);
      return;
    }
    List<Map<String, Object>> updates = ctx.step("filter_vms", 50, "Filtering VMs",
        () -> filter(ctx, networks, orig[0]));
    String failed = ctx.step("perform_updates", 100, "Updating VMs", () -> perform(ctx, updates));
    if (failed != null) {
      ctx.fatal(failed);
      return;
    }
    String uuid = ctx.requireString("uuid"); // node-vmadm asserts it: without one the task crashes here
    if (!NodeVmadm.exists(ctx, uuid, false)) {
      ctx.fatal("vmadm.load error: " + NodeVmadm.NOT_FOUND);
      return;
    }
    try {
      ctx.finish(VmErrors.wrapVm(ctx.cn().vms().load(uuid)));
    } catch (VmException e) {
      ctx.fatal("vmadm.load error: " + NodeVmadm.NOT_FOUND);
    }
  }

  /** The real check's message, or null; fills {@code networks} and {@code orig[0]}. */
  private static String preCheck(Map<String, Object> p, List<Net> networks, Net[] orig) {
    List<String> invalid = new ArrayList<>();
    if (!(p.get("networks") instanceof List<?> list) || list.isEmpty()) {
      invalid.add("networks");
    } else {
      for (Object n : list) {
        if (!(n instanceof Map<?, ?> m)) {
          throw TaskContext.crash("params.networks holds " + n + ", not a network"); // the real task dies reading .subnet
        }
        Net net = withRange(m);
        if (net == null) {
          invalid.add("networks (" + m.get("uuid") + ")");
        } else {
          networks.add(net);
        }
      }
    }
    if (p.containsKey("original_network") && p.get("original_network") == null) {
      throw TaskContext.crash("params.original_network is null");
    }
    if (!(p.get("original_network") instanceof Map<?, ?> o) || !o.containsKey("subnet")) {
      invalid.add("original_network");
    } else {
      orig[0] = withRange(o);
      if (orig[0] == null) {
        invalid.add("original_network");
      }
    }
    if (invalid.isEmpty()) {
      return null;
    }
    return "Invalid request parameter" + (invalid.size() == 1 ? "" : "s") + ": " + String.join(", ", invalid);
  }

  /** The network with its range, or null if its subnet is not {@code <IPv4>/<n>}; a subnet that is no string crashes. */
  private static Net withRange(Map<?, ?> network) {
    if (!(network.get("subnet") instanceof String subnet)) {
      throw TaskContext.crash("network subnet " + network.get("subnet") + " is not a string");
    }
    String[] parts = subnet.split("/", -1);
    Long start = parts.length == 2 ? aton(parts[0]) : null;
    if (start == null) {
      return null;
    }
    Double prefix = asNumber(parts[1]);
    double size = prefix == null ? Double.NaN : Math.pow(2, 32 - prefix);
    return new Net(network, start, start + size - 1);
  }

  /** A dotted IPv4 address as a number, or null. */
  static Long aton(Object addr) {
    if (!(addr instanceof String s) || !s.matches("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})")) {
      return null;
    }
    long n = 0;
    for (String octet : s.split("\\.")) {
      int o = Integer.parseInt(octet);
      if (o > 255 || (octet.length() > 1 && octet.startsWith("0"))) {
        return null;
      }
      n = n * 256 + o;
    }
    return n;
  }

  /** The real match: same VLAN and netmask, address in [start, end) (the broadcast address excluded). */
  private static boolean onNetwork(Net net, Map<?, ?> nic, double ip) {
    return looseEquals(net.fields().get("vlan_id"), nic.get("vlan_id")) && net.start() <= ip && ip < net.end()
        && looseEquals(nic.get("netmask"), net.fields().get("netmask"));
  }

  /** JavaScript's {@code ==} for the JSON values NICs hold. */
  private static boolean looseEquals(Object a, Object b) {
    if (a == null || b == null) {
      return a == null && b == null;
    }
    if (a instanceof Number || b instanceof Number) {
      Double x = asNumber(a);
      Double y = asNumber(b);
      return x != null && x.equals(y);
    }
    return String.valueOf(a).equals(String.valueOf(b));
  }

  private static Double asNumber(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return String.valueOf(v).isBlank() ? 0.0 : Double.parseDouble(String.valueOf(v).strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** vmadm lookup on {@code nics.*.nic_tag/netmask/vlan_id}, then the real per-VM rules. */
  private static List<Map<String, Object>> filter(TaskContext ctx, List<Net> networks, Net orig) {
    List<Map<String, Object>> updates = new ArrayList<>();
    for (Map<String, Object> vm : ctx.cn().vms().lookup(Map.of(), List.of("uuid", "nics", "internal_metadata",
        "routes"))) {
      List<Map<?, ?>> nics = new ArrayList<>();
      if (vm.get("nics") instanceof List<?> list) {
        list.stream().filter(n -> n instanceof Map<?, ?>).forEach(n -> nics.add((Map<?, ?>) n));
      }
      if (!anyNic(nics, "nic_tag", orig) || !anyNic(nics, "netmask", orig) || !anyNic(nics, "vlan_id", orig)) {
        continue;
      }
      Map<String, Object> update = updateFor(ctx, vm, nics, networks, orig);
      if (update != null) {
        updates.add(update);
      }
    }
    ctx.log(updates.size() + " VMs to update");
    return updates;
  }

  private static boolean anyNic(List<Map<?, ?>> nics, String key, Net orig) {
    Object want = orig.fields().get(key);
    return nics.stream().anyMatch(n -> Objects.equals(String.valueOf(n.get(key)), String.valueOf(want)));
  }

  private static Map<String, Object> updateFor(TaskContext ctx, Map<String, Object> vm, List<Map<?, ?>> nics,
      List<Net> networks, Net orig) {
    boolean setResolvers = !(vm.get("internal_metadata") instanceof Map<?, ?> im && im.containsKey("set_resolvers")
        && !JsValues.truthy(im.get("set_resolvers")));
    boolean matched = false;
    List<Object> resolvers = new ArrayList<>();
    Map<String, Object> newRoutes = new LinkedHashMap<>();
    List<Object> updateNics = new ArrayList<>();
    for (Map<?, ?> nic : nics) {
      Long ip = aton(nic.get("ip"));
      if (ip == null || ip == 0) {
        ctx.log("VM " + vm.get("uuid") + ": invalid or DHCP IP for nic " + nic.get("mac"));
        continue;
      }
      boolean onOrig = onNetwork(orig, nic, ip);
      matched |= onOrig;
      for (Net net : networks) {
        if (!onNetwork(net, nic, ip)) {
          continue;
        }
        Object gw = net.fields().get("gateway");
        if (onOrig && net.fields().containsKey("gateway") && !looseEquals(gw, nic.get("gateway"))) {
          Map<String, Object> u = new LinkedHashMap<>();
          u.put("gateway", gw);
          u.put("mac", nic.get("mac"));
          updateNics.add(u);
        }
        if (net.fields().get("resolvers") instanceof List<?> rs) {
          rs.stream().filter(r -> !resolvers.contains(r)).forEach(resolvers::add);
        }
        if (net.fields().get("routes") instanceof Map<?, ?> routes) {
          routes.forEach((k, v) -> newRoutes.put(String.valueOf(k), v));
        }
      }
    }
    if (!matched) {
      return null;
    }
    Map<String, Object> params = new LinkedHashMap<>();
    if (!updateNics.isEmpty()) {
      params.put("update_nics", updateNics);
    }
    if (setResolvers) {
      params.put("resolvers", resolvers);
    }
    Map<?, ?> oldRoutes = vm.get("routes") instanceof Map<?, ?> r ? r : Map.of();
    addRouteProperties(params, oldRoutes, newRoutes);
    if (params.isEmpty()) {
      return null;
    }
    params.put("uuid", vm.get("uuid"));
    return params;
  }

  /** set_routes / remove_routes that take the VM from its old routes to the new ones. */
  static void addRouteProperties(Map<String, Object> payload, Map<?, ?> oldRoutes, Map<String, Object> newRoutes) {
    if (oldRoutes.isEmpty() && newRoutes.isEmpty()) {
      return;
    }
    if (oldRoutes.isEmpty()) {
      payload.put("set_routes", newRoutes);
      return;
    }
    if (newRoutes.isEmpty()) {
      payload.put("remove_routes", oldRoutes.keySet().stream().map(String::valueOf).toList());
      return;
    }
    List<String> remove = new ArrayList<>();
    oldRoutes.keySet().forEach(k -> {
      if (!newRoutes.containsKey(String.valueOf(k))) {
        remove.add(String.valueOf(k));
      }
    });
    payload.put("set_routes", newRoutes);
    if (!remove.isEmpty()) {
      payload.put("remove_routes", remove);
    }
  }

  /** One vmadm update per VM, in order; the first failure stops the rest. Null when all went. */
  private static String perform(TaskContext ctx, List<Map<String, Object>> updates) {
    for (Map<String, Object> u : updates) {
      String uuid = String.valueOf(u.get("uuid"));
      try {
        ctx.cn().vms().update(uuid, u);
      } catch (VmException e) {
        return "Error updating VM \"" + uuid + "\": " + e.getMessage();
      }
      ctx.log("Updated VM \"" + uuid + "\"");
    }
    if (!updates.isEmpty()) {
      ctx.progress(100);
    }
    return null;
  }
}
