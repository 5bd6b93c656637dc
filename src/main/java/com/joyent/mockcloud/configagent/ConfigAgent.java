package com.joyent.mockcloud.configagent;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.util.Backoff;
import com.joyent.mockcloud.util.Failures;
import com.joyent.mockcloud.util.Timer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CN's config-agent (docs/config-agent.md): polls SAPI's GetConfig for every agent instance
 * the CN holds ({@code agents/<agent>/instance_uuid}), renders each manifest's template with the
 * config's metadata and the CN's own values ({@code auto}), and writes the files under
 * {@code agents/<agent>/root/}; {@code post_cmd} is logged, not run.
 *
 * <p>The first poll comes a random part of the poll interval after start, and the next ones one
 * interval apart: thousands of CNs poll evenly spread, never in step, and a change in SAPI
 * reaches every CN within one interval. (The real agent draws each wait from 0.5 to 1.5
 * intervals, so a change can take 1.5.) As the real agent, a request carries {@code If-None-Match} with the instance's last
 * Etag (kept in memory) and a 304 changes nothing. Unlike it, a poll that fails because SAPI
 * is down or answers 5xx is retried with a doubling backoff up to the poll interval, with one
 * warning per outage and one line when SAPI is back; files and Etags are kept meanwhile.
 *
 * <p>Threads: nothing blocks a timer or I/O thread: disk work (listing the agents, reading
 * sysinfo, rendering and writing) runs on {@code fileWork}, the requests on the shared client.
 * One poll at a time; state under this object's lock.
 */
public final class ConfigAgent {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigAgent.class);

  private final ServerDirectory dir;
  private final JsonHttpClient sapi;
  private final Timer timer;
  private final Executor fileWork;
  private final ConfigAgentOptions options;
  private final Random random;
  private final Backoff retry;
  /** Instance uuid → the Etag of the config last rendered for it. */
  private final Map<String, String> etags = new HashMap<>();
  /** Instances whose last answer was a 4xx, warned of once until they answer again. */
  private final Set<String> refused = new HashSet<>();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private boolean stopped;
  private boolean polling;
  private boolean down;
  private Future<?> next;

  /** One agent instance on the CN: the agent it belongs to and the uuid SAPI knows it by. */
  record Instance(String agent, String uuid) {}

  public ConfigAgent(ServerDirectory dir, JsonHttpClient sapi, Timer timer, Executor fileWork,
      ConfigAgentOptions options, Random random) {
    this.dir = dir;
    this.sapi = sapi;
    this.timer = timer;
    this.fileWork = fileWork;
    this.options = options;
    this.random = random;
    this.retry = Backoff.doubling(options.retryMin().toMillis(), options.pollInterval().toMillis());
  }

  /** Schedules the first poll a random part of the poll interval from now. */
  public void start() {
    long interval = options.pollInterval().toMillis();
    long first;
    synchronized (this) {
      first = (long) (random.nextDouble() * interval);
    }
    scheduleNext(first);
  }

  public void stop() {
    Future<?> f;
    synchronized (this) {
      stopped = true;
      f = next;
    }
    if (f != null) {
      f.cancel(false);
    }
  }

  public synchronized boolean isStopped() {
    return stopped;
  }

  /** GetConfig requests sent, and files written, since start. */
  public long requests() {
    return requests.get();
  }

  public long writes() {
    return writes.get();
  }

  /**
   * One poll of every instance, now (also what the timer runs). Completes when it has ended,
   * with false when SAPI could not be reached (a retry is then scheduled) or a poll was running.
   */
  public CompletableFuture<Boolean> pollNow() {
    synchronized (this) {
      if (stopped || polling) {
        return CompletableFuture.completedFuture(false);
      }
      polling = true;
    }
    return CompletableFuture.supplyAsync(this::readCn, fileWork)
        .thenCompose(cn -> pollEach(cn, 0, true))
        .handle((ok, err) -> {
          boolean reached = err == null && ok;
          if (err != null) {
            LOG.warn("config-agent of {}: poll failed: {}", dir.uuid(), Failures.rootMessage(err));
          }
          finishPoll(reached);
          return reached;
        });
  }

  /** What a poll needs from disk: the instances (in agent order) and the CN's sysinfo. */
  private record CnState(List<Instance> instances, Map<String, Object> sysinfo) {}

  private CnState readCn() {
    try {
      return new CnState(instances(dir.agentsDir()), dir.readSysinfo());
    } catch (IOException e) {
      throw new CompletionException(e);
    }
  }

  /** Every {@code agents/<agent>/instance_uuid} holding a uuid, in agent name order. */
  static List<Instance> instances(Path agentsDir) throws IOException {
    List<Instance> out = new ArrayList<>();
    if (!Files.isDirectory(agentsDir)) {
      return out;
    }
    TreeSet<Path> agents = new TreeSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(agentsDir, Files::isDirectory)) {
      ds.forEach(agents::add);
    }
    for (Path a : agents) {
      Path f = a.resolve("instance_uuid");
      if (Files.isRegularFile(f)) {
        String text = Files.readString(f, StandardCharsets.UTF_8).strip();
        try {
          out.add(new Instance(a.getFileName().toString(), UUID.fromString(text).toString()));
        } catch (IllegalArgumentException e) {
          LOG.warn("config-agent: {} does not hold a uuid", f);
        }
      }
    }
    return out;
  }

  /**
   * The instances one after the other (one request in flight per CN). Completes with false as
   * soon as SAPI cannot be reached; a 4xx for one instance is that instance's, the rest go on.
   */
  private CompletableFuture<Boolean> pollEach(CnState cn, int i, boolean reached) {
    if (i == cn.instances().size() || isStopped()) {
      return CompletableFuture.completedFuture(reached);
    }
    Instance inst = cn.instances().get(i);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("accept-version", "~2");
    String etag;
    synchronized (this) {
      etag = etags.get(inst.uuid());
    }
    if (etag != null) {
      headers.put("if-none-match", etag);
    }
    requests.incrementAndGet();
    return sapi.sendAsync("GET", "/configs/" + inst.uuid(), null, headers).handle((resp, err) -> {
      if (err != null || resp.status() >= 500) {
        String why = err != null ? Failures.rootMessage(err) : resp.status() + " " + resp.restCode();
        markDown(why);
        return CompletableFuture.completedFuture(false);
      }
      if (resp.status() == 304) {
        accepted(inst);
        return pollEach(cn, i + 1, reached);
      }
      if (!resp.isSuccessful()) {
        refusedOnce(inst, resp);
        return pollEach(cn, i + 1, reached);
      }
      accepted(inst);
      return CompletableFuture.supplyAsync(() -> {
        apply(inst, resp, cn.sysinfo());
        return true;
      }, fileWork).thenCompose(x -> pollEach(cn, i + 1, reached));
    }).thenCompose(f -> f);
  }

  /** Renders and writes the config's manifests; the Etag is kept only when every file was written. */
  private void apply(Instance inst, ApiResponse resp, Map<String, Object> sysinfo) {
    Map<String, Object> config = resp.bodyObject();
    List<String> problems = new ArrayList<>();
    Path agentDir = dir.agentsDir().resolve(inst.agent());
    boolean complete = true;
    try {
      List<?> sapiManifests = config.get("manifests") instanceof List<?> l ? l : List.of();
      List<Manifests.Manifest> manifests = Manifests.resolve(sapiManifests, Manifests.local(agentDir, problems),
          problems);
      Map<String, Object> view = view(config, sysinfo, inst.uuid());
      for (Manifests.Manifest m : manifests) {
        Path target = ConfigFiles.target(agentDir, m.path());
        if (target == null) {
          problems.add("manifest " + m.name() + ": path " + m.path() + " is not a file path");
          continue;
        }
        String contents;
        try {
          contents = TemplateRenderer.render(m.template(), view);
        } catch (TemplateRenderer.RenderException e) {
          problems.add("manifest " + m.name() + ": cannot render its template: " + e.getMessage());
          continue;
        }
        if (ConfigFiles.writeIfChanged(target, contents)) {
          writes.incrementAndGet();
          LOG.info("config-agent of {}: wrote {} ({})", dir.uuid(), m.path(), m.name());
          if (m.postCmd() != null) {
            LOG.info("config-agent of {}: post_cmd of {} not run on a mock CN: {}", dir.uuid(), m.name(), m.postCmd());
          }
        }
      }
    } catch (IOException e) {
      complete = false;
      problems.add("writing " + inst.agent() + "'s files failed: " + e);
    }
    problems.forEach(p -> LOG.warn("config-agent of {}: {}", dir.uuid(), p));
    String etag = resp.header("etag");
    synchronized (this) {
      if (complete && etag != null) {
        etags.put(inst.uuid(), etag);
      } else {
        etags.remove(inst.uuid());
      }
    }
  }

  /**
   * The template's view: SAPI's metadata, with {@code auto} (the real agent's own values:
   * SERVER_UUID, DATACENTER_NAME, ZONENAME, INSTANCE_UUID and {@code <TAG>_IP}/{@code _IPS}
   * for each NIC tag the CN's interfaces provide) replacing any SAPI key of that name.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> view(Map<String, Object> config, Map<String, Object> sysinfo, String instance) {
    Map<String, Object> view = config.get("metadata") instanceof Map<?, ?> m
        ? new LinkedHashMap<>((Map<String, Object>) Json.deepCopy(m)) : new LinkedHashMap<>();
    Map<String, Object> auto = new LinkedHashMap<>();
    auto.put("SERVER_UUID", sysinfo.get("UUID"));
    auto.put("DATACENTER_NAME", sysinfo.get("Datacenter Name"));
    auto.put("ZONENAME", "global");
    Map<String, List<String>> ips = new LinkedHashMap<>();
    if (sysinfo.get("Network Interfaces") instanceof Map<?, ?> ifaces) {
      for (Object o : ifaces.values()) {
        if (o instanceof Map<?, ?> nic && nic.get("NIC Names") instanceof List<?> tags
            && nic.get("ip4addr") instanceof String ip && !ip.isEmpty()) {
          for (Object tag : tags) {
            String t = String.valueOf(tag).replaceFirst("_rack_.*$", "").toUpperCase(java.util.Locale.ROOT);
            ips.computeIfAbsent(t, k -> new ArrayList<>()).add(ip);
          }
        }
      }
    }
    ips.forEach((tag, list) -> {
      auto.put(tag + "_IP", list.get(0));
      auto.put(tag + "_IPS", list);
    });
    auto.put("INSTANCE_UUID", instance);
    view.put("auto", auto);
    return view;
  }

  private void accepted(Instance inst) {
    synchronized (this) {
      if (refused.remove(inst.uuid())) {
        LOG.info("config-agent of {}: SAPI has instance {} ({}) again", dir.uuid(), inst.uuid(), inst.agent());
      }
    }
  }

  private void refusedOnce(Instance inst, ApiResponse resp) {
    boolean first;
    synchronized (this) {
      first = refused.add(inst.uuid());
      etags.remove(inst.uuid());
    }
    if (first) {
      LOG.warn("config-agent of {}: SAPI GetConfig of {} ({}) answered {} {}: {}", dir.uuid(), inst.uuid(),
          inst.agent(), resp.status(), resp.restCode(), resp.errorMessage());
    }
  }

  /** SAPI unreachable: one warning per outage (thousands of CNs see the same outage). */
  private void markDown(String why) {
    boolean first;
    synchronized (this) {
      first = !down;
      down = true;
    }
    if (first) {
      LOG.warn("config-agent of {}: SAPI unavailable ({}); retrying with backoff", dir.uuid(), why);
    } else {
      LOG.debug("config-agent of {}: SAPI still unavailable: {}", dir.uuid(), why);
    }
  }

  private void finishPoll(boolean reached) {
    boolean back;
    long delay;
    synchronized (this) {
      polling = false;
      back = reached && down;
      if (reached) {
        down = false;
        retry.reset();
        delay = options.pollInterval().toMillis();
      } else {
        delay = retry.nextDelayMs();
      }
    }
    if (back) {
      LOG.info("config-agent of {}: SAPI is back", dir.uuid());
    }
    scheduleNext(delay);
  }

  private void scheduleNext(long delayMs) {
    synchronized (this) {
      if (stopped) {
        return;
      }
      if (next != null) {
        next.cancel(false);
      }
      next = timer.schedule(this::pollNow, delayMs, TimeUnit.MILLISECONDS);
    }
  }
}
