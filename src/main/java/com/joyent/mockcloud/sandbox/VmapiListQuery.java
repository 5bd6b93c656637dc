package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.json.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A validated VMAPI ListVms query (sdc-vmapi validateListVmsParams and its moray filter): every
 * documented parameter, each error in VMAPI's words, all of one request's errors in one 409
 * ValidationFailed; then the filter, the order (default {@code uuid} descending), the marker's
 * own filters, offset, limit and the fields to render.
 */
final class VmapiListQuery {
  /** Parameter names, or the part before the first dot ({@code tag.role}, {@code internal_metadata.x}). */
  static final List<String> PARAMS = List.of("alias", "billing_id", "brand", "create_timestamp", "docker", "fields",
      "image_uuid", "internal_metadata", "limit", "marker", "offset", "owner_uuid", "package_name",
      "package_version", "predicate", "query", "ram", "server_uuid", "sort", "state", "tag", "uuid", "uuids");
  /** What {@code fields} may name on a listing, besides {@code *} and {@code role_tags}. */
  static final Set<String> VM_FIELDS = Set.of("alias", "autoboot", "billing_id", "brand", "cpu_cap", "cpu_shares",
      "cpu_type", "customer_metadata", "delegate_dataset", "disk_driver", "dns_domain", "docker", "do_not_inventory",
      "firewall_enabled", "firewall_rules", "fs_allowed", "hostname", "indestructible_delegated",
      "indestructible_zoneroot", "init_name", "internal_metadata", "kernel_version", "limit_priv", "locality",
      "maintain_resolvers", "max_locked_memory", "max_lwps", "max_physical_memory", "max_swap",
      "mdata_exec_timeout", "networks", "nic_driver", "last_modified", "overprovision_cpu", "overprovision_memory",
      "owner_uuid", "package_name", "package_version", "quota", "ram", "resolvers", "state", "server_uuid", "tags",
      "tmpfs", "uuid", "vcpus", "volumes", "zfs_data_compression", "zfs_io_priority", "zfs_snapshot_limit",
      "zlog_max_size", "zone_state");
  static final Set<String> SORT_KEYS = Set.of("uuid", "owner_uuid", "image_uuid", "billing_id", "server_uuid",
      "tags", "brand", "state", "alias", "max_physical_memory", "create_timestamp", "docker");
  static final int MAX_LIMIT = 1000;

  private static final Pattern UUID = Pattern.compile("^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$");
  private static final String ALIAS_RE = "/^[a-zA-Z0-9][a-zA-Z0-9\\_\\.\\-]*$/";
  private static final Pattern ALIAS = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");
  /** VMAPI's error for an alias outside its pattern (listing and CreateVm alike). */
  static final Map<String, Object> ALIAS_INVALID =
      java.util.Collections.unmodifiableMap(invalid("alias", "String does not match regexp: " + ALIAS_RE));
  private static final String RAM_RE = "/^0$|^([1-9][0-9]*$)/";
  private static final Pattern RAM = Pattern.compile("^0$|^([1-9][0-9]*$)");
  static final List<String> BRANDS = List.of("bhyve", "joyent", "joyent-minimal", "kvm", "lx");
  static final Map<String, Object> BRAND_INVALID =
      java.util.Collections.unmodifiableMap(invalid("brand", "Must be one of: " + String.join(", ", BRANDS)));
  private static final List<String> STATES = List.of("active", "destroyed", "running", "stopped");
  private static final Comparator<Map<String, Object>> UUID_DESC =
      Comparator.comparing((Map<String, Object> vm) -> String.valueOf(vm.get("uuid"))).reversed();

  final Predicate<Map<String, Object>> filter;
  /** The marker's filters (not counted in the total), or null without a marker. */
  final Predicate<Map<String, Object>> markerFilter;
  final String markerUuid;
  final Comparator<Map<String, Object>> order;
  final int offset;
  final int limit;
  /** The fields to render in request order, or null for whole VMs. */
  final List<String> fields;
  /** A server to look at alone (its index), or null. */
  final String serverUuid;

  private VmapiListQuery(Predicate<Map<String, Object>> filter, Predicate<Map<String, Object>> markerFilter,
      String markerUuid, Comparator<Map<String, Object>> order, int offset, int limit, List<String> fields,
      String serverUuid) {
    this.filter = filter;
    this.markerFilter = markerFilter;
    this.markerUuid = markerUuid;
    this.order = order;
    this.offset = offset;
    this.limit = limit;
    this.fields = fields;
    this.serverUuid = serverUuid;
  }

  /** The default listing: every VM, uuid descending, whole. */
  static VmapiListQuery all(String serverUuid) {
    return new VmapiListQuery(vm -> true, null, null, UUID_DESC, 0, Integer.MAX_VALUE, null, serverUuid);
  }

  static boolean isAlias(String s) {
    return ALIAS.matcher(s).matches();
  }

  static boolean isUuid(String s) {
    return s != null && UUID.matcher(s).matches();
  }

  /** Validates {@code q}; throws VMAPI's 409 (or 501 for {@code query=}) and changes nothing. */
  static VmapiListQuery parse(Map<String, String> q) {
    List<Map<String, Object>> errors = new ArrayList<>();
    for (String k : q.keySet()) {
      if (!PARAMS.contains(k.split("\\.", 2)[0])) {
        errors.add(invalid(k, "Invalid parameter"));
      }
    }
    List<Predicate<Map<String, Object>>> filters = new ArrayList<>();
    Validation v = new Validation(q, errors, filters);
    v.alias();
    for (String k : List.of("billing_id")) {
      v.uuidField(k);
    }
    v.brand();
    v.createTimestamp();
    v.docker();
    List<String> fields = v.fields();
    v.uuidField("image_uuid");
    v.keyed("internal_metadata");
    int limit = v.number("limit", 1, MAX_LIMIT, "Not a valid number: number must be >= 1 and <= 1000", MAX_LIMIT);
    Map<String, Object> marker = v.marker();
    int offset = v.number("offset", 0, Integer.MAX_VALUE, "Not a valid number: number must be >= 0", 0);
    v.uuidField("owner_uuid");
    v.exact("package_name");
    v.exact("package_version");
    v.predicate();
    boolean rawQuery = q.get("query") != null && !q.get("query").isEmpty();
    v.ram();
    v.uuidField("server_uuid");
    Comparator<Map<String, Object>> order = v.sort();
    v.state();
    v.keyed("tag");
    v.uuids();
    if (errors.isEmpty() && offset > 0 && marker != null) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("fields", List.of("offset", "marker"));
      e.put("code", "ConflictingParameters");
      e.put("message", "offset and marker cannot be used at the same time");
      errors.add(e);
    }
    if (!errors.isEmpty()) {
      throw SandboxVmapi.validationFailed(errors);
    }
    if (rawQuery) {
      throw SandboxCnapi.notImplementedError("VMAPI's query= (raw LDAP filters; use predicate=)");
    }
    Predicate<Map<String, Object>> filter = vm -> true;
    for (Predicate<Map<String, Object>> f : filters) {
      filter = filter.and(f);
    }
    Predicate<Map<String, Object>> markerFilter = null;
    String markerUuid = null;
    if (marker != null) {
      markerUuid = String.valueOf(marker.get("uuid"));
      markerFilter = markerFilter(marker, v.sortKey, v.sortAscending);
    }
    return new VmapiListQuery(filter, markerFilter, markerUuid, order, offset, limit, fields, q.get("server_uuid"));
  }

  /**
   * Each marker key is its own filter, as VMAPI builds them: {@code key >= value} when the listing
   * is sorted by that key ascending, else {@code key <= value}.
   */
  private static Predicate<Map<String, Object>> markerFilter(Map<String, Object> marker, String sortKey,
      boolean ascending) {
    Predicate<Map<String, Object>> p = vm -> true;
    for (Map.Entry<String, Object> e : marker.entrySet()) {
      String key = e.getKey();
      String wanted = "create_timestamp".equals(key) ? String.valueOf(VmapiFieldValues.millis(e.getValue()))
          : VmapiFieldValues.jsString(e.getValue());
      boolean atLeast = key.equals(sortKey) && ascending;
      p = p.and(vm -> {
        Integer c = VmapiFieldValues.compare(VmapiFieldValues.value(vm, key), wanted);
        return c != null && (atLeast ? c >= 0 : c <= 0);
      });
    }
    return p;
  }

  /** Renders one page's VMs with only {@code fields} (null: whole), as VMAPI's renderVms. */
  static List<Object> render(List<Map<String, Object>> vms, List<String> fields) {
    List<Object> out = new ArrayList<>();
    if (fields == null) {
      out.addAll(vms);
      return out;
    }
    List<String> names = fields;
    if (fields.contains("*") && !vms.isEmpty()) {
      Set<String> all = new LinkedHashSet<>(vms.get(0).keySet());
      all.add("role_tags");
      names = List.copyOf(all);
    }
    for (Map<String, Object> vm : vms) {
      out.add(project(vm, names));
    }
    return out;
  }

  /** {@code {f: vm[f]}} for each name, a missing key left out, {@code role_tags} always {@code []}. */
  static Map<String, Object> project(Map<String, Object> vm, List<String> names) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String f : names) {
      if ("role_tags".equals(f)) {
        m.put(f, List.of());
      } else if (vm.containsKey(f)) {
        m.put(f, vm.get(f));
      }
    }
    return m;
  }

  static Map<String, Object> invalid(String field, String message) {
    return RestError.fieldError(field, "Invalid", message);
  }

  /** The validators in VMAPI's order; each adds its error or its filter. */
  private static final class Validation {
    private final Map<String, String> q;
    private final List<Map<String, Object>> errors;
    private final List<Predicate<Map<String, Object>>> filters;
    String sortKey = "uuid";
    boolean sortAscending;

    Validation(Map<String, String> q, List<Map<String, Object>> errors, List<Predicate<Map<String, Object>>> filters) {
      this.q = q;
      this.errors = errors;
      this.filters = filters;
    }

    void alias() {
      String a = q.get("alias");
      if (a == null) {
        return;
      }
      if (!isAlias(a)) {
        errors.add(ALIAS_INVALID);
        return;
      }
      filters.add(vm -> vm.get("alias") instanceof String s && s.startsWith(a));
    }

    void uuidField(String k) {
      String u = q.get(k);
      if (u == null) {
        return;
      }
      if (!isUuid(u)) {
        errors.add(invalid(k, "Invalid UUID"));
        return;
      }
      filters.add(vm -> u.equals(VmapiFieldValues.value(vm, k)));
    }

    void exact(String k) {
      String want = q.get(k);
      if (want != null) {
        filters.add(vm -> want.equals(vm.get(k)));
      }
    }

    void brand() {
      String b = q.get("brand");
      if (b == null) {
        return;
      }
      if (!BRANDS.contains(b)) {
        errors.add(BRAND_INVALID);
        return;
      }
      filters.add(vm -> b.equals(vm.get("brand")));
    }

    void createTimestamp() {
      String t = q.get("create_timestamp");
      if (t == null) {
        return;
      }
      Long ms = t.matches("^-?\\d+$") ? Long.valueOf(t) : VmapiFieldValues.millis(t);
      if (ms == null) {
        errors.add(invalid("create_timestamp", "Invalid timestamp: " + t));
        return;
      }
      filters.add(vm -> ms.equals(VmapiFieldValues.value(vm, "create_timestamp")));
    }

    void docker() {
      String d = q.get("docker");
      if (d == null) {
        return;
      }
      if (!d.equals("true") && !d.equals("false")) {
        errors.add(invalid("docker", "Invalid parameter"));
        return;
      }
      boolean want = d.equals("true");
      filters.add(vm -> want == Boolean.TRUE.equals(vm.get("docker")));
    }

    List<String> fields() {
      String raw = q.get("fields");
      if (raw == null) {
        return null;
      }
      List<String> names = new ArrayList<>();
      boolean ok = !raw.isEmpty();
      for (String f : raw.split(",", -1)) {
        if (!VM_FIELDS.contains(f) && !f.equals("*") && !f.equals("role_tags")) {
          ok = false;
        } else if (!names.contains(f)) {
          names.add(f);
        }
      }
      if (!ok) {
        errors.add(invalid("fields", "Invalid values: " + raw));
        return null;
      }
      return names;
    }

    /** {@code tag.KEY=VALUE} or {@code internal_metadata.KEY=VALUE}: both non-empty. */
    void keyed(String prefix) {
      for (Map.Entry<String, String> e : q.entrySet()) {
        String[] parts = e.getKey().split("\\.", 2);
        if (!parts[0].equals(prefix)) {
          continue;
        }
        String key = parts.length > 1 ? parts[1] : "";
        String value = e.getValue();
        String what = prefix.equals("tag") ? "tag" : "internal_metadata";
        if (key.isEmpty()) {
          errors.add(invalid(prefix, "Invalid " + what + " key: " + Json.compact(key)));
        } else if (value.isEmpty()) {
          errors.add(invalid(prefix, "Invalid " + what + " value: " + Json.compact(value)));
        } else if (prefix.equals("tag")) {
          filters.add(vm -> VmapiFieldValues.tagMatches(vm, key, value));
        } else {
          filters.add(vm -> VmapiFieldValues.internalMetadataMatches(vm, key, value));
        }
      }
    }

    int number(String k, int min, int max, String message, int absent) {
      String raw = q.get(k);
      if (raw == null) {
        return absent;
      }
      Integer n = raw.matches("^\\d{1,9}$") ? Integer.valueOf(raw) : null;
      if (n == null || n < min || n > max) {
        errors.add(invalid(k, message));
        return absent;
      }
      return n;
    }

    Map<String, Object> marker() {
      String raw = q.get("marker");
      if (raw == null) {
        return null;
      }
      Object parsed;
      try {
        parsed = Json.parse(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        errors.add(invalid("marker", "Invalid marker: " + raw
            + ". Could not parse marker as an object JSON representation, reason: " + jsonReason(raw)));
        return null;
      }
      if (!(parsed instanceof Map<?, ?>)) {
        errors.add(invalid("marker", "Invalid marker: " + raw + ". Marker must represent an object."));
        return null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) parsed;
      int before = errors.size();
      if (m.containsKey("create_timestamp") && VmapiFieldValues.millis(m.get("create_timestamp")) == null) {
        errors.add(invalid("marker", "Invalid marker: " + raw + ". Marker has an invalid create_timestamp field: "
            + VmapiFieldValues.jsString(m.get("create_timestamp"))));
      }
      if (!m.containsKey("uuid")) {
        errors.add(invalid("marker", "Invalid marker: " + raw
            + ". A marker needs to have a uuid property from which a strict total order can be established"));
      }
      String sort = q.get("sort");
      String key = sort == null || sort.isEmpty() ? null : sort.split("\\.", 2)[0];
      if (key != null && !m.containsKey(key)) {
        errors.add(invalid("marker", "Invalid marker: " + raw + ". All sort fields must be present in marker. "
            + "Sort fields: " + sort + "."));
      }
      for (String k : m.keySet()) {
        if (!k.equals("uuid") && !k.equals(key)) {
          errors.add(invalid("marker", "Invalid marker: " + raw + ". All marker keys except uuid must be present "
              + "in the sort parameter. Sort fields: " + (sort == null ? "undefined" : sort) + "."));
          break;
        }
      }
      return errors.size() == before ? m : null;
    }

    void predicate() {
      String raw = q.get("predicate");
      if (raw == null || raw.isEmpty()) {
        return;
      }
      Object parsed;
      try {
        parsed = Json.parse(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        errors.add(invalid("predicate", "Unable to parse predicate as JSON"));
        return;
      }
      if (parsed instanceof Map<?, ?> m && m.isEmpty()) {
        errors.add(invalid("predicate", "Empty predicate"));
      }
      try {
        VmapiPredicate p = VmapiPredicate.parse(parsed);
        filters.add(p::test);
      } catch (VmapiPredicate.SyntaxError e) {
        errors.add(invalid("predicate", "Predicate syntax error: Error: " + e.getMessage()));
      }
    }

    void ram() {
      String r = q.get("ram");
      if (r == null) {
        return;
      }
      if (!RAM.matcher(r).matches()) {
        errors.add(invalid("ram", "String does not match regexp: " + RAM_RE));
        return;
      }
      String want = r;
      filters.add(vm -> VmapiFieldValues.equalsValue(vm.get("max_physical_memory"), want));
    }

    Comparator<Map<String, Object>> sort() {
      String raw = q.get("sort");
      if (raw == null || raw.isEmpty()) {
        return UUID_DESC;
      }
      String[] parts = raw.split("\\.", -1);
      String key = parts[0];
      String dir = parts.length > 1 ? parts[1].toUpperCase(Locale.ROOT) : "ASC";
      if (!SORT_KEYS.contains(key) || parts.length > 2 || !(dir.equals("ASC") || dir.equals("DESC"))) {
        errors.add(invalid("sort", "Invalid sort param: " + raw));
        return UUID_DESC;
      }
      sortKey = key;
      sortAscending = dir.equals("ASC");
      // Postgres: NULLs last ascending, first descending; then uuid descending as VMAPI appends.
      Comparator<Object> values = Comparator.nullsLast(VmapiListQuery::compareValues);
      Comparator<Map<String, Object>> byKey = Comparator.comparing(vm -> VmapiFieldValues.value(vm, key), values);
      if (!sortAscending) {
        byKey = byKey.reversed();
      }
      return key.equals("uuid") ? byKey : byKey.thenComparing(UUID_DESC);
    }

    void state() {
      String s = q.get("state");
      if (s == null) {
        return;
      }
      if (!STATES.contains(s)) {
        errors.add(invalid("state", "Must be one of: " + String.join(", ", STATES)));
        return;
      }
      filters.add(s.equals("active") ? VmapiVms::isActive : vm -> s.equals(vm.get("state")));
    }

    void uuids() {
      String u = q.get("uuid");
      if (u != null) {
        if (!isUuid(u)) {
          errors.add(invalid("uuid", "Invalid UUID"));
        } else {
          filters.add(vm -> u.equals(vm.get("uuid")));
        }
      }
      String raw = q.get("uuids");
      if (raw == null) {
        return;
      }
      List<String> list = List.of(raw.split(",", -1));
      if (raw.isEmpty() || !list.stream().allMatch(VmapiListQuery::isUuid)) {
        errors.add(invalid("uuids", "Invalid values: " + raw));
        return;
      }
      if (u == null) { // uuid wins over uuids
        Set<String> set = Set.copyOf(list);
        filters.add(vm -> set.contains(vm.get("uuid")));
      }
    }
  }

  /** Numbers by value, strings as text, booleans false before true; mixed kinds by their text. */
  static int compareValues(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    if (a instanceof Boolean x && b instanceof Boolean y) {
      return Boolean.compare(x, y);
    }
    if (a instanceof String x && b instanceof String y) {
      return x.compareTo(y);
    }
    return Json.compact(a).compareTo(Json.compact(b));
  }

  /** Node's JSON.parse message for the first thing wrong in {@code raw}. */
  private static String jsonReason(String raw) {
    String t = raw.strip();
    if (t.isEmpty()) {
      return "Unexpected end of JSON input";
    }
    // The first character that cannot start a JSON value, as node names it.
    char c = t.charAt(0);
    if ("{[\"-0123456789tfn".indexOf(c) < 0) {
      return "Unexpected token " + c + " in JSON at position " + raw.indexOf(c);
    }
    return "Unexpected end of JSON input";
  }
}
