package com.joyent.mockcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code sandbox} as a newcomer runs it: what it prints, and the temporary root it leaves (or not). */
class SandboxCommandTest {
  private static final Pattern ROOT = Pattern.compile("the root (\\S+) is (?:removed|kept) on exit");

  @Test
  void temporaryRoot_isRemovedOnExit_andTheHintNeedsNoNpmTool() {
    CliRunner.Result r = CliRunner.run("sandbox", "--servers", "1", "--duration", "2");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("mock CNs: 1 in ", "curl -s http://127.0.0.1:").doesNotContain("| json ");
    Path root = rootIn(r.out());
    assertThat(root).doesNotExist();
  }

  @Test
  void keepRoot_keepsItAndSaysWhere() throws Exception {
    CliRunner.Result r = CliRunner.run("sandbox", "--servers", "1", "--duration", "2", "--keep-root");
    assertThat(r.exit()).as(r.err()).isZero();
    Path root = rootIn(r.out());
    try {
      assertThat(r.out()).contains("kept " + root);
      assertThat(root.resolve("servers")).isDirectory();
      try (var dirs = Files.list(root.resolve("servers"))) {
        assertThat(dirs.count()).isEqualTo(1);
      }
    } finally {
      com.joyent.mockcloud.io.FileTrees.deleteTree(root);
    }
  }

  @Test
  void from_startsWithTheExportedCnAndVm_registeredAndReported(@TempDir Path tmp)
      throws Exception {
    Path file = MirrorCommandTest.fixture(tmp.resolve("dc.json.gz"));
    Path urls = tmp.resolve("urls.json");
    CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(
        () -> CliRunner.run("sandbox", "--from", file.toString(), "--root", tmp.resolve("root").toString(),
            "--url-file", urls.toString(), "--duration", "8"));
    Await.require(Duration.ofSeconds(20), () -> Files.exists(urls), "the URL file");
    Map<String, Object> u = Json.parseObject(Files.readAllBytes(urls));
    assertThat(u).containsEntry("datacenter", "us-east-9"); // the archive's
    HttpClient http = HttpClient.newHttpClient();
    AtomicReference<String> vms = new AtomicReference<>("");
    Await.require(Duration.ofSeconds(20), () -> {
      try {
        vms.set(http.send(HttpRequest.newBuilder(URI.create(u.get("vmapiUrl")
            + "/vms?fields=uuid,alias,state,server_uuid")).build(),
            HttpResponse.BodyHandlers.ofString()).body());
      } catch (Exception e) {
        return false;
      }
      return vms.get().contains("web-1");
    }, "the exported VM in VMAPI");
    assertThat(vms.get()).contains("\"state\":\"stopped\"", "564d0a1e-8b1a-4c7e-9a39-2a1f0c2b9d01");
    CliRunner.Result r = run.get();
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 mock CNs and 1 VMs imported", "mock CNs: 1 in ");
  }

  @Test
  void dhcp_bootsTheCnsThroughTheBooterStandIn(@TempDir Path tmp) throws Exception {
    Path urls = tmp.resolve("urls.json");
    CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(
        () -> CliRunner.run("sandbox", "--dhcp", "--servers", "2", "--root", tmp.resolve("root").toString(),
            "--url-file", urls.toString(), "--duration", "10"));
    Await.require(Duration.ofSeconds(20), () -> Files.exists(urls), "the URL file");
    Map<String, Object> u = Json.parseObject(Files.readAllBytes(urls));
    assertThat((String) u.get("dhcpServer")).startsWith("127.0.0.1:");
    HttpClient http = HttpClient.newHttpClient();
    AtomicReference<String> servers = new AtomicReference<>("");
    Await.require(Duration.ofSeconds(20), () -> {
      try {
        servers.set(http.send(HttpRequest.newBuilder(URI.create(u.get("cnapiUrl") + "/servers?extras=sysinfo")).build(),
            HttpResponse.BodyHandlers.ofString()).body());
      } catch (Exception e) {
        return false;
      }
      return servers.get().split("\"Boot Parameters\"", -1).length == 3;
    }, "two CNs registered with their sysinfo");
    assertThat(servers.get()).contains("\"rabbitmq\":\"guest:guest:127.0.0.1:5672\"");
    CliRunner.Result r = run.get();
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("  booter 127.0.0.1:", "mock CNs: 2 booting through DHCP in ");
  }

  private static Path rootIn(String out) {
    Matcher m = ROOT.matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return Path.of(m.group(1));
  }
}
