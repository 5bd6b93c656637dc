package com.joyent.mockcloud.triton;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.http.WebSocketDialer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The one place a mock CN's agents, its tasks and the server tools get their Triton API views.
 * Each view is a {@link JsonHttpClient} over a client and gate shared by the whole process
 * (made in {@code fleet/DaemonThreads} with the other shared resources), plus the caller's
 * {@code user-agent}, so a view costs a few fields:
 *
 * <ul>
 *   <li>CNAPI: the reporters' own client and gate ({@link CnapiReporting}): heartbeats first.
 *   <li>VMAPI: the shared client behind the vm-agents' gate.
 *   <li>NAPI: the shared client behind this NAPI's gate, each request started on
 *       {@code napiStarter} (never on the thread that freed its place), and the WebSocket dialer.
 *   <li>IMGAPI, SAPI, KBMAPI: the shared client, ungated (a task waits on its own thread).
 * </ul>
 *
 * <p>The tools' instance ({@link #standalone}) has a client of its own and no gates. Thread-safe.
 */
public final class TritonApis {
  private final Settings settings;
  private final OutboundHttp http;
  private final RequestGate vmapiGate;
  private final RequestGate napiGate;
  private final Executor napiStarter;
  private final WebSocketDialer webSockets;
  private final CnapiReporting reporting;

  /**
   * @param http the shared client (VMAPI, NAPI, the tasks' APIs; CNAPI when {@code reporting} is null)
   * @param vmapiGate the vm-agents' bound on requests in flight, or null for none
   * @param napiGate the bound on requests in flight to the NAPI of {@code settings}, or null for none
   * @param napiStarter where a NAPI request starts once it has its place (with {@code napiGate})
   * @param webSockets the changefeeds' dialer, or null where none is opened
   * @param reporting the CNAPI reporters' client and gate, or null: CNAPI on {@code http}, ungated
   */
  public TritonApis(Settings settings, OutboundHttp http, RequestGate vmapiGate, RequestGate napiGate,
      Executor napiStarter, WebSocketDialer webSockets, CnapiReporting reporting) {
    this.settings = settings;
    this.http = http;
    this.vmapiGate = vmapiGate;
    this.napiGate = napiGate;
    this.napiStarter = napiStarter;
    this.webSockets = webSockets;
    this.reporting = reporting;
  }

  /** For a server tool (create-server, delete-server, add-externals): a client of its own, no gates. */
  public static TritonApis standalone(Settings settings) {
    return new TritonApis(settings, OutboundHttp.standalone(), null, null, null, null, null);
  }

  /**
   * A cn-agent's CNAPI: on the reporters' client and gate, so heartbeats pass no other thread,
   * executor or gate.
   *
   * @param connectionPerRequest {@code connection: close} on every request, as the Node agent
   */
  public CnapiApi cnapi(String userAgent, Duration timeout, boolean connectionPerRequest) {
    JsonHttpClient.Builder b = reporting == null
        ? JsonHttpClient.to(http, settings.requireCnapiUrl(), "CNAPI")
        : JsonHttpClient.to(reporting.http(), settings.requireCnapiUrl(), "CNAPI").gate(reporting.gate());
    return new CnapiApi(b.userAgent(userAgent).timeout(timeout).connectionPerRequest(connectionPerRequest).build());
  }

  /** A tool's CNAPI (30 s timeout, keep-alive). */
  public CnapiApi cnapi(String userAgent) {
    return new CnapiApi(JsonHttpClient.to(http, settings.requireCnapiUrl(), "CNAPI").userAgent(userAgent).build());
  }

  public VmapiApi vmapi(String userAgent, Duration timeout) {
    return new VmapiApi(JsonHttpClient.to(http, settings.requireVmapiUrl(), "VMAPI").userAgent(userAgent)
        .timeout(timeout).gate(vmapiGate).build());
  }

  /** A tool's VMAPI (30 s timeout). */
  public VmapiApi vmapi(String userAgent) {
    return new VmapiApi(JsonHttpClient.to(http, settings.requireVmapiUrl(), "VMAPI").userAgent(userAgent).build());
  }

  public NapiApi napi(String userAgent, Duration timeout) {
    return new NapiApi(JsonHttpClient.to(http, napiUrl(), "NAPI").userAgent(userAgent).timeout(timeout)
        .gate(napiGate).startOn(napiGate == null ? null : napiStarter).build(), webSockets);
  }

  /** A tool's NAPI (30 s timeout). */
  public NapiApi napi(String userAgent) {
    return new NapiApi(JsonHttpClient.to(http, napiUrl(), "NAPI").userAgent(userAgent).build(),
        webSockets);
  }

  /** The NAPI URL of these settings without a trailing slash (the changefeed appends its path). */
  private URI napiUrl() {
    String b = settings.requireNapiUrl().toString();
    return URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
  }

  /** For a task: IMGAPI at {@code url} (the settings' or one a task names). */
  public JsonHttpClient imgapi(URI url, String userAgent) {
    return JsonHttpClient.to(http, url, "IMGAPI").userAgent(userAgent).build();
  }

  /**
   * A config-agent's SAPI: on the shared client, behind the agents' gate (the vm-agents'), in
   * its bulk lane, so thousands of polls never stand before a heartbeat.
   */
  public JsonHttpClient sapi(String userAgent, Duration timeout) {
    JsonHttpClient.Builder b = JsonHttpClient.to(http, settings.requireSapiUrl(), "SAPI").userAgent(userAgent)
        .timeout(timeout);
    return (vmapiGate == null ? b : b.gate(vmapiGate)).build();
  }

  /** FWAPI for a firewaller, gated with the per-CN agents' requests. */
  public JsonHttpClient fwapi(String userAgent, Duration timeout) {
    JsonHttpClient.Builder b = JsonHttpClient.to(http, settings.requireFwapiUrl(), "FWAPI").userAgent(userAgent)
        .timeout(timeout);
    return (vmapiGate == null ? b : b.gate(vmapiGate)).build();
  }

  /** VMAPI as a plain JSON client (the firewaller's remote VM lookups), gated as vm-agent's. */
  public JsonHttpClient vmapiClient(String userAgent, Duration timeout) {
    return JsonHttpClient.to(http, settings.requireVmapiUrl(), "VMAPI").userAgent(userAgent).timeout(timeout)
        .gate(vmapiGate).build();
  }

  public JsonHttpClient sapi(String userAgent) {
    return JsonHttpClient.to(http, settings.requireSapiUrl(), "SAPI").userAgent(userAgent).build();
  }

  /** KBMAPI at the address a task is given ({@code recovery_config}). */
  public JsonHttpClient kbmapi(URI url, String userAgent) {
    return JsonHttpClient.to(http, url, "KBMAPI").userAgent(userAgent).build();
  }
}
