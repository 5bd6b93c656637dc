package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox NAPI's changefeed publisher (net-agent-cmon-mockcloud.md §2.4 and §3.9) over a real WebSocket. */
class NapiChangefeedTest {
  private static final String ADMIN = SandboxOptions.DEFAULT_ADMIN_UUID;
  private static final String CN = Fixtures.CN_A;
  private static final String VM = Fixtures.VM_1;
  private static final Map<String, Object> NET_AGENT_REGISTRATION = Map.of(
      "instance", "3f4f1a3e-4c1e-4c1a-9a53-0a8d8e2b7c11", "service", "net-agent",
      "resources", List.of(
          Map.of("resource", "network", "subResources", List.of("create", "delete", "gateway", "resolvers", "routes")),
          Map.of("resource", "nic", "subResources", List.of("create", "delete", "allow_dhcp_spoofing",
              "allow_ip_spoofing", "allow_mac_spoofing", "allow_restricted_traffic", "allow_unfiltered_promisc")),
          Map.of("resource", "aggregation", "subResources", List.of("create", "delete"))));

  private final HttpClient client = HttpClient.newHttpClient();
  private Sandbox sandbox;
  private String napi;

  @BeforeEach
  void start() {
    sandbox = Sandbox.start(SandboxOptions.defaults());
    napi = sandbox.napiUrl();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  /** A client socket that queues every text frame and its close reason. */
  private static final class Feed implements WebSocket.Listener {
    final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed.complete(status + " " + reason);
      return null;
    }

    Map<String, Object> next() throws InterruptedException {
      String f = frames.poll(5, TimeUnit.SECONDS);
      assertThat(f).as("a changefeed frame within 5 s").isNotNull();
      return Json.parseObject(f);
    }
  }

  private Feed connect(String acceptVersion, Object registration) throws Exception {
    Feed feed = new Feed();
    WebSocket.Builder b = client.newWebSocketBuilder();
    if (acceptVersion != null) {
      b.header("Accept-Version", acceptVersion);
    }
    feed.socket = b.buildAsync(URI.create(napi.replace("http:", "ws:") + "/changefeeds"), feed).get(5, TimeUnit.SECONDS);
    feed.socket.sendText(Json.compact(registration), true).get(5, TimeUnit.SECONDS);
    return feed;
  }

  private Map<String, Object> vmNic(String mac) {
    return Map.of("belongs_to_type", "zone", "belongs_to_uuid", VM, "owner_uuid", ADMIN, "cn_uuid", CN, "mac", mac);
  }

  @Test
  void probe_listsThePublishedResources() {
    TestHttp.Reply r = TestHttp.get(napi + "/changefeeds");
    assertThat(r.status()).isEqualTo(200);
    @SuppressWarnings("unchecked") List<Object> list = (List<Object>) Json.parse(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(list.stream().<Object>map(o -> ((Map<?, ?>) o).get("resource")).toList()).containsExactly("aggregation", "network", "nic_tag", "nic");
    assertThat(list).contains(Map.of("resource", "nic", "bootstrapRoute", "/nics", "subResources", List.of("create",
        "delete", "allow_dhcp_spoofing", "allow_ip_spoofing", "allow_mac_spoofing", "allow_restricted_traffic",
        "allow_unfiltered_promisc", "primary", "state")));
  }

  @Test
  void v2Registration_getsBootstrapRoutes_thenNicItemsItAskedFor() throws Exception {
    Feed feed = connect("~2", NET_AGENT_REGISTRATION);
    Map<String, Object> bootstrap = feed.next();
    assertThat(bootstrap).containsOnlyKeys("bootstrapRoutes");
    assertThat((List<?>) bootstrap.get("bootstrapRoutes")).hasSize(3).first()
        .isEqualTo(Map.of("resource", "network", "bootstrapRoute", "/networks",
            "subResources", List.of("create", "delete", "gateway", "resolvers", "routes")));
    assertThat(TestHttp.get(napi + "/changefeeds/stats").object())
        .isEqualTo(Map.of("listeners", 1, "registrations", 1));

    TestHttp.Reply created = TestHttp.post(napi + "/networks/external/nics", vmNic("90:b8:d0:00:00:01"));
    assertThat(created.status()).isEqualTo(200);
    Map<String, Object> item = feed.next();
    assertThat(item).containsEntry("changeKind", Map.of("resource", "nic", "subResources", List.of("create")))
        .containsEntry("changedResourceId", "90:b8:d0:00:00:01").containsEntry("belongs_to_uuid", VM)
        .containsEntry("cn_uuid", CN).containsEntry("etag", created.header("Etag"));
    assertThat(Long.parseLong((String) item.get("published"))).isCloseTo(System.currentTimeMillis(),
        org.assertj.core.data.Offset.offset(10_000L));

    // net-agent does not subscribe to state/primary: that update reaches no one; the anti-spoof one does.
    assertThat(TestHttp.put(napi + "/nics/90b8d0000001", Map.of("state", "running")).status()).isEqualTo(200);
    TestHttp.Reply spoof = TestHttp.put(napi + "/nics/90b8d0000001", Map.of("allow_ip_spoofing", true));
    item = feed.next();
    assertThat(item).containsEntry("changeKind",
        Map.of("resource", "nic", "subResources", List.of("allow_ip_spoofing")))
        .containsEntry("etag", spoof.header("Etag"));

    assertThat(TestHttp.delete(napi + "/nics/90b8d0000001").status()).isEqualTo(204);
    item = feed.next();
    assertThat(item).containsEntry("changeKind", Map.of("resource", "nic", "subResources", List.of("delete")))
        .containsEntry("changedResourceId", "90:b8:d0:00:00:01").containsEntry("cn_uuid", CN)
        .doesNotContainKey("etag");
    assertThat(feed.frames.poll(300, TimeUnit.MILLISECONDS)).as("nothing else was sent").isNull();
  }

  @Test
  void rejectedRequest_publishesNothing() throws Exception {
    Feed feed = connect("~2", NET_AGENT_REGISTRATION);
    feed.next();
    assertThat(TestHttp.post(napi + "/nics", Map.of("belongs_to_type", "zone", "mac", "nope")).status())
        .isEqualTo(422);
    assertThat(TestHttp.put(napi + "/nics/90b8d0000009", Map.of("allow_ip_spoofing", true)).status())
        .isEqualTo(404);
    assertThat(feed.frames.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void v1Registration_withoutAcceptVersion_getsTheSingleDescriptor() throws Exception {
    Feed feed = connect(null, Map.of("instance", "3f4f1a3e-4c1e-4c1a-9a53-0a8d8e2b7c12", "service", "test",
        "changeKind", Map.of("resource", "nic", "subResources", List.of("create"))));
    assertThat(feed.next()).isEqualTo(Map.of("resource", "nic", "subResources", List.of("create"),
        "bootstrapRoute", "/nics"));
    TestHttp.post(napi + "/networks/external/nics", vmNic("90:b8:d0:00:00:02"));
    assertThat(feed.next()).containsEntry("changedResourceId", "90:b8:d0:00:00:02");
  }

  @Test
  void unknownResource_closesTheSocketWithAReason() throws Exception {
    Feed feed = connect("~2", Map.of("instance", "x", "service", "test",
        "resources", List.of(Map.of("resource", "vm", "subResources", List.of("create")))));
    assertThat(feed.closed.get(5, TimeUnit.SECONDS)).contains("unknown resource vm");
    assertThat(feed.frames).isEmpty();
  }

  @Test
  void sandboxWithoutChangefeed_answers404LikeAnOlderNapi() {
    try (Sandbox old = Sandbox.start(SandboxOptions.defaults().withChangefeed(false))) {
      TestHttp.Reply r = TestHttp.get(old.napiUrl() + "/changefeeds");
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.object()).containsEntry("code", "ResourceNotFound");
    }
  }
}
