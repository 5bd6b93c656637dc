package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.bench.BenchRunner;
import com.joyent.mockcloud.bench.BenchOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code bench}: the scale benchmark (README: "Benchmark"). */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure run-servers at scale: N servers x M VMs in a separate JVM against the sandbox APIs "
        + "(also in their own JVM), then print registration time, heartbeat gaps, RSS/heap per CN, CPU, task "
        + "latency, descriptors and threads, as a table and as JSON.")
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

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    BenchOptions o = new BenchOptions(servers, vms, hold, rate, heap, portBase, cnapiUrl, vmapiUrl, napiUrl, root, json, !noChangefeed);
    o.validate();
    return new BenchRunner(spec.commandLine().getOut()).run(o, marginal);
  }
}
