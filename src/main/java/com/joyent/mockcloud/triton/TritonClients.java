package com.joyent.mockcloud.triton;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.http.OutboundHttp;

/** Builds the API clients a tool needs from settings, all sharing one HTTP client. */
public final class TritonClients {
  private final Settings settings;
  private final OutboundHttp http = OutboundHttp.standalone();
  private final String userAgent;

  public TritonClients(Settings settings, String tool) {
    this.settings = settings;
    this.userAgent = UserAgent.tool(tool);
  }

  public NapiClient napi() {
    return new NapiClient(JsonHttpClient.to(http, settings.requireNapiUrl(), "NAPI").userAgent(userAgent).build());
  }

  public CnapiClient cnapi() {
    return new CnapiClient(JsonHttpClient.to(http, settings.requireCnapiUrl(), "CNAPI").userAgent(userAgent).build());
  }

  public VmapiClient vmapi() {
    return new VmapiClient(JsonHttpClient.to(http, settings.requireVmapiUrl(), "VMAPI").userAgent(userAgent).build());
  }
}
