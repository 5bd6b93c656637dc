package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.fleet.Daemon;
import com.joyent.mockcloud.fleet.DaemonOptions;
import com.joyent.mockcloud.netagent.ChangefeedMode;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run-servers}: runs the mock agents of every CN under the root until SIGTERM or SIGINT. */
@Command(name = "run-servers", mixinStandardHelpOptions = true,
    description = "Run a cn-agent (and the other mock agents) for every mock CN under the root. "
        + "Server directories created or removed while it runs are started or stopped within seconds.")
public final class RunServersCommand implements Callable<Integer> {
  @Mixin SettingsOptions options;

  @Option(names = "--cmon-port", paramLabel = "PORT", defaultValue = "9163",
      description = "port of the mock cmon-agent on the bind IP (default 9163, as on a real CN; 0 = any)")
  int cmonPort;

  @Option(names = "--firewaller-port", paramLabel = "PORT", defaultValue = "2021",
      description = "port of the mock firewallers' HTTP API (GET /status, /rules/UUID, ...) on the bind IP, shared "
          + "by every CN (default 2021, as on a real CN; 0 = any). See docs/firewaller.md")
  int firewallerPort;

  @Option(names = "--port-base", paramLabel = "PORT", defaultValue = "0",
      description = "first cn-agent listener port; CNs take the ports from here upward (default 0: OS-chosen "
          + "ephemeral ports; set it for thousands of CNs so outbound connections keep the ephemeral range)")
  int portBase;

  @Option(names = "--cnapi-connection-per-request",
      defaultValue = "${env:MOCKCLOUD_CNAPI_CONNECTION_PER_REQUEST:-false}",
      description = "open a new connection for every CNAPI request (heartbeats too) and have CNAPI close it after "
          + "answering, as the Node cn-agent does (env MOCKCLOUD_CNAPI_CONNECTION_PER_REQUEST=true). Default: "
          + "keep-alive connections shared by all CNs; one connection per heartbeat is 2,000 new connections a "
          + "second at 10,000 CNs")
  boolean cnapiConnectionPerRequest;

  @Option(names = "--control-port", paramLabel = "PORT", defaultValue = "${env:MOCKCLOUD_CONTROL_PORT:--1}",
      description = "serve run-servers' own metrics (GET /metrics, Prometheus text) and server actions (reboot, "
          + "power-off, ...) on 127.0.0.1:PORT (env MOCKCLOUD_CONTROL_PORT; 0 = an OS-chosen port, printed at "
          + "start and written to ROOT/control.port; default -1: off). See docs/control.md")
  int controlPort;

  @Option(names = "--changefeed", paramLabel = "MODE", defaultValue = "${env:MOCKCLOUD_CHANGEFEED:-auto}",
      description = "how net-agents listen to NAPI's changefeed (env MOCKCLOUD_CHANGEFEED): per-cn = a WebSocket "
          + "and registration per CN, as real CNs; shared = one WebSocket for the whole process, each change handed "
          + "to the CNs it concerns; off = periodic refreshes only; auto (default) = per-cn while the open-file "
          + "limit has room for a socket per CN, else shared. See docs/net-agent.md")
  String changefeed;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (controlPort < -1 || controlPort > 65535) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--control-port must be -1 (off), 0 (any) or a port up to 65535, got " + controlPort);
    }
    ChangefeedMode changefeedMode;
    try {
      changefeedMode = ChangefeedMode.parse(changefeed);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--changefeed: " + e.getMessage());
    }
    Settings settings = options.settings();
    settings.requireCnapiUrl();
    settings.requireVmapiUrl();
    CountDownLatch stop = new CountDownLatch(1);
    Signals.onTermination(stop::countDown);
    try (Daemon daemon = new Daemon(settings, new DaemonOptions(cmonPort, firewallerPort, portBase,
        CnAgentOptions.defaults().withCnapiConnectionPerRequest(cnapiConnectionPerRequest), controlPort))) {
      daemon.fleet().setChangefeedMode(changefeedMode);
      daemon.start();
      spec.commandLine().getErr().println("run-servers: serving " + daemon.fleet().running().size()
          + " mock CN(s) from " + settings.serversDir() + "; stop with SIGTERM or Ctrl-C");
      if (daemon.control() != null) {
        spec.commandLine().getErr().println("run-servers: metrics on " + daemon.control().baseUrl() + "/metrics"
            + ", server actions on " + daemon.control().baseUrl() + "/servers/UUID/actions/ACTION");
      }
      spec.commandLine().getErr().flush();
      stop.await();
    }
    return 0;
  }
}
