package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.fast.FastMessagesServer;
import com.joyent.mockcloud.fast.FastServer;
import com.joyent.mockcloud.fwrule.FwRules;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import com.joyent.mockcloud.util.Uuids;
import io.netty.channel.nio.NioEventLoopGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The sandbox's FWAPI (sdc-fwapi 1.1): rules CRUD with sdc-fwrule's syntax and checks,
 * {@code /resolve}, {@code /updates}, {@code /ping}, the rules of a VM and the VMs of a rule, and
 * the push to firewallers — a fast-messages server on its own port, where every rule change and
 * update goes to every connected firewaller as FWAPI's updater sends them. FWAPI sends from a
 * moray queue it polls every 3 s; this one sends at once. See docs/sandbox.md.
 *
 * <p>{@link #outage} takes the push down (the fast listener closes and every firewaller's
 * connection with it), or all of FWAPI, whose HTTP routes but {@code /ping} then answer 503 as
 * FWAPI's {@code checkServices} does while its moray is away.
 */
public final class SandboxFwapi implements AutoCloseable {
  static final String SERVER_HEADER = "SmartDC Firewall API";
  static final Set<String> UPDATE_TYPES = Set.of("sync", "vm.add", "vm.update", "vm.delete");

  /** What is down. */
  public enum Outage { NONE, PUSH, FULL }

  private final FwapiRules rules = new FwapiRules();
  private final NioEventLoopGroup group = new NioEventLoopGroup(1,
      new com.joyent.mockcloud.util.NamedThreads("sandbox-fwapi-fast"));
  private final FastServer fast = new FastServer(group);
  private final FastMessagesServer messages = new FastMessagesServer(fast, "fwapi0");
  private final String bindHost;
  private final Function<String, Map<String, Object>> vmLookup;
  private final Supplier<List<Map<String, Object>>> activeVms;
  private volatile int fastPort;
  private volatile Outage outage = Outage.NONE;

  /**
   * @param vmLookup a VM as VMAPI holds it, or null (for the rules of a VM)
   * @param activeVms VMAPI's VMs that are not destroyed (for the VMs of a rule)
   */
  SandboxFwapi(String bindHost, Function<String, Map<String, Object>> vmLookup,
      Supplier<List<Map<String, Object>>> activeVms) {
    this.bindHost = bindHost;
    this.vmLookup = vmLookup;
    this.activeVms = activeVms;
    this.fastPort = fast.listen(bindHost, 0);
  }

  /** The fast-messages port firewallers connect to (2020 on a real FWAPI). */
  public int fastPort() {
    return fastPort;
  }

  /** The client ids (CN uuids) of the firewallers connected now. */
  public List<String> connectedFirewallers() {
    return messages.clients();
  }

  /** How many rules FWAPI holds. */
  public int ruleCount() {
    return rules.size();
  }

  /** Takes FWAPI's push, or all of FWAPI, down or back up (on the same fast port). */
  public synchronized void outage(Outage o) {
    if (o == outage) {
      return;
    }
    if (o == Outage.NONE) {
      fastPort = fast.listen(bindHost, fastPort);
    } else if (outage == Outage.NONE) {
      fast.close();
    }
    outage = o;
  }

  /**
   * The update VMAPI's workflows post ({@code fwapi.update}), in-process: queued to every firewaller.
   * Returns the update's uuid.
   */
  public String createUpdate(Map<String, Object> update) {
    String id = UUID.randomUUID().toString();
    messages.send((String) update.get("type"), id, update);
    return id;
  }

  RestRouter router() {
    RestRouter r = new RestRouter(SERVER_HEADER);
    r.get("/ping", this::ping);
    r.get("/rules", req -> RestResponse.ok(FwapiRuleQuery.filter(up(req).query(), rules.all())));
    r.post("/rules", req -> pushed(RestResponse.of(202, null), "fw.add_rule", rules.create(up(req).params())));
    r.get("/rules/{uuid}", req -> RestResponse.ok(owned(up(req), rules.get(req.pathParam("uuid")))));
    r.put("/rules/{uuid}", req -> {
      owned(up(req), rules.get(req.pathParam("uuid")));
      Map<String, Object> params = new LinkedHashMap<>(req.params());
      params.remove("uuid");
      return pushed(RestResponse.of(202, null), "fw.update_rule", rules.update(req.pathParam("uuid"), params));
    });
    r.delete("/rules/{uuid}", req -> {
      owned(up(req), rules.get(req.pathParam("uuid")));
      return pushed(RestResponse.noContent(), "fw.del_rule", rules.delete(req.pathParam("uuid")));
    });
    r.get("/rules/{uuid}/vms", this::ruleVms);
    r.get("/firewalls/vms/{uuid}", this::vmRules);
    r.post("/resolve", req -> RestResponse.ok(FwapiResolver.resolve(up(req).params(), rules.all())));
    r.post("/updates", this::postUpdate);
    return r;
  }

  private RestRequest up(RestRequest req) {
    if (outage == Outage.FULL) {
      throw RestError.serviceUnavailable("Some services are not ready: moray");
    }
    return req;
  }

  /** The reply to a rule change: the rule (none for a delete), with the update's id; the change is pushed. */
  private RestResponse pushed(RestResponse shape, String name, Map<String, Object> rule) {
    String id = UUID.randomUUID().toString();
    messages.send(name, id, rule);
    RestResponse out = shape.status() == 204 ? shape : RestResponse.of(shape.status(), rule);
    return out.withHeader("x-update-id", id);
  }

  /**
   * FWAPI's ownership check (ruleBefore, then disallowOwnerForGlobal): an {@code owner_uuid}
   * among the request's parameters, query or body, must be the rule's owner, and a global rule
   * takes none.
   */
  private static Map<String, Object> owned(RestRequest req, Map<String, Object> rule) {
    if (!req.params().containsKey("owner_uuid")) {
      return rule;
    }
    Object owner = req.params().get("owner_uuid");
    boolean otherOwner = rule.containsKey("owner_uuid") && !rule.get("owner_uuid").equals(owner);
    if (otherOwner || Boolean.TRUE.equals(rule.get("global"))) {
      throw new RestError(403, "Forbidden", "owner does not match", Map.of("errors",
          List.of(RestError.fieldError("owner_uuid", "InvalidParameter", "owner_uuid does not match"))));
    }
    return rule;
  }

  private RestResponse ping(RestRequest req) {
    String fastState = outage == Outage.NONE ? "online" : "offline";
    String morayState = outage == Outage.FULL ? "offline" : "online";
    Map<String, Object> services = new LinkedHashMap<>();
    services.put("fast", fastState);
    services.put("moray", morayState);
    services.put("ufds", "online");
    Map<String, Object> out = new LinkedHashMap<>();
    boolean healthy = outage == Outage.NONE;
    out.put("healthy", healthy);
    out.put("services", services);
    out.put("status", healthy ? "OK" : "offline");
    if (req.query().get("agents") != null && outage != Outage.FULL) {
      String pingId = UUID.randomUUID().toString();
      messages.send("ping", null, Map.of("ping_id", pingId));
      Map<String, Object> agents = new LinkedHashMap<>();
      agents.put("connected", messages.clients());
      agents.put("ping_id", pingId);
      out.put("agents", agents);
    }
    return RestResponse.ok(out);
  }

  private RestResponse postUpdate(RestRequest req) {
    Map<String, Object> p = up(req).params();
    if (p.get("type") == null) {
      throw RestError.missingParameter("\"type\" parameter required");
    }
    List<Map<String, Object>> errors = new ArrayList<>();
    if (!UPDATE_TYPES.contains(String.valueOf(p.get("type")))) {
      errors.add(RestError.fieldError("type", "InvalidParameter", "Invalid update type"));
    }
    for (String f : List.of("uuid", "req_id", "owner_uuid", "server_uuid")) {
      if (p.containsKey(f) && !(p.get(f) instanceof String s && Uuids.isUuid(s))) {
        errors.add(RestError.fieldError(f, "InvalidParameter", "Invalid UUID"));
      }
    }
    if (!errors.isEmpty()) {
      throw RestError.invalidParameters(errors);
    }
    return RestResponse.of(202, Map.of("update_uuid", createUpdate(new LinkedHashMap<>(p))));
  }

  /** GetVMrules: the owner's and global rules naming the VM, its tags or all VMs. */
  private RestResponse vmRules(RestRequest req) {
    up(req);
    String uuid = req.pathParam("uuid");
    if (!Uuids.isUuid(uuid)) {
      throw RestError.invalidParameters(List.of(RestError.fieldError("uuid", "InvalidParameter", "Invalid UUID")));
    }
    Map<String, Object> vm = vmLookup.apply(uuid);
    if (vm == null) {
      throw RestError.resourceNotFound("VM \"" + uuid + "\" not found");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (FwapiRules.Stored s : rules.all()) {
      if (FwRules.appliesTo(s.parsed(), s.owner(), (String) vm.get("owner_uuid"), uuid, tags(vm))) {
        out.add(new LinkedHashMap<>(s.serialized()));
      }
    }
    return RestResponse.ok(out);
  }

  /** GetRuleVMs: the VMs (VMAPI's objects) the rule applies to. */
  private RestResponse ruleVms(RestRequest req) {
    FwapiRules.Stored s = rules.require(up(req).pathParam("uuid"));
    owned(req, s.serialized());
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> vm : activeVms.get()) {
      if (FwRules.appliesTo(s.parsed(), s.owner(), (String) vm.get("owner_uuid"), (String) vm.get("uuid"), tags(vm))) {
        out.add(vm);
      }
    }
    return RestResponse.ok(out);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> tags(Map<String, Object> vm) {
    return vm.get("tags") instanceof Map<?, ?> t ? (Map<String, Object>) t : Map.of();
  }

  @Override
  public void close() {
    fast.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
