package com.joyent.mockcloud.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.triton.UserAgent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every thread of a working run-servers and sandbox is named in {@link ThreadNames}, and the
 * tables of docs/concurrency.md name exactly those. Each runs in a JVM of its own
 * ({@link ThreadCensusChild}), started as the in-process tests start it: in this JVM the suite's
 * other tests leave threads behind that could hide a new one.
 */
class ThreadCensusTest {
  /** The JVM's own threads; a child runs no test framework, so none of JUnit's or surefire's. */
  private static final List<String> JVM = List.of("main", "Reference Handler", "Finalizer", "Signal Dispatcher",
      "Common-Cleaner", "Notification Thread", "Attach Listener");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path tmp;

  @Test
  @Timeout(180)
  void runServersAndTheSandbox_atWork_runOnlyDocumentedThreads() throws Exception {
    try (Child sandbox = new Child(tmp, "sandbox")) {
      String[] sb = sandbox.firstLine.split(" "); // napi cnapi vmapi datacenter admin
      Path root = tmp.resolve("root");
      Settings settings = ThreadCensusChild.settings(root, sb[0], sb[1], sb[2], sb[3], sb[4]);
      ServerCreator creator = new ServerCreator(new ServerRoot(root), TritonApis.standalone(settings).napi(UserAgent.tool("test")),
          sb[3], UUID.fromString(sb[4]), "20190718T003512Z", Clock.systemUTC(), new Random());
      List<UUID> cns = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        cns.add(creator.create(ServerCreator.Request.random(HardwareProfile.STANDARD)).uuid());
      }
      try (Child daemon = new Child(tmp, "run-servers", root.toString(), sb[0], sb[1], sb[2], sb[3], sb[4])) {
        work(sb[0], sb[1], sb[2], sb[4], cns);
        Map<String, String> daemonCensus = daemon.census();
        Map<String, String> sandboxCensus = sandbox.census();
        assertThat(undocumented(daemonCensus, ThreadNames.DAEMON)).as("run-servers' threads not in ThreadNames.DAEMON"
            + " (name them there and in docs/concurrency.md); all: " + daemonCensus.keySet()).isEmpty();
        assertThat(undocumented(sandboxCensus, ThreadNames.SANDBOX)).as("the sandbox's threads not in"
            + " ThreadNames.SANDBOX; all: " + sandboxCensus.keySet()).isEmpty();
        // The census is of processes at work: their reporters, task pool and clients ran.
        Set<String> daemonThreads = daemonCensus.keySet();
        Set<String> sandboxThreads = sandboxCensus.keySet();
        assertThat(daemonThreads).as("run-servers' threads").contains("mockcloud-reporter-1", "mockcloud-netagent-1")
            .anyMatch(n -> n.startsWith("mockcloud-task-")).anyMatch(n -> n.startsWith("mockcloud-reporter-files-"))
            .anyMatch(n -> n.startsWith("mockcloud-http-"));
        assertThat(sandboxThreads).as("the sandbox's threads").anyMatch(n -> n.startsWith("mockcloud-sandbox-cnapi-client-"));
      }
    }
  }

  @Test
  void concurrencyDoc_threadTables_nameExactlyThreadNames() throws IOException {
    List<List<String>> tables = threadTables(Files.readString(Path.of("docs", "concurrency.md")));
    assertThat(tables).as("tables of docs/concurrency.md whose first column is 'thread'").hasSize(3);
    assertThat(tables.get(0)).as("run-servers' table").containsExactlyInAnyOrderElementsOf(ThreadNames.DAEMON);
    assertThat(tables.get(1)).as("the sandbox's table").containsExactlyInAnyOrderElementsOf(ThreadNames.SANDBOX);
    assertThat(tables.get(2)).as("the other processes' table").containsExactlyInAnyOrderElementsOf(ThreadNames.OTHERS);
  }

  @Test
  void names_matchWithANumberForN_andOtherwiseLiterally() {
    assertThat(ThreadNames.matches(List.of("mockcloud-io I/O-N"), "mockcloud-io I/O-12")).isTrue();
    assertThat(ThreadNames.matches(List.of("mockcloud-io I/O-N"), "mockcloud-io I/O-")).isFalse();
    assertThat(ThreadNames.matches(List.of("HttpClient-N-SelectorManager"), "HttpClient-3-SelectorManager")).isTrue();
    assertThat(ThreadNames.matches(List.of("ForkJoinPool.commonPool-worker-N"), "ForkJoinPoolXcommonPool-worker-1"))
        .isFalse();
    assertThat(ThreadNames.matches(List.of("mockcloud-reporter-1"), "mockcloud-reporter-2")).isFalse();
  }

  /** What makes every lazily started thread start: registration, heartbeats, a task, VMAPI, NAPI, a status report. */
  @SuppressWarnings("unchecked")
  private static void work(String napi, String cnapi, String vmapi, String admin, List<UUID> cns) throws Exception {
    for (UUID cn : cns) {
      await(() -> "running".equals(json("GET", cnapi + "/servers/" + cn, null).get("status")), cn + " running");
    }
    UUID cn = cns.get(0);
    String vm = UUID.randomUUID().toString();
    String mac = "90:b8:d0:12:34:56";
    Map<String, Object> nic = new LinkedHashMap<>();
    nic.put("mac", mac);
    nic.put("primary", true);
    nic.put("ip", "10.88.88.50");
    nic.put("netmask", "255.255.255.0");
    nic.put("nic_tag", "external");
    nic.put("vlan_id", 0);
    Map<String, Object> create = new LinkedHashMap<>();
    create.put("uuid", vm);
    create.put("brand", "joyent-minimal");
    create.put("owner_uuid", admin);
    create.put("ram", 128);
    create.put("nics", List.of(nic));
    String task = (String) json("POST", cnapi + "/servers/" + cn + "/vms", create).get("id");
    assertThat(json("GET", cnapi + "/tasks/" + task + "/wait?timeout=60", null)).containsEntry("status", "complete");
    await(() -> "running".equals(json("GET", vmapi + "/vms/" + vm, null).get("state")), "the VM in VMAPI");
    await(() -> vm.equals(json("GET", napi + "/nics/" + mac.replace(":", ""), null).get("belongs_to_uuid")),
        "the VM's NIC in NAPI");
    await(() -> reported(cnapi, cn).containsKey(vm), "the VM in a status report");
  }

  /** The threads of a census not named in {@code documented}, each with its outermost frames. */
  private static List<String> undocumented(Map<String, String> census, List<String> documented) {
    return census.entrySet().stream().filter(t -> !JVM.contains(t.getKey()) && !ThreadNames.matches(documented, t.getKey()))
        .map(t -> t.getKey() + t.getValue()).toList();
  }

  /** The names in the first column of each table headed {@code | thread |}, table by table. */
  static List<List<String>> threadTables(String markdown) {
    Pattern code = Pattern.compile("`([^`]+)`");
    List<List<String>> tables = new ArrayList<>();
    List<String> current = null;
    for (String line : markdown.split("\n")) {
      if (!line.startsWith("|")) {
        current = null;
        continue;
      }
      String first = line.split("\\|")[1].strip();
      if (current == null) {
        if (first.equals("thread")) {
          current = new ArrayList<>();
          tables.add(current);
        }
        continue;
      }
      for (Matcher m = code.matcher(first); m.find(); ) {
        current.add(m.group(1));
      }
    }
    return tables;
  }

  /** The VMs of {@code cn}'s last status report, as CNAPI lists them. */
  private static Map<?, ?> reported(String cnapi, UUID cn) {
    if (call("GET", cnapi + "/servers?extras=vms", null) instanceof List<?> servers) {
      for (Object s : servers) {
        if (s instanceof Map<?, ?> m && cn.toString().equals(m.get("uuid")) && m.get("vms") instanceof Map<?, ?> vms) {
          return vms;
        }
      }
    }
    return Map.of();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(String method, String url, Object body) {
    return call(method, url, body) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** The answer's JSON, or null after an error or a failure. */
  private static Object call(String method, String url, Object body) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(Json.compact(body)));
      if (body != null) {
        b.header("content-type", "application/json");
      }
      HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return r.statusCode() < 300 && r.body().length > 0 ? Json.parse(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static void await(BooleanSupplier cond, String what) throws InterruptedException {
    Await.require(Duration.ofSeconds(60), cond, what);
  }

  /** A {@link ThreadCensusChild} JVM; its stderr goes to a log file beside it. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final BufferedReader out;
    final Writer in;
    final Path log;
    final String firstLine;

    Child(Path dir, String... args) throws IOException {
      log = dir.resolve(args[0] + ".log");
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), "-ea", "-Xmx256m", "-Dmockcloud.log.level=warn",
          ThreadCensusChild.class.getName()));
      cmd.addAll(List.of(args));
      process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
      out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      firstLine = line();
    }

    private String line() throws IOException {
      String l = out.readLine();
      if (l == null) {
        throw new AssertionError("the child JVM ended; its log:\n" + Files.readString(log));
      }
      return l;
    }

    /** Every live thread's name, with its outermost frames. */
    Map<String, String> census() throws IOException {
      in.write("census\n");
      in.flush();
      Map<String, String> threads = new TreeMap<>();
      String name = null;
      for (String l = line(); !l.equals("end"); l = line()) {
        if (l.startsWith("thread ")) {
          name = l.substring("thread ".length());
          threads.merge(name, "", String::concat);
        } else {
          threads.merge(name, "\n" + l, String::concat);
        }
      }
      return threads;
    }

    @Override
    public void close() {
      try {
        in.write("stop\n");
        in.flush();
      } catch (IOException gone) {
        // already ended
      }
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
