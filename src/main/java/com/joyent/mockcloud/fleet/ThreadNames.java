package com.joyent.mockcloud.fleet;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of every thread a mockcloud process may have, written as the tables of
 * docs/concurrency.md write them ({@code N} stands for a number). {@code ThreadCensusTest}
 * runs run-servers and the sandbox and finds no other thread in them, and checks that the
 * tables name exactly these: a thread added without a line here and in the docs fails the build.
 */
public final class ThreadNames {
  private ThreadNames() {}

  /** run-servers: what {@link DaemonThreads} starts (XNIO names its workers' threads itself). */
  public static final List<String> DAEMON = List.of(
      "mockcloud-io I/O-N",
      "mockcloud-io Accept",
      "mockcloud-reporter-io I/O-1",
      "mockcloud-reporter-io Accept",
      "mockcloud-reporter-1",
      "mockcloud-reporter-files-N",
      "mockcloud-io-ws I/O-1",
      "mockcloud-io-ws Accept",
      "mockcloud-scheduler-1",
      "mockcloud-netagent-1",
      "mockcloud-fast-1",
      "mockcloud-dhcp-1",
      "mockcloud-task-N",
      "mockcloud-http-N",
      "mockcloud-watch-1",
      "FileSystemWatchService",
      "mockcloud-download-N",
      "HttpClient-N-SelectorManager");

  /** The sandbox (sandbox/Sandbox, sandbox/CnAgentClient), with the JDK's timer thread its timeouts use. */
  public static final List<String> SANDBOX = List.of(
      "mockcloud-sandbox I/O-N",
      "mockcloud-sandbox Accept",
      "mockcloud-sandbox-napi I/O-N",
      "mockcloud-sandbox-napi Accept",
      "mockcloud-sandbox-cnapi-client-N",
      "mockcloud-sandbox-fwapi-fast-1",
      "mockcloud-sandbox-booter-1",
      "CompletableFutureDelayScheduler");

  /**
   * The command-line tools' clients (create-server, delete-server, add-externals), the bench and
   * a VM store built without the daemon's threads (tests).
   */
  public static final List<String> OTHERS = List.of(
      "mockcloud-client I/O-1",
      "mockcloud-client Accept",
      "mockcloud-client task-N",
      "mockcloud-mirror-import-N",
      "bench-tasks-1",
      "bench-generate-N",
      "bench-oversized-N",
      "bench-cpu-hog-N",
      "bench-dhcp-1",
      "bench-dhcp-events-N",
      "bench-children-stop-1",
      "process reaper",
      "mockcloud-vmstore-N",
      "mockcloud-vmscan-N",
      "mockcloud-vmwatch-N");

  private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z])N(?![A-Za-z])");

  /** Whether {@code thread} is named as one of {@code names}. */
  public static boolean matches(List<String> names, String thread) {
    return names.stream().anyMatch(n -> pattern(n).matcher(thread).matches());
  }

  /** {@code name} as a pattern: literal, but {@code N} (not part of a word) is a number. */
  static Pattern pattern(String name) {
    StringBuilder re = new StringBuilder();
    Matcher m = NUMBER.matcher(name);
    int at = 0;
    while (m.find()) {
      re.append(Pattern.quote(name.substring(at, m.start()))).append("\\d+");
      at = m.end();
    }
    return Pattern.compile(re.append(Pattern.quote(name.substring(at))).toString());
  }
}
