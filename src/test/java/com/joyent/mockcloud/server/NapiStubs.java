package com.joyent.mockcloud.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

/** WireMock on 127.0.0.1 with NAPI's answers for a fresh MAC and an admin NIC allocation. */
public final class NapiStubs {
  public static final String ADMIN_IP = "10.99.99.41";

  private NapiStubs() {}

  public static WireMockServer start() {
    WireMockServer wm = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    wm.start();
    return wm;
  }

  public static void freshMacsAndAdminNic(WireMockServer wm) {
    wm.stubFor(get(urlPathMatching("/nics/[0-9a-f]{12}")).willReturn(aResponse().withStatus(404)
        .withHeader("content-type", "application/json")
        .withBody("{\"code\":\"ResourceNotFound\",\"message\":\"nic not found\"}")));
    wm.stubFor(post("/networks/admin/nics").willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/json")
        .withBody("{\"mac\":\"00:10:fe:00:00:01\",\"ip\":\"" + ADMIN_IP + "\",\"belongs_to_type\":\"other\"}")));
    wm.stubFor(delete(urlPathMatching("/nics/.*")).willReturn(aResponse().withStatus(204)));
  }
}
