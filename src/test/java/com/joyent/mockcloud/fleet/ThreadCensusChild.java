package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.sandbox.Sandbox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * A JVM of its own for {@link ThreadCensusTest}: {@code sandbox} starts the sandbox and prints
 * its URLs; {@code run-servers ROOT NAPI CNAPI VMAPI DC ADMIN} starts the daemon as the fleet
 * and e2e tests start it. Then each {@code census} line on stdin prints every live thread
 * ({@code thread <name>} and its outermost frames as {@code   at <frame>} lines, then
 * {@code end}); {@code stop}, or the end of stdin, closes it.
 */
final class ThreadCensusChild {
  private ThreadCensusChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    AutoCloseable running;
    if (args[0].equals("sandbox")) {
      Sandbox sb = Sandbox.start();
      out.println(String.join(" ", sb.napiUrl(), sb.cnapiUrl(), sb.vmapiUrl(), sb.datacenter(), sb.adminUuid()));
      running = sb;
    } else {
      Path root = Path.of(args[1]);
      Daemon daemon = new Daemon(settings(root, args[2], args[3], args[4], args[5], args[6]),
          DaemonOptions.ephemeral(CnAgentOptions.defaults().withTmpDir(root.resolve("tmp")))).start();
      out.println("serving " + daemon.fleet().running().size());
      running = daemon;
    }
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
      if (line.equals("census")) {
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
          out.println("thread " + t.getKey().getName());
          // the bottom frames say who started it, should it be one the docs do not name
          StackTraceElement[] stack = t.getValue();
          for (int i = Math.max(0, stack.length - 6); i < stack.length; i++) {
            out.println("  at " + stack[i]);
          }
        }
        out.println("end");
        out.flush();
      }
    }
    running.close();
    System.exit(0);
  }

  static Settings settings(Path root, String napi, String cnapi, String vmapi, String datacenter, String admin) {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, root.toString());
    flags.put(Setting.DATACENTER, datacenter);
    flags.put(Setting.ADMIN_UUID, admin);
    flags.put(Setting.NAPI_URL, napi);
    flags.put(Setting.CNAPI_URL, cnapi);
    flags.put(Setting.VMAPI_URL, vmapi);
    return new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
  }
}
