package com.joyent.mockcloud.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
  void badJson_is400InvalidContent() throws Exception {
    HttpResponse<String> r = send(req("/echo/abc").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{not json")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Json.parseObject(r.body())).containsEntry("code", "InvalidContent");
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
