package com.joyent.mockcloud.triton;

/** An API answered something the caller cannot go on with; the message says which call and what came back. */
public final class ApiException extends RuntimeException {
  private final ApiResponse response;

  public ApiException(String call, ApiResponse response) {
    super(call + ": " + response.status()
        + (response.restCode() != null ? " " + response.restCode() : "")
        + (response.errorMessage() != null ? ": " + response.errorMessage() : ""));
    this.response = response;
  }

  public ApiException(String message) {
    super(message);
    this.response = null;
  }

  public ApiResponse response() {
    return response;
  }
}
