package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * NAPI nic tags by name (§3.3). Every method locks the store; the critical sections are
 * map operations, so callers on I/O threads never wait long.
 */
public final class NicTagStore {
  private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_]{1,31}$");
  private final Map<String, Map<String, Object>> tags = new LinkedHashMap<>();

  /** Creates a tag; 422 Duplicate when the name exists, 422 InvalidParameter for bad name/mtu. */
  public synchronized Map<String, Object> create(Object name, Object mtuParam) {
    List<Map<String, Object>> errors = new ArrayList<>();
    int mtu = 1500;
    if (name == null) {
      errors.add(RestError.fieldError("name", "MissingParameter", "Missing parameter"));
    } else if (!(name instanceof String s) || !NAME.matcher(s).matches()) {
      errors.add(RestError.fieldError("name", "InvalidParameter",
          "must only contain numbers, letters and underscores"));
    } else if (tags.containsKey(s)) {
      errors.add(RestError.fieldError("name", "Duplicate", "Already exists"));
    }
    if (mtuParam != null) {
      Integer m = Values.parseInt(mtuParam);
      if (m == null || m < 1500 || m > 9000) {
        errors.add(RestError.fieldError("mtu", "InvalidParameter", "mtu must be a number between 1500 and 9000"));
      } else if ("admin".equals(name) && m != 1500) {
        errors.add(RestError.fieldError("mtu", "InvalidParameter", "admin nic tag mtu must be 1500"));
      } else {
        mtu = m;
      }
    }
    if (!errors.isEmpty()) {
      throw RestError.invalidParameters(errors);
    }
    Map<String, Object> tag = new LinkedHashMap<>();
    tag.put("name", name);
    tag.put("uuid", UUID.randomUUID().toString());
    tag.put("mtu", mtu);
    tags.put((String) name, tag);
    return new LinkedHashMap<>(tag);
  }

  /** Creates the tag unless it exists (what CNAPI's sysinfo registration amounts to). */
  public synchronized void ensure(String name) {
    if (!tags.containsKey(name) && NAME.matcher(name).matches()) {
      create(name, null);
    }
  }

  public synchronized Map<String, Object> get(String name) {
    Map<String, Object> t = tags.get(name);
    if (t == null) {
      throw RestError.resourceNotFound("nic tag not found");
    }
    return new LinkedHashMap<>(t);
  }

  public synchronized boolean exists(String name) {
    return tags.containsKey(name);
  }

  public synchronized List<Map<String, Object>> list() {
    List<Map<String, Object>> out = new ArrayList<>();
    tags.values().forEach(t -> out.add(new LinkedHashMap<>(t)));
    return out;
  }

  public synchronized Map<String, Object> updateMtu(String name, Object mtuParam) {
    Map<String, Object> t = tags.get(name);
    if (t == null) {
      throw RestError.resourceNotFound("nic tag not found");
    }
    Integer m = Values.parseInt(mtuParam);
    if (mtuParam != null) {
      if (m == null || m < 1500 || m > 9000 || ("admin".equals(name) && m != 1500)) {
        throw RestError.invalidParameters(List.of(RestError.fieldError("mtu", "InvalidParameter",
            "mtu must be a number between 1500 and 9000")));
      }
      t.put("mtu", m);
    }
    return new LinkedHashMap<>(t);
  }

  public synchronized void delete(String name) {
    if (tags.remove(name) == null) {
      throw RestError.resourceNotFound("nic tag not found");
    }
  }
}
