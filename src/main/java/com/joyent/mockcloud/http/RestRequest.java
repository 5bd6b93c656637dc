package com.joyent.mockcloud.http;

import io.undertow.server.HttpServerExchange;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One parsed request as restify presents it: path parameters, query and JSON body merged
 * into {@link #params()} (restify {@code mapParams}; a truthy query value wins over the same
 * body key), plus the raw body value and headers.
 */
public final class RestRequest {
  private final HttpServerExchange exchange;
  private final String requestId;
  private final Map<String, String> pathParams;
  private final Map<String, String> query;
  private final Object body;
  private final Map<String, Object> params;

  RestRequest(HttpServerExchange exchange, String requestId, Map<String, String> pathParams, Object body) {
    this.exchange = exchange;
    this.requestId = requestId;
    this.pathParams = pathParams;
    this.body = body;
    this.query = new LinkedHashMap<>();
    for (Map.Entry<String, Deque<String>> e : exchange.getQueryParameters().entrySet()) {
      if (!e.getValue().isEmpty()) {
        query.put(e.getKey(), e.getValue().getLast());
      }
    }
    Map<String, Object> p = new LinkedHashMap<>();
    if (body instanceof Map<?, ?> m) {
      m.forEach((k, v) -> p.put(String.valueOf(k), v));
    }
    query.forEach((k, v) -> {
      if (!v.isEmpty() || !p.containsKey(k)) {
        p.put(k, v);
      }
    });
    p.putAll(pathParams);
    this.params = p;
  }

  public String method() {
    return exchange.getRequestMethod().toString();
  }

  public String path() {
    return exchange.getRequestPath();
  }

  public String requestId() {
    return requestId;
  }

  public String pathParam(String name) {
    return pathParams.get(name);
  }

  public Map<String, String> query() {
    return query;
  }

  /** The parsed JSON body: a Map, a List, a scalar, or null when there was none. */
  public Object body() {
    return body;
  }

  @SuppressWarnings("unchecked")
  public Map<String, Object> bodyObject() {
    return body instanceof Map<?, ?> ? (Map<String, Object>) body : new LinkedHashMap<>();
  }

  public Map<String, Object> params() {
    return params;
  }

  public String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  public List<String> queryNames() {
    return List.copyOf(query.keySet());
  }

  public HttpServerExchange exchange() {
    return exchange;
  }
}
