package com.joyent.mockcloud.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.joyent.mockcloud.triton.ApiException;
import com.joyent.mockcloud.triton.CnapiApi;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.NapiApi;
import com.joyent.mockcloud.triton.VmapiApi;
import java.net.URI;
import com.joyent.mockcloud.http.OutboundHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One WireMock plays CNAPI, NAPI and VMAPI; their paths do not overlap. */
class ServerDeleterTest {
  private static final UUID ADMIN = UUID.fromString("930896af-bf8c-48d4-885c-6573a94b1853");

  @TempDir Path tmp;
  private WireMockServer apis;
  private ServerRoot root;
  private ServerDeleter deleter;
  private ServerDirectory server;
  private String adminMac;
  private String spareMac;
  private final List<String> progress = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    apis = NapiStubs.start();
    NapiStubs.freshMacsAndAdminNic(apis);
    root = new ServerRoot(tmp.resolve("mc"));
    OutboundHttp http = OutboundHttp.standalone();
    URI base = URI.create(apis.baseUrl());
    NapiApi napi = new NapiApi(JsonHttpClient.to(http, base, "NAPI").userAgent("test").build(), null);
    server = new ServerCreator(root, napi, "coal", ADMIN, "x", Clock.systemUTC(), new Random(7))
        .create(ServerCreator.Request.random(HardwareProfile.STANDARD));
    List<String> macs = Sysinfo.macs(server.readSysinfo());
    adminMac = macs.get(0);
    spareMac = macs.get(1);
    deleter = new ServerDeleter(root, new CnapiApi(JsonHttpClient.to(http, base, "CNAPI").userAgent("test").build()), napi,
        new VmapiApi(JsonHttpClient.to(http, base, "VMAPI").userAgent("test").build()), progress::add);
    apis.resetRequests();
  }

  @AfterEach
  void tearDown() {
    apis.stop();
  }

  private void stubApis() {
    String s = server.uuid().toString();
    apis.stubFor(delete("/servers/" + s).willReturn(aResponse().withStatus(200)));
    apis.stubFor(get(urlPathEqualTo("/nics")).withQueryParam("belongs_to_uuid", equalTo(s))
        .willReturn(json("[{\"mac\":\"" + adminMac + "\",\"belongs_to_uuid\":\"" + s + "\"}]")));
    apis.stubFor(get(urlPathEqualTo("/nics")).withQueryParam("belongs_to_uuid", equalTo("vm-running"))
        .willReturn(json("[{\"mac\":\"90:b8:d0:00:00:01\"}]")));
    apis.stubFor(get(urlPathEqualTo("/nics")).withQueryParam("belongs_to_uuid", equalTo("vm-destroyed"))
        .willReturn(json("[]")));
    apis.stubFor(get(urlPathEqualTo("/vms")).withQueryParam("server_uuid", equalTo(s))
        .willReturn(json("[{\"uuid\":\"vm-running\",\"state\":\"running\"},{\"uuid\":\"vm-destroyed\",\"state\":\"destroyed\"}]")));
    apis.stubFor(get(urlPathEqualTo("/vms/vm-running")).willReturn(json("{\"uuid\":\"vm-running\"}")));
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
    return aResponse().withStatus(200).withHeader("content-type", "application/json").withBody(body);
  }

  @Test
  void delete_cleansUpCnapiNapiVmapiAndDisk() throws Exception {
    stubApis();
    deleter.delete(server.uuid());

    apis.verify(1, deleteRequestedFor(urlEqualTo("/servers/" + server.uuid())));
    // The admin NIC goes whether NAPI lists it under the CN (net-agent claimed it) or not.
    apis.verify(deleteRequestedFor(urlEqualTo("/nics/" + adminMac.replace(":", ""))));
    apis.verify(1, deleteRequestedFor(urlEqualTo("/nics/" + spareMac.replace(":", ""))));
    apis.verify(1, getRequestedFor(urlEqualTo("/vms/vm-running?sync=true")));
    apis.verify(0, getRequestedFor(urlPathEqualTo("/vms/vm-destroyed")));
    apis.verify(1, deleteRequestedFor(urlEqualTo("/nics/90b8d0000001")));
    assertThat(Files.exists(server.dir())).isFalse();
    assertThat(Files.exists(root.root().resolve(".deleting").resolve(server.uuid().toString()))).isFalse();
    assertThat(deleter.exists(server.uuid())).isFalse();
  }

  @Test
  void delete_cnapiNotKnowingTheServer_isFine() throws Exception {
    stubApis();
    apis.stubFor(delete("/servers/" + server.uuid()).willReturn(aResponse().withStatus(404)
        .withHeader("content-type", "application/json")
        .withBody("{\"code\":\"ResourceNotFound\",\"message\":\"server not found\"}")));
    deleter.delete(server.uuid());
    assertThat(progress).contains("not in CNAPI");
    assertThat(Files.exists(server.dir())).isFalse();
  }

  @Test
  void delete_apiFailure_keepsServerParkedAndRerunFinishes() throws Exception {
    stubApis();
    apis.stubFor(delete("/servers/" + server.uuid()).willReturn(aResponse().withStatus(503)
        .withHeader("content-type", "application/json")
        .withBody("{\"code\":\"ServiceUnavailableError\",\"message\":\"down\"}")));

    assertThatThrownBy(() -> deleter.delete(server.uuid())).isInstanceOf(ApiException.class)
        .hasMessageContaining("CNAPI DELETE /servers/" + server.uuid()).hasMessageContaining("503");
    assertThat(Files.exists(server.dir())).isFalse(); // no longer served
    assertThat(deleter.exists(server.uuid())).isTrue();

    stubApis();
    deleter.delete(server.uuid());
    assertThat(deleter.exists(server.uuid())).isFalse();
  }

  @Test
  void delete_unknownServer_isClearErrorAndCallsNothing() {
    UUID unknown = UUID.randomUUID();
    assertThatThrownBy(() -> deleter.delete(unknown)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no server " + unknown);
    apis.verify(0, anyRequestedFor(anyUrl()));
    assertThat(Files.exists(server.dir())).isTrue();
  }
}
