package com.joyent.mockcloud.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RestRouterTest {
  private static HttpListeners listeners;
  private static HttpListeners.Listener listener;
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    listeners = new HttpListeners("test-http", 1);
    RestRouter router = new RestRouter("Test Server")
        .post("/echo/{id}", req -> RestResponse.ok(req.params()))
        .get("/echo/{id}", req -> RestResponse.ok(Map.of("id", req.pathParam("id"))))
        .post("/nothing", req -> RestResponse.noContent())
        .get("/fail", req -> {
          throw RestError.resourceNotFound("VM x not found");
        })
        .route("GET", "/later", req -> {
          CompletableFuture<RestResponse> f = new CompletableFuture<>();
          new Thread(() -> f.complete(RestResponse.ok(Map.of("done", true)))).start();
          return f;
        });
    listener = listeners.open("127.0.0.1", 0, router);
  }

  @AfterAll
  static void stop() {
    listener.close();
    listeners.close();
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> names(HttpResponse<?> r) {
    return r.headers().map().keySet().stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).toList();
  }

  private static HttpRequest.Builder req(String path) {
    return HttpRequest.newBuilder(URI.create(listener.baseUrl() + path));
  }

  @Test
  void post_mergesBodyQueryAndPathParams_queryWins() throws Exception {
    HttpResponse<String> r = send(req("/echo/abc?b=fromquery").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1,\"b\":\"frombody\"}")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"a\":1,\"b\":\"fromquery\",\"id\":\"abc\"}");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.headers().firstValue("server")).hasValue("Test Server");
    assertThat(r.headers().firstValue("x-response-time")).isPresent();
    assertThat(r.headers().firstValue("x-server-name")).isPresent();
    assertThat(r.headers().firstValue("date")).isPresent();
  }

  @Test
  void requestId_isEchoedFromHeader() throws Exception {
    HttpResponse<String> r = send(req("/echo/x").header("x-request-id", "rid-1").GET());
    assertThat(r.headers().firstValue("x-request-id")).hasValue("rid-1");
  }

  @Test
  void unknownPath_is404ResourceNotFound() throws Exception {
    HttpResponse<String> r = send(req("/nope?x=1").GET());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"/nope does not exist\"}");
  }

  @Test
  void wrongMethod_is405WithAllow() throws Exception {
    HttpResponse<String> r = send(req("/nothing").GET());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).hasValue("POST");
    assertThat(r.body()).isEqualTo("{\"code\":\"MethodNotAllowedError\",\"message\":\"GET is not allowed\"}");
  }

  @Test
  void badJson_is400InvalidContent_inJsonParsesWords() throws Exception {
    HttpResponse<String> r = send(req("/echo/abc").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{not json")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo(
        "{\"code\":\"InvalidContent\",\"message\":\"Invalid JSON: Expected property name or '}' in JSON at position 1\"}");
  }

  @Test
  void answersGivenBeforeTheHandler_lackTheHandlerChainsHeaders_asRestifys() throws Exception {
    // restify answers these before the chain in which its services set Server, x-request-id,
    // x-response-time and x-server-name (golden: the 400 InvalidContent of cn-agent and CNAPI).
    List<HttpResponse<String>> early = List.of(
        send(req("/echo/abc").header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{"))),
        send(req("/nope").GET()),
        send(req("/nothing").GET()),
        send(req("/echo/abc").header("accept", "image/png").GET()));
    HttpResponse<String> handled = send(req("/fail").GET());

    assertThat(early).extracting(HttpResponse::statusCode).containsExactly(400, 404, 405, 406);
    for (HttpResponse<String> r : early) {
      assertThat(names(r)).as("%s", r.statusCode())
          .doesNotContain("server", "x-request-id", "x-response-time", "x-server-name").contains("date");
    }
    assertThat(handled.statusCode()).isEqualTo(404);
    assertThat(names(handled)).contains("server", "x-request-id", "x-response-time", "x-server-name");
  }

  @Test
  void keepAliveAnswer_saysTimeout5_andAnIdleConnectionIsClosedAfterIt() throws Exception {
    try (RawHttp c = new RawHttp(listener.port())) {
      RawHttp.Answer a = c.send(RawHttp.head("GET", "/echo/x", "Connection: keep-alive")).read();
      long answered = System.nanoTime();

      assertThat(a.headers()).containsEntry("connection", "keep-alive").containsEntry("keep-alive", "timeout=5");
      assertThat(c.closedByServer()).isTrue();
      long idleMs = (System.nanoTime() - answered) / 1_000_000;
      assertThat(idleMs).isBetween(4_000L, 8_000L);
    }
  }

  @Test
  void unacceptableAccept_is406() throws Exception {
    HttpResponse<String> r = send(req("/echo/abc").header("accept", "image/png").GET());
    assertThat(r.statusCode()).isEqualTo(406);
    assertThat(Json.parseObject(r.body())).containsEntry("code", "NotAcceptableError");
  }

  @Test
  void noContent_hasNoBodyNorContentType() throws Exception {
    HttpResponse<String> r = send(req("/nothing").POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValue("content-type")).isEmpty();
  }

  @Test
  void thrownRestError_isRendered() throws Exception {
    HttpResponse<String> r = send(req("/fail").GET());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"VM x not found\"}");
  }

  @Test
  void asyncHandler_answersWhenStageCompletes() throws Exception {
    HttpResponse<String> r = send(req("/later").GET());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"done\":true}");
  }
}
