package com.joyent.mockcloud.mirror;

import com.joyent.mockcloud.triton.ApiException;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/** Every page of a Triton list endpoint, {@code limit=1000&offset=N} until a short page (the APIs cap a page at 1000). */
final class ApiPages {
  static final int PAGE = 1000;

  private ApiPages() {}

  static List<Map<String, Object>> list(JsonHttpClient api, String path) throws IOException {
    return list(api, path, n -> { }, n -> { });
  }

  /**
   * @param more told the count so far after each full page
   * @param done told the total
   */
  static List<Map<String, Object>> list(JsonHttpClient api, String path, IntConsumer more, IntConsumer done)
      throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    String sep = path.contains("?") ? "&" : "?";
    for (int offset = 0; ; offset += PAGE) {
      String page = path + sep + "limit=" + PAGE + "&offset=" + offset;
      ApiResponse r;
      try {
        r = api.send("GET", page, null);
      } catch (IOException e) {
        throw new IOException(api.apiName() + " GET " + page + " at " + api.base() + ": " + e.getMessage(), e);
      }
      if (!r.isSuccessful()) {
        throw new ApiException(api.apiName() + " GET " + page, r);
      }
      if (!(r.body() instanceof List<?> items)) {
        throw new ApiException(api.apiName() + " GET " + page + ": answered " + r.status() + " without a JSON array");
      }
      for (Object o : items) {
        if (o instanceof Map<?, ?>) {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = (Map<String, Object>) o;
          out.add(m);
        }
      }
      if (items.size() < PAGE) {
        done.accept(out.size());
        return out;
      }
      more.accept(out.size());
    }
  }
}
