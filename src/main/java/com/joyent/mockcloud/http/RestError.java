package com.joyent.mockcloud.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restify-shaped error reply: HTTP status plus {@code {"code","message",...}}. Codes are
 * spelled as restify 4 spells them on the wire (cn-agent.md §2.3, triton-apis.md §1.2),
 * including the inconsistent {@code Error} suffixes. Thrown by handlers, rendered in one
 * place ({@link RestRouter}).
 */
public class RestError extends RuntimeException {
  private final int status;
  private final String code;
  private final Map<String, Object> extra;

  public RestError(int status, String code, String message) {
    this(status, code, message, Map.of());
  }

  public RestError(int status, String code, String message, Map<String, Object> extra) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The body, key order {@code code, message, <extra>}; a null code gives {@code {"message"}}. */
  public Map<String, Object> body() {
    Map<String, Object> b = new LinkedHashMap<>();
    if (code != null) {
      b.put("code", code);
    }
    b.put("message", getMessage());
    b.putAll(extra);
    return b;
  }

  public static RestError resourceNotFound(String message) {
    return new RestError(404, "ResourceNotFound", message);
  }

  public static RestError invalidArgument(String message) {
    return new RestError(409, "InvalidArgument", message);
  }

  public static RestError missingParameter(String message) {
    return new RestError(409, "MissingParameter", message);
  }

  public static RestError invalidContent(String message) {
    return new RestError(400, "InvalidContent", message);
  }

  public static RestError internalError(String message) {
    return new RestError(500, "InternalError", message);
  }

  public static RestError methodNotAllowed(String method) {
    return new RestError(405, "MethodNotAllowedError", method + " is not allowed");
  }

  public static RestError serviceUnavailable(String message) {
    return new RestError(503, "ServiceUnavailableError", message);
  }

  /**
   * 413 for a request body over {@code maxBytes}, in restify 4.3's words: its bodyReader
   * (with {@code maxBodySize}) answers {@code new PayloadTooLargeError('Request body size
   * exceeds ' + maxBodySize)}, and an HttpError's code is the status text of Node 4 and later
   * ("Payload Too Large") run together plus {@code Error}, as {@code ServiceUnavailableError}.
   */
  public static RestError payloadTooLarge(long maxBytes) {
    return new RestError(413, "PayloadTooLargeError", "Request body size exceeds " + maxBytes);
  }

  public static RestError preconditionFailed(String message) {
    return new RestError(412, "PreconditionFailed", message);
  }

  public static RestError notAcceptable(String message) {
    return new RestError(406, "NotAcceptableError", message);
  }

  /** 422 with an {@code errors} array, as NAPI, VMAPI and CNAPI validation errors. */
  public static RestError invalidParameters(List<Map<String, Object>> errors) {
    return new RestError(422, "InvalidParameters", "Invalid parameters", Map.of("errors", errors));
  }

  public static Map<String, Object> fieldError(String field, String code, String message) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("field", field);
    e.put("code", code);
    e.put("message", message);
    return e;
  }
}
