package com.joyent.mockcloud.firewaller;

import com.joyent.mockcloud.fwrule.FwRule;
import com.joyent.mockcloud.fwrule.FwRuleParser;
import com.joyent.mockcloud.fwrule.FwRules;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.util.Failures;
import com.joyent.mockcloud.util.Timer;
import com.joyent.mockcloud.vm.ServerVms;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mock CN's firewaller (sdc-firewaller-agent 1.6): it takes FWAPI's pushed updates —
 * {@code fw.add_rule}, {@code fw.update_rule}, {@code fw.del_rule}, {@code vm.add},
 * {@code vm.update}, {@code vm.delete}, {@code sync}, {@code ping} — one at a time in arrival
 * order, as the agent's queue of concurrency 1 does, and keeps the CN's rules and remote VMs as
 * fwadm does ({@link FwState}). A sync asks FWAPI's {@code /resolve} for each owner of the CN's
 * firewall-enabled VMs, fetches the remote VMs the rules need from VMAPI, writes them, and
 * removes the FWAPI rules and remote VMs no longer resolved. It syncs at start (retried with
 * backoff) and every sync interval; the first periodic sync comes at a random point of the
 * interval so a fleet does not sync in step (the real agent starts its interval when it
 * connects). Point by point against the real agent: docs/firewaller.md.
 */
public final class Firewaller {
  private static final Logger LOG = LoggerFactory.getLogger(Firewaller.class);
  static final int RECENT = 50;
  static final Set<String> TASKS = Set.of("fw.add_rule", "fw.del_rule", "fw.update_rule", "ping", "sync", "vm.add",
      "vm.delete", "vm.update");
  private static final List<String> VM_FIELDS = List.of("firewall_enabled", "nics", "owner_uuid", "state", "tags",
      "uuid");

  private final String server;
  private final ServerVms vms;
  private final FwState state;
  private final JsonHttpClient fwapi;
  private final JsonHttpClient vmapi;
  private final Timer timer;
  private final Executor work;
  private final FirewallerOptions options;
  private final Random random;
  private final Deque<Queued> queue = new ArrayDeque<>();
  private final Deque<String> recent = new ArrayDeque<>();
  private final AtomicLong fwapiRequests = new AtomicLong();
  private final AtomicLong vmapiRequests = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private boolean running;
  private boolean stopped;
  private Future<?> nextSync;
  private FirewallerFeed feed;
  private AutoCloseable subscription;

  /**
   * A task waiting its turn: a start-up sync carries its attempt and the delay before the next
   * one (attempt -1 for any other task); a task from the agent's HTTP API, the future its answer
   * waits on.
   */
  private record Queued(Map<String, Object> task, int startupAttempt, long startupDelayMs,
      CompletableFuture<Object> reply) {
    static Queued of(Map<String, Object> task) {
      return new Queued(task, -1, 0, null);
    }
  }

  public Firewaller(String server, ServerVms vms, FwState state, JsonHttpClient fwapi, JsonHttpClient vmapi,
      Timer timer, Executor work, FirewallerOptions options, Random random) {
    this.server = server;
    this.vms = vms;
    this.state = state;
    this.fwapi = fwapi;
    this.vmapi = vmapi;
    this.timer = timer;
    this.work = work;
    this.options = options;
    this.random = random;
  }

  /**
   * The start-up sync, retried with backoff (5 times, from 100 ms doubling to 6 s); then, whether
   * it worked or not, the connection to FWAPI's push, as the real agent connects after it; and a
   * sync every interval, the first at a random point of it.
   */
  public void start(FirewallerFeed feed) {
    synchronized (this) {
      this.feed = feed;
    }
    enqueue(startupSync(0, options.retryMin().toMillis()));
    scheduleSync((long) (random.nextDouble() * options.syncInterval().toMillis()));
  }

  public void stop() {
    Future<?> f;
    AutoCloseable s;
    List<Queued> dropped;
    synchronized (this) {
      stopped = true;
      dropped = new ArrayList<>(queue);
      queue.clear();
      f = nextSync;
      s = subscription;
      subscription = null;
    }
    if (f != null) {
      f.cancel(false);
    }
    closeQuietly(s);
    dropped.stream().filter(q -> q.reply() != null)
        .forEach(q -> q.reply().completeExceptionally(new IllegalStateException("the firewaller stopped")));
  }

  /** Whether the CN is hearing FWAPI's push (subscribed; its connection may be retrying). */
  public synchronized boolean isSubscribed() {
    return subscription != null;
  }

  public synchronized boolean isStopped() {
    return stopped;
  }

  /** An update pushed by FWAPI: queued if it names a task and has a value, as the agent does. */
  public void message(Map<String, Object> m) {
    if (!(m.get("name") instanceof String name) || !TASKS.contains(name) || m.get("value") == null
        || Boolean.FALSE.equals(m.get("value"))) {
      return;
    }
    Map<String, Object> task = new LinkedHashMap<>(m);
    task.putIfAbsent("req_id", java.util.UUID.randomUUID().toString());
    enqueue(Queued.of(task));
  }

  /**
   * The agent's {@code PUT /rules/:uuid}: {@code value} is queued as {@code fw.add_rule} with
   * {@code force} (added even when no VM here is on a side yet), and the answer is the rule as
   * stored. Fails when the rule does not parse, is not enabled, or the firewaller stops first.
   */
  public CompletableFuture<Object> putRule(String reqId, Map<String, Object> value) {
    Map<String, Object> v = new LinkedHashMap<>(value);
    v.put("force", true);
    Map<String, Object> task = new LinkedHashMap<>();
    task.put("name", "fw.add_rule");
    task.put("req_id", reqId);
    task.put("value", v);
    CompletableFuture<Object> reply = new CompletableFuture<>();
    if (!enqueue(new Queued(task, -1, 0, reply))) {
      return CompletableFuture.failedFuture(new IllegalStateException("the firewaller stopped"));
    }
    return reply;
  }

  /** Queues a full sync now (what FWAPI's {@code sync} update and the timer do). */
  public void syncNow() {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("name", "sync");
    t.put("req_id", java.util.UUID.randomUUID().toString());
    t.put("value", Map.of());
    enqueue(Queued.of(t));
  }

  /** The real agent's {@code GET /status}: tasks waiting, and the last 50 request ids, newest first. */
  public synchronized Map<String, Object> status() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("queued", queue.size());
    s.put("recent", new ArrayList<>(recent));
    return s;
  }

  /** Requests sent to FWAPI and VMAPI, and syncs finished, since start. */
  public long fwapiRequests() {
    return fwapiRequests.get();
  }

  public long vmapiRequests() {
    return vmapiRequests.get();
  }

  public long syncs() {
    return syncs.get();
  }

  public FwState state() {
    return state;
  }

  private static Queued startupSync(int attempt, long nextDelayMs) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("name", "sync");
    t.put("req_id", java.util.UUID.randomUUID().toString());
    t.put("value", Map.of());
    return new Queued(t, attempt, nextDelayMs, null);
  }

  /** After a start-up sync: again later while retries are left, else (or on success) connect to the push. */
  private void afterStartupSync(Queued q, Throwable err) {
    int attempt = q.startupAttempt();
    long delay = q.startupDelayMs();
    if (err != null && attempt < options.retries()) {
      timer.schedule(() -> enqueue(startupSync(attempt + 1, Math.min(delay * 2, options.retryMax().toMillis()))),
          delay, TimeUnit.MILLISECONDS);
      return;
    }
    if (err != null) {
      LOG.warn("firewaller of {}: start-up sync failed {} times, connecting to FWAPI anyway: {}", server, attempt + 1,
          Failures.rootMessage(err));
    }
    FirewallerFeed f;
    synchronized (this) {
      f = stopped || subscription != null ? null : feed;
    }
    if (f != null) {
      AutoCloseable s = f.subscribe(server, this::message);
      boolean late;
      synchronized (this) {
        late = stopped;
        if (!late) {
          subscription = s;
        }
      }
      if (late) {
        closeQuietly(s);
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("closing a firewaller subscription failed", e);
      }
    }
  }

  private synchronized void scheduleSync(long delayMs) {
    if (stopped) {
      return;
    }
    nextSync = timer.schedule(() -> {
      syncNow();
      scheduleSync(options.syncInterval().toMillis());
    }, delayMs, TimeUnit.MILLISECONDS);
  }

  /** Queues the task and starts the queue if idle; false (and nothing queued) once stopped. */
  private boolean enqueue(Queued task) {
    synchronized (this) {
      if (stopped) {
        return false;
      }
      queue.addLast(task);
      if (running) {
        return true;
      }
      running = true;
    }
    work.execute(this::runNext);
    return true;
  }

  private void runNext() {
    Queued q;
    synchronized (this) {
      q = queue.pollFirst();
      if (q == null || stopped) {
        running = false;
        return;
      }
      recent.addFirst(String.valueOf(q.task().get("req_id")));
      while (recent.size() > RECENT) {
        recent.removeLast();
      }
    }
    Map<String, Object> task = q.task();
    CompletableFuture<?> done;
    try {
      done = run(task);
    } catch (IOException | RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    done.whenComplete((v, err) -> {
      if (q.startupAttempt() >= 0) {
        afterStartupSync(q, err);
      }
      if (q.reply() != null) {
        answer(q, err);
      }
      if (err != null) {
        LOG.warn("firewaller of {}: {} {} failed: {}", server, task.get("name"), task.get("req_id"), Failures.rootMessage(err));
      }
      work.execute(this::runNext);
    });
  }

  /** A PUT's answer: the rule as now stored, or why it is not. */
  private void answer(Queued q, Throwable err) {
    if (err != null) {
      q.reply().completeExceptionally(err instanceof java.util.concurrent.CompletionException c && c.getCause() != null
          ? c.getCause() : err);
      return;
    }
    try {
      Map<?, ?> value = (Map<?, ?>) q.task().get("value");
      Object uuid = value.get("uuid");
      Map<String, Object> stored = uuid == null || !Boolean.TRUE.equals(value.get("enabled")) ? null
          : state.rule(String.valueOf(uuid));
      if (stored == null) {
        q.reply().completeExceptionally(new IllegalStateException("rule is not enabled: not added"));
      } else {
        q.reply().complete(stored);
      }
    } catch (IOException e) {
      q.reply().completeExceptionally(e);
    }
  }

  @SuppressWarnings("unchecked")
  private CompletableFuture<?> run(Map<String, Object> task) throws IOException {
    Object value = task.get("value");
    Map<String, Object> v = value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    return switch (String.valueOf(task.get("name"))) {
      case "sync" -> runSync();
      case "fw.add_rule" -> addRule(v, Boolean.TRUE.equals(v.get("force")));
      case "fw.update_rule" -> updateRule(v);
      case "fw.del_rule" -> done(state.deleteRule(String.valueOf(v.get("uuid"))));
      case "vm.add" -> vmAdd(v);
      case "vm.update" -> vmUpdate(v);
      case "vm.delete" -> done(state.deleteRemoteVm(String.valueOf(v.get("uuid"))));
      default -> done(null); // ping: logged only
    };
  }

  private static CompletableFuture<Object> done(Object o) {
    return CompletableFuture.completedFuture(o);
  }

  // --- local VMs (vmadm lookup -j -o firewall_enabled,nics,owner_uuid,state,tags,uuid)

  private List<Map<String, Object>> localVms(String owner) {
    return vms.lookup(owner == null ? Map.of() : Map.of("owner_uuid", owner), VM_FIELDS);
  }

  private static boolean enabled(Map<String, Object> vm) {
    return Boolean.TRUE.equals(vm.get("firewall_enabled"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> tags(Map<String, Object> vm) {
    return vm.get("tags") instanceof Map<?, ?> t ? (Map<String, Object>) t : Map.of();
  }

  // --- sync

  private CompletableFuture<Void> runSync() {
    List<Map<String, Object>> local = localVms(null);
    Map<String, Map<String, Object>> payloads = resolvePayloads(local);
    Set<String> rules = new HashSet<>();
    Set<String> rvms = new HashSet<>();
    List<String> failed = new ArrayList<>();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (Map<String, Object> payload : payloads.values()) {
      chain = chain.thenCompose(x -> resolveAndApply(payload, rules, rvms).handle((ok, err) -> {
        if (err != null) {
          failed.add(payload.get("owner_uuid") + ": " + Failures.rootMessage(err));
        }
        return null;
      }));
    }
    return chain.thenApplyAsync(x -> {
      if (!failed.isEmpty()) {
        throw new IllegalStateException("sync: " + String.join("; ", failed));
      }
      try {
        for (Map<String, Object> r : state.rules()) {
          if ("fwapi".equals(r.get("created_by")) && !rules.contains(String.valueOf(r.get("uuid")))) {
            state.deleteRule(String.valueOf(r.get("uuid")));
          }
        }
        for (Map<String, Object> rvm : state.remoteVms()) {
          if (!rvms.contains(String.valueOf(rvm.get("uuid")))) {
            state.deleteRemoteVm(String.valueOf(rvm.get("uuid")));
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      syncs.incrementAndGet();
      return null;
    }, work);
  }

  /** One {@code /resolve} payload per owner of the firewall-enabled local VMs: their uuids and tag values. */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> resolvePayloads(List<Map<String, Object>> local) {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    for (Map<String, Object> vm : local) {
      if (!enabled(vm) || !(vm.get("owner_uuid") instanceof String owner)) {
        continue; // FWAPI needs an owner: the real agent's ownerless payloads are refused
      }
      Map<String, Object> p = out.computeIfAbsent(owner, o -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("owner_uuid", o);
        m.put("vms", new ArrayList<>());
        m.put("tags", new LinkedHashMap<>());
        return m;
      });
      ((List<Object>) p.get("vms")).add(vm.get("uuid"));
      Map<String, Object> tags = (Map<String, Object>) p.get("tags");
      tags(vm).forEach((k, val) -> {
        List<Object> values = (List<Object>) tags.computeIfAbsent(k, x -> new ArrayList<>());
        if (!values.contains(val)) {
          values.add(val);
        }
      });
    }
    return out;
  }

  /** POST /resolve, then the remote VMs it names from VMAPI, then both written; records what was resolved. */
  @SuppressWarnings("unchecked")
  private CompletableFuture<Void> resolveAndApply(Map<String, Object> payload, Set<String> rules, Set<String> rvms) {
    fwapiRequests.incrementAndGet();
    return fwapi.sendAsync("POST", "/resolve", payload).thenCompose(resp -> {
      Map<String, Object> resolved = require(resp, "FWAPI", "/resolve");
      List<Map<String, Object>> found = resolved.get("rules") instanceof List<?> l ? (List<Map<String, Object>>) l
          : List.of();
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      String owner = (String) payload.get("owner_uuid");
      return remoteVms(owner, RemoteTargets.fromResolve(resolved)).thenAcceptAsync(remote -> {
        try {
          for (Map<String, Object> r : found) {
            state.putRule(asFwapiRule(r));
            rules.add(String.valueOf(r.get("uuid")));
          }
          for (Map<String, Object> rvm : remote) {
            state.putRemoteVm(rvm);
            rvms.add(String.valueOf(rvm.get("uuid")));
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, work);
    });
  }

  /** fwadm's add and update mark FWAPI's rules {@code created_by: fwapi}; the rest is kept as serialized. */
  static Map<String, Object> asFwapiRule(Map<String, Object> r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("created_by", "fwapi");
    r.forEach((k, v) -> {
      if (!k.equals("created_by") && !k.equals("force")) { // force is the add's, not the rule's
        out.put(k, v);
      }
    });
    return out;
  }

  /** The owner's VMs elsewhere that the targets name, from VMAPI, as remote VMs (ones with IPs only). */
  @SuppressWarnings("unchecked")
  private CompletableFuture<List<Map<String, Object>>> remoteVms(String owner, RemoteTargets targets) {
    if (owner == null || targets.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    String predicate = URLEncoder.encode(Json.compact(targets.predicate(owner, server)), StandardCharsets.UTF_8);
    vmapiRequests.incrementAndGet();
    return vmapi.sendAsync("GET", "/vms?predicate=" + predicate, null).thenApply(resp -> {
      if (!resp.isSuccessful() || !(resp.body() instanceof List<?> list)) {
        throw new IllegalStateException("VMAPI GET /vms: " + resp.status() + " " + resp.errorMessage());
      }
      List<Map<String, Object>> out = new ArrayList<>();
      for (Object o : list) {
        Map<String, Object> vm = (Map<String, Object>) o;
        if (server.equals(vm.get("server_uuid")) || !(vm.get("nics") instanceof List<?> n) || n.isEmpty()) {
          continue;
        }
        Map<String, Object> rvm = RemoteTargets.remoteVm(vm);
        if (!((List<?>) rvm.get("ips")).isEmpty()) {
          out.add(rvm);
        }
      }
      return out;
    });
  }

  private static Map<String, Object> require(ApiResponse resp, String api, String what) {
    if (!resp.isSuccessful()) {
      throw new IllegalStateException(api + " " + what + ": " + resp.status() + " " + resp.errorMessage());
    }
    return resp.bodyObject();
  }

  // --- rules

  /** The sides ({@code from}, {@code to}) of {@code rule} holding one of the firewall-enabled {@code local} VMs. */
  private static Set<String> localSides(FwRule rule, String owner, List<Map<String, Object>> local, Set<String> matched) {
    Set<String> sides = new LinkedHashSet<>();
    for (Map<String, Object> vm : local) {
      if (!enabled(vm) || (owner != null && !owner.equals(vm.get("owner_uuid")))) {
        continue;
      }
      String uuid = String.valueOf(vm.get("uuid"));
      if (rule.from().matches(uuid, tags(vm))) {
        sides.add("from");
        matched.add(uuid);
      }
      if (rule.to().matches(uuid, tags(vm))) {
        sides.add("to");
        matched.add(uuid);
      }
    }
    return sides;
  }

  private CompletableFuture<?> addRule(Map<String, Object> value, boolean force) {
    if (!Boolean.TRUE.equals(value.get("enabled"))) {
      return done(null); // the agent adds only enabled rules; /resolve brings disabled ones at a sync
    }
    return applyRule(value, force, false);
  }

  private CompletableFuture<?> updateRule(Map<String, Object> value) {
    return applyRule(value, false, true);
  }

  /**
   * fw.add_rule and fw.update_rule: the rule is written when a firewall-enabled VM here is on one
   * of its sides (or it is forced), with the remote VMs its other side names; an update of a rule
   * that no longer applies still rewrites a rule the CN has.
   */
  private CompletableFuture<?> applyRule(Map<String, Object> value, boolean force, boolean update) {
    FwRule rule;
    try {
      rule = FwRuleParser.parse(String.valueOf(value.get("rule")));
    } catch (FwRuleParser.RuleException e) {
      if (force) { // the agent's PUT /rules answers fwadm's error
        return CompletableFuture.failedFuture(new IllegalArgumentException(e.getMessage()));
      }
      LOG.warn("firewaller of {}: rule {} does not parse: {}", server, value.get("uuid"), e.getMessage());
      return done(null);
    }
    String owner = value.get("owner_uuid") instanceof String o ? o : null;
    List<Map<String, Object>> local = localVms(owner);
    Set<String> matched = new HashSet<>();
    Set<String> sides = localSides(rule, owner, local, matched);
    String uuid = String.valueOf(value.get("uuid"));
    if (sides.isEmpty() && !force) {
      try {
        if (update && state.rule(uuid) != null) {
          state.putRule(asFwapiRule(value));
        }
      } catch (IOException e) {
        return CompletableFuture.failedFuture(e);
      }
      return done(null);
    }
    Set<String> localUuids = new TreeSet<>();
    local.forEach(vm -> localUuids.add(String.valueOf(vm.get("uuid"))));
    return remoteVms(owner, RemoteTargets.ofRule(rule, sides, localUuids)).thenAcceptAsync(remote -> {
      try {
        for (Map<String, Object> rvm : remote) {
          state.putRemoteVm(rvm);
        }
        state.putRule(asFwapiRule(value));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, work);
  }

  // --- VMs

  private CompletableFuture<?> vmAdd(Map<String, Object> value) throws IOException {
    String uuid = String.valueOf(value.get("uuid"));
    if (vms.exists(uuid)) {
      return resolveLocalVm(uuid);
    }
    return addRemoteVm(value);
  }

  /** A VM of this CN changed: if its firewall is on, its owner's rules for it are resolved again. */
  private CompletableFuture<?> resolveLocalVm(String uuid) {
    List<Map<String, Object>> found = vms.lookup(Map.of("uuid", uuid), VM_FIELDS);
    if (found.isEmpty() || !enabled(found.get(0)) || "failed".equals(found.get(0).get("state"))) {
      return done(null);
    }
    Map<String, Map<String, Object>> payloads = resolvePayloads(found);
    if (payloads.isEmpty()) {
      return done(null);
    }
    return resolveAndApply(payloads.values().iterator().next(), new HashSet<>(), new HashSet<>());
  }

  /** A VM elsewhere: stored when a rule of its owner here applies to it (global rules never fetch VMs). */
  private CompletableFuture<?> addRemoteVm(Map<String, Object> value) throws IOException {
    Map<String, Object> rvm = RemoteTargets.remoteVm(value);
    if (((List<?>) rvm.get("ips")).isEmpty() || !ownerRuleApplies(rvm)) {
      return done(null);
    }
    return done(state.putRemoteVm(rvm));
  }

  private boolean ownerRuleApplies(Map<String, Object> rvm) throws IOException {
    Object owner = rvm.get("owner_uuid");
    if (owner == null) {
      return false;
    }
    for (Map<String, Object> r : state.rules()) {
      if (!owner.equals(r.get("owner_uuid"))) {
        continue;
      }
      try {
        FwRule rule = FwRuleParser.parse(String.valueOf(r.get("rule")));
        if (FwRules.appliesTo(rule, (String) owner, (String) owner, String.valueOf(rvm.get("uuid")), tags(rvm))) {
          return true;
        }
      } catch (FwRuleParser.RuleException e) {
        // a rule fwadm could not load matches nothing
      }
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private CompletableFuture<?> vmUpdate(Map<String, Object> value) throws IOException {
    String uuid = String.valueOf(value.get("uuid"));
    if (vms.exists(uuid)) {
      return resolveLocalVm(uuid);
    }
    Map<String, Object> rvm = state.remoteVm(uuid);
    if (rvm != null) {
      return done(state.putRemoteVm(fill(rvm, value)));
    }
    if (value.get("owner_uuid") != null) {
      Map<String, Object> partial = new LinkedHashMap<>();
      partial.put("uuid", uuid);
      partial.put("owner_uuid", value.get("owner_uuid"));
      Map<String, Object> tags = new LinkedHashMap<>();
      if (value.get("tags") instanceof Map<?, ?> t) {
        tags.putAll((Map<String, Object>) t);
      }
      if (value.get("set_tags") instanceof Map<?, ?> t) {
        tags.putAll((Map<String, Object>) t);
      }
      partial.put("tags", tags);
      if (!ownerRuleApplies(partial)) {
        return done(null);
      }
    }
    vmapiRequests.incrementAndGet();
    return vmapi.sendAsync("GET", "/vms/" + uuid, null).thenComposeAsync(resp -> {
      if (!resp.isSuccessful()) {
        return done(null);
      }
      try {
        return addRemoteVm(resp.bodyObject()).thenApply(x -> (Object) x);
      } catch (IOException e) {
        return CompletableFuture.<Object>failedFuture(e);
      }
    }, work);
  }

  /** vm-update.js fillRVM: add_nics' IPs added, remove_ips taken out, set_tags merged, remove_tags dropped. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> fill(Map<String, Object> rvm, Map<String, Object> update) {
    Map<String, Object> out = new LinkedHashMap<>(rvm);
    Set<String> ips = new TreeSet<>((List<String>) rvm.getOrDefault("ips", List.of()));
    if (update.get("add_nics") instanceof List<?> add) {
      Map<String, Object> added = RemoteTargets.remoteVm(Map.of("uuid", rvm.get("uuid"), "nics", add));
      ips.addAll((List<String>) added.get("ips"));
    }
    if (update.get("remove_ips") instanceof List<?> remove) {
      remove.forEach(ip -> ips.remove(String.valueOf(ip).replaceFirst("/.*$", "")));
    }
    out.put("ips", new ArrayList<>(ips));
    Map<String, Object> tags = new LinkedHashMap<>(rvm.get("tags") instanceof Map<?, ?> t
        ? (Map<String, Object>) t : Map.of());
    if (update.get("set_tags") instanceof Map<?, ?> set) {
      tags.putAll((Map<String, Object>) set);
    }
    if (update.get("remove_tags") instanceof List<?> remove) {
      remove.forEach(k -> tags.remove(String.valueOf(k)));
    }
    out.remove("tags");
    if (!tags.isEmpty()) {
      out.put("tags", tags);
    }
    if (out.containsKey("owner_uuid")) { // keep fwadm's key order: uuid, ips, tags, owner_uuid
      Object owner = out.remove("owner_uuid");
      out.put("owner_uuid", owner);
    }
    return out;
  }
}
