package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.bench.BenchOptions;
import com.joyent.mockcloud.bench.BenchRunner;
import com.joyent.mockcloud.bench.CpuHog;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bench}: the scale benchmark (README: "Benchmark"). */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchCommand.CpuHogCommand.class, BenchCommand.DhcpCommand.class},
    description = "Measure run-servers at scale: N servers x M VMs in a separate JVM against the sandbox APIs "
        + "(CNAPI + VMAPI in one JVM of their own, NAPI in another), then print registration time, heartbeat "
        + "gaps (the receiver's) and heartbeat lag (run-servers' own metrics), RSS/heap per CN, CPU of each "
        + "process, task latency, descriptors and threads, as a table and as JSON; optionally oversized task bodies "
        + "sent to CNs during the idle hold and what came back.")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--servers", paramLabel = "N", defaultValue = "500", description = "mock CNs (default 500)")
  int servers;

  @Option(names = "--vms", paramLabel = "M", defaultValue = "5", description = "VMs per CN (default 5)")
  int vms;

  @Option(names = "--hold", paramLabel = "SECONDS", defaultValue = "30",
      description = "seconds held idle after all CNs registered, and again under the task mix (default 30)")
  int hold;

  @Option(names = "--rate", paramLabel = "TASKS_PER_S", defaultValue = "20",
      description = "task mix rate, create/stop/start/destroy spread over the fleet (default 20; 0 = none)")
  double rate;

  @Option(names = "--heap", paramLabel = "SIZE", defaultValue = "1g", description = "-Xmx of run-servers (default 1g)")
  String heap;

  @Option(names = "--port-base", paramLabel = "PORT", defaultValue = "0",
      description = "run-servers --port-base (default 0: OS-chosen ports)")
  int portBase;

  @Option(names = "--no-changefeed", description = "the sandbox receiver's NAPI without a changefeed "
      + "(no WebSocket per CN; net-agents rely on periodic refreshes)")
  boolean noChangefeed;

  @Option(names = "--changefeed", paramLabel = "MODE",
      description = "passed to run-servers as --changefeed MODE: how its net-agents listen to NAPI's changefeed "
          + "(per-cn, shared, auto, off; default: not passed, run-servers' own default). Independent of "
          + "--no-changefeed, which is whether the NAPI receiver publishes one")
  String runServersChangefeed;

  @Option(names = "--oversized-bodies", paramLabel = "N", defaultValue = "0",
      description = "in the middle of the idle hold, send N POST /tasks with oversized bodies at once, one to each "
          + "of N CNs' cn-agents (half with a Content-Length, half chunked), and record the answers (413 expected) "
          + "and the heartbeats around them (default 0: none)")
  int oversizedBodies;

  @Option(names = "--oversized-body-mb", paramLabel = "M", defaultValue = "24",
      description = "size of each --oversized-bodies body in MiB (default 24; over cn-agent's 4 MiB limit)")
  int oversizedBodyMb;

  @Option(names = "--cpu-hog", paramLabel = "PERCENT", defaultValue = "0",
      description = "during the task mix only, run a competing busy process taking PERCENT of one core "
          + "(100 = one full core, up to 100 x cores; default 0: none)")
  int cpuHog;

  @Option(names = "--dhcp", description = "run-servers --admin-ip-source dhcp: every CN boots through the booter "
      + "stand-in beside the NAPI receiver before it registers (docs/booter.md)")
  boolean dhcp;

  @Option(names = "--marginal", description = "instead: measure memory per added CN (no VMs) at 1,000 and 2,000 CNs")
  boolean marginal;

  @Option(names = "--cnapi-url", paramLabel = "URL", description = "a CNAPI to receive instead of the sandbox")
  String cnapiUrl;

  @Option(names = "--vmapi-url", paramLabel = "URL", description = "a VMAPI to receive instead of the sandbox")
  String vmapiUrl;

  @Option(names = "--napi-url", paramLabel = "URL", description = "a NAPI for the CNs' net-agents")
  String napiUrl;

  @Option(names = "--root", paramLabel = "DIR", description = "where to generate the fleet (default: a temporary directory)")
  Path root;

  @Option(names = "--json", paramLabel = "FILE", defaultValue = "bench-result.json",
      description = "where to write the results as JSON (default bench-result.json)")
  Path json;

  @Option(names = "--behaviour", paramLabel = "FILE",
      description = "a fleet-wide behaviour profile (docs/behaviour.md), copied to ROOT/behaviour.json before "
          + "run-servers starts: its cost shows in the idle figures")
  Path behaviour;

  @Option(names = "--scenario", paramLabel = "FILE",
      description = "a scenario run after the idle hold (and the mix): how long each step took to reach every "
          + "chosen CN goes in the results")
  Path scenario;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    BenchOptions o = new BenchOptions(servers, vms, hold, rate, heap, portBase, cnapiUrl, vmapiUrl, napiUrl, root, json, !noChangefeed,
        cpuHog, runServersChangefeed, oversizedBodies, oversizedBodyMb, behaviour, scenario, dhcp);
    o.validate();
    if (marginal && cpuHog > 0) {
      throw new IllegalArgumentException("--marginal has no task mix, so no --cpu-hog");
    }
    if (marginal && oversizedBodies > 0) {
      throw new IllegalArgumentException("--marginal measures memory only: no --oversized-bodies");
    }
    return new BenchRunner(spec.commandLine().getOut()).run(o, marginal);
  }

  /**
   * {@code bench cpu-hog PERCENT}: the busy process {@code bench --cpu-hog} starts beside the
   * task mix (hidden: the bench starts and stops it itself).
   */
  @Command(name = "cpu-hog", hidden = true, mixinStandardHelpOptions = true,
      description = "Keep PERCENT of one core busy (threads working and sleeping in 100 ms periods) until "
          + "the parent process is gone, --max-seconds passed, or SIGTERM.")
  public static final class CpuHogCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PERCENT", description = "% of one core (100 = one full core)")
    int percent;

    @Option(names = "--max-seconds", paramLabel = "SECONDS", defaultValue = "3600",
        description = "stop after this long at the latest (default 3600)")
    long maxSeconds;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      int cores = Runtime.getRuntime().availableProcessors();
      if (percent < 1 || percent > 100 * cores) {
        throw new IllegalArgumentException("PERCENT must be 1 to " + 100 * cores + ", got " + percent);
      }
      if (maxSeconds < 1) {
        throw new IllegalArgumentException("--max-seconds must be at least 1, got " + maxSeconds);
      }
      return CpuHog.run(percent, maxSeconds, spec.commandLine().getOut());
    }
  }

  /** {@code bench dhcp}: a boot storm of N CNs' DHCP clients against the sandbox's booter. */
  @Command(name = "dhcp", mixinStandardHelpOptions = true,
      description = "Boot N mock CNs at once through DHCP against the sandbox's booter over loopback UDP "
          + "(iPXE's exchange and the OS's each) and print the time until all hold a lease, leases per second, "
          + "retransmissions and drops, and the heap per client.")
  public static final class DhcpCommand implements Callable<Integer> {
    @Option(names = "--servers", paramLabel = "N", defaultValue = "10000", description = "CNs (default 10000)")
    int servers;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "200",
        description = "at most N DHCP messages a second, as run-servers --dhcp-rate (default 200)")
    double rate;

    @Option(names = "--spread", paramLabel = "SECONDS", defaultValue = "0",
        description = "first DISCOVERs spread over this long (default 0: all at once, power restored)")
    int spread;

    @Option(names = "--new", description = "MACs NAPI does not know: booter provisions every admin NIC")
    boolean newCns;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (servers < 1 || !(rate > 0) || spread < 0) {
        throw new IllegalArgumentException("--servers must be >= 1, --rate > 0 and --spread >= 0");
      }
      java.io.PrintWriter o = spec.commandLine().getOut();
      o.println(com.joyent.mockcloud.json.Json.compact(com.joyent.mockcloud.bench.DhcpBench.run(servers, rate,
          java.time.Duration.ofSeconds(spread), newCns, o)));
      o.flush();
      return 0;
    }
  }
}
