package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.testing.TestClock;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** VMAPI's ListVms and GetVm over HTTP as sdc-vmapi answers them (docs/sandbox.md, VMAPI). */
class VmapiListVmsTest {
  private static final String CN = Fixtures.CN_A;
  private static final String OWNER = SandboxOptions.DEFAULT_ADMIN_UUID;
  private static final String OTHER = "0f0f0f0f-0000-4000-8000-0000000000aa";
  private static final String A = "aaaaaaaa-0000-4000-8000-000000000001";
  private static final String B = "bbbbbbbb-0000-4000-8000-000000000002";
  private static final String C = "cccccccc-0000-4000-8000-000000000003";
  private static final String D = "dddddddd-0000-4000-8000-000000000004";
  private static final String IMG = "11111111-0000-4000-8000-00000000000f";
  private static final String BILLING = "22222222-0000-4000-8000-00000000000b";
  private final TestClock clock = TestClock.frozen();
  private Sandbox sandbox;
  private String vmapi;

  @BeforeEach
  void start() {
    sandbox = Sandbox.start(SandboxOptions.defaults().withClock(clock));
    vmapi = sandbox.vmapiUrl();
    put(A, "running", 128, "web0", "2026-01-01T00:00:00.000Z", Map.of("role", "web", "n", 42, "prod", true));
    put(B, "stopped", 256, "web1", "2026-01-02T00:00:00.000Z", Map.of("role", "db", "prod", "true"));
    put(C, "running", 1024, "db0", "2026-01-03T00:00:00.000Z", Map.of());
    Map<String, Object> d = vm(D, "destroyed", 512, "old", "2026-01-04T00:00:00.000Z", Map.of());
    d.put("owner_uuid", OTHER);
    d.put("docker", true);
    d.put("billing_id", BILLING);
    d.put("internal_metadata", Map.of("sdc:tag", "x1"));
    assertThat(TestHttp.put(vmapi + "/vms/" + D, d).status()).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private static Map<String, Object> vm(String uuid, String state, int ram, String alias, String created,
      Map<String, Object> tags) {
    Map<String, Object> vm = new LinkedHashMap<>(Fixtures.vm(uuid, CN, state));
    vm.put("max_physical_memory", ram);
    vm.put("alias", alias);
    vm.put("create_timestamp", created);
    vm.put("tags", tags);
    vm.put("image_uuid", IMG);
    return vm;
  }

  private void put(String uuid, String state, int ram, String alias, String created, Map<String, Object> tags) {
    assertThat(TestHttp.put(vmapi + "/vms/" + uuid, vm(uuid, state, ram, alias, created, tags)).status())
        .isEqualTo(200);
  }

  private List<Object> uuids(String query) {
    TestHttp.Reply r = TestHttp.get(vmapi + "/vms?" + query);
    assertThat(r.status()).as(query + ": " + r.body()).isEqualTo(200);
    return r.array().stream().map(vm -> vm.get("uuid")).toList();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private List<Object> predicate(String json) {
    return uuids("predicate=" + enc(json));
  }

  private TestHttp.Reply invalid(String query) {
    TestHttp.Reply r = TestHttp.get(vmapi + "/vms?" + query);
    assertThat(r.status()).as(query).isEqualTo(409);
    assertThat(r.object()).containsEntry("code", "ValidationFailed").containsEntry("message", "Invalid Parameters");
    return r;
  }

  @Test
  void defaultOrder_isUuidDescending_andEveryStateIsListed() {
    assertThat(uuids("")).containsExactly(D, C, B, A);
  }

  @Test
  void filters_uuidsBillingImageDockerRamAliasPrefixCreateTimestamp() {
    assertThat(uuids("uuids=" + A + "," + C)).containsExactly(C, A);
    assertThat(uuids("uuid=" + B + "&uuids=" + A)).containsExactly(B);
    assertThat(uuids("billing_id=" + BILLING)).containsExactly(D);
    assertThat(uuids("image_uuid=" + IMG)).containsExactly(D, C, B, A);
    assertThat(uuids("docker=true")).containsExactly(D);
    assertThat(uuids("docker=false")).containsExactly(C, B, A);
    assertThat(uuids("ram=256")).containsExactly(B);
    assertThat(uuids("alias=web")).containsExactly(B, A);
    assertThat(uuids("create_timestamp=2026-01-02T00:00:00.000Z")).containsExactly(B);
    assertThat(uuids("create_timestamp=1767225600000")).containsExactly(A);
    assertThat(uuids("owner_uuid=" + OTHER)).containsExactly(D);
    assertThat(uuids("state=active")).containsExactly(C, B, A);
    assertThat(uuids("internal_metadata.sdc:tag=x1")).containsExactly(D);
  }

  @Test
  void tags_matchByTypeAsVmapisTagString() {
    assertThat(uuids("tag.role=web")).containsExactly(A);
    assertThat(uuids("tag.n=42")).containsExactly(A);
    assertThat(uuids("tag.n=42.0")).isEmpty();
    // "true" matches the boolean and the string.
    assertThat(uuids("tag.prod=true")).containsExactly(B, A);
    assertThat(uuids("tag.role=*")).containsExactly(B, A);
    assertThat(uuids("tag.role=web&tag.prod=true")).containsExactly(A);
    assertThat(uuids("tag.role=WEB")).isEmpty();
  }

  @Test
  void sort_keysAndDirections_nullsAndTheUuidTieBreak() {
    assertThat(uuids("sort=max_physical_memory.desc")).containsExactly(C, D, B, A);
    assertThat(uuids("sort=max_physical_memory")).containsExactly(A, B, D, C);
    assertThat(uuids("sort=create_timestamp.ASC")).containsExactly(A, B, C, D);
    assertThat(uuids("sort=state.asc")).containsExactly(D, C, A, B);
    assertThat(uuids("sort=uuid.asc")).containsExactly(A, B, C, D);
    invalid("sort=ram.desc");
    assertThat(invalid("sort=create_timestamp.sideways").errors()).containsExactly(
        Map.of("field", "sort", "code", "Invalid", "message", "Invalid sort param: create_timestamp.sideways"));
  }

  @Test
  void marker_pagesOnFromTheMarkerVm_andTheCountIgnoresIt() {
    TestHttp.Reply first = TestHttp.get(vmapi + "/vms?limit=2");
    assertThat(first.array()).extracting(vm -> vm.get("uuid")).containsExactly(D, C);
    TestHttp.Reply next = TestHttp.get(vmapi + "/vms?limit=2&marker=" + enc("{\"uuid\":\"" + C + "\"}"));
    assertThat(next.array()).extracting(vm -> vm.get("uuid")).containsExactly(B, A);
    assertThat(next.header("x-joyent-resource-count")).isEqualTo("4");
    // Each marker key is a filter of its own (create_timestamp <= and uuid <= here), as in VMAPI.
    String sorted = "sort=create_timestamp.desc&limit=2&marker="
        + enc("{\"uuid\":\"" + C + "\",\"create_timestamp\":\"2026-01-03T00:00:00.000Z\"}");
    assertThat(uuids(sorted)).containsExactly(B, A);

    assertThat(invalid("offset=1&marker=" + enc("{\"uuid\":\"" + C + "\"}")).errors()).containsExactly(Map.of(
        "fields", List.of("offset", "marker"), "code", "ConflictingParameters",
        "message", "offset and marker cannot be used at the same time"));
    assertThat(invalid("marker=" + enc("[1]")).errors()).containsExactly(Map.of("field", "marker",
        "code", "Invalid", "message", "Invalid marker: [1]. Marker must represent an object."));
    assertThat(invalid("sort=alias.asc&marker=" + enc("{\"uuid\":\"" + C + "\"}")).errors())
        .extracting(e -> e.get("message")).containsExactly("Invalid marker: {\"uuid\":\"" + C + "\"}. All sort "
            + "fields must be present in marker. Sort fields: alias.asc.");
    assertThat(invalid("marker=" + enc("{\"alias\":\"x\"}")).errors()).extracting(e -> e.get("message"))
        .containsExactly("Invalid marker: {\"alias\":\"x\"}. A marker needs to have a uuid property from which a "
            + "strict total order can be established", "Invalid marker: {\"alias\":\"x\"}. All marker keys "
            + "except uuid must be present in the sort parameter. Sort fields: undefined.");
  }

  @Test
  void predicate_everyOperator_andCnapisCapacityQuery() {
    assertThat(predicate("{\"eq\":[\"state\",\"running\"]}")).containsExactly(C, A);
    assertThat(predicate("{\"ne\":[\"state\",\"running\"]}")).containsExactly(D, B);
    assertThat(predicate("{\"le\":[\"ram\",256]}")).containsExactly(B, A);
    assertThat(predicate("{\"ge\":[\"max_physical_memory\",\"512\"]}")).containsExactly(D, C);
    assertThat(predicate("{\"lt\":[\"ram\",256]}")).containsExactly(A);
    assertThat(predicate("{\"gt\":[\"ram\",512]}")).containsExactly(C);
    assertThat(predicate("{\"eq\":[\"alias\",\"web*\"]}")).containsExactly(B, A);
    assertThat(predicate("{\"eq\":[\"tag.role\",\"db\"]}")).containsExactly(B);
    assertThat(predicate("{\"or\":[{\"eq\":[\"alias\",\"db0\"]},{\"and\":[{\"eq\":[\"state\",\"stopped\"]},"
        + "{\"ge\":[\"ram\",100]}]}]}")).containsExactly(C, B);
    // No special meaning for "active" inside a predicate.
    assertThat(predicate("{\"eq\":[\"state\",\"active\"]}")).isEmpty();

    // What CNAPI 1.26.4 sends for a server's capacity, then its next page.
    String fields = "uuid,owner_uuid,quota,max_physical_memory,zone_state,state,brand,cpu_cap,last_modified";
    String capacity = "fields=" + enc(fields) + "&server_uuid=" + CN + "&predicate=" + enc("{\"and\":["
        + "{\"ne\":[\"state\",\"destroyed\"]},{\"ne\":[\"state\",\"failed\"]},{\"ne\":[\"state\",\"provisioning\"]}]}");
    TestHttp.Reply r = TestHttp.get(vmapi + "/vms?" + capacity + "&offset=0");
    assertThat(r.array()).extracting(vm -> vm.get("uuid")).containsExactly(C, B, A);
    assertThat(r.array().get(0).keySet()).containsExactlyElementsOf(List.of(fields.split(",")));
    assertThat(TestHttp.get(vmapi + "/vms?" + capacity + "&offset=3&limit=3").array()).isEmpty();
  }

  @Test
  void predicate_errors_inVmapisWords() {
    assertThat(invalid("predicate=" + enc("{nope")).errors()).containsExactly(
        Map.of("field", "predicate", "code", "Invalid", "message", "Unable to parse predicate as JSON"));
    assertThat(invalid("predicate=" + enc("{}")).errors()).extracting(e -> e.get("message")).containsExactly(
        "Empty predicate", "Predicate syntax error: Error: predicate is missing a key");
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("[1]", "predicate must be an object");
    cases.put("{\"eq\":[\"a\",1],\"ne\":[\"a\",1]}", "found too many keys: 2. expected one");
    cases.put("{\"like\":[\"a\",1]}", "invalid key: like");
    cases.put("{\"eq\":\"a\"}", "predicate key does not point to an array");
    cases.put("{\"eq\":[\"a\"]}", "predicate key does not point to an array of two elements: found 1 elements");
    cases.put("{\"eq\":[1,1]}", "predicate field is not a string: got 1.");
    cases.put("{\"eq\":[\"a\",[1]]}", "predicate constant is not a constant: got [1].");
    cases.put("{\"or\":{}}", "logical expr key does not point to an array");
    cases.put("{\"or\":[{\"eq\":[\"a\",1]}]}",
        "logical expr key \"or\" does not contain enough elements: found 1, expected at least two");
    cases.forEach((p, msg) -> assertThat(invalid("predicate=" + enc(p)).errors()).as(p).containsExactly(
        Map.of("field", "predicate", "code", "Invalid", "message", "Predicate syntax error: Error: " + msg)));
  }

  @Test
  void badParameters_allReportedTogether() {
    TestHttp.Reply r = invalid("colour=red&uuids=" + A + ",nope&billing_id=x&image_uuid=" + A.toUpperCase()
        + "&docker=yes&ram=12.5&alias=-x&brand=zone&create_timestamp=soon&state=provisioning&fields=uuid,nics"
        + "&tag.=x&limit=0&offset=-1");
    assertThat(r.errors()).extracting(e -> e.get("field")).containsExactlyInAnyOrder("colour", "uuids",
        "billing_id", "image_uuid", "docker", "ram", "alias", "brand", "create_timestamp", "state", "fields", "tag",
        "limit", "offset");
    Map<Object, Object> byField = new LinkedHashMap<>();
    r.errors().forEach(e -> byField.put(e.get("field"), e.get("message")));
    assertThat(byField).containsEntry("colour", "Invalid parameter")
        .containsEntry("uuids", "Invalid values: " + A + ",nope")
        .containsEntry("ram", "String does not match regexp: /^0$|^([1-9][0-9]*$)/")
        .containsEntry("brand", "Must be one of: bhyve, joyent, joyent-minimal, kvm, lx")
        .containsEntry("state", "Must be one of: active, destroyed, running, stopped")
        .containsEntry("fields", "Invalid values: uuid,nics")
        .containsEntry("create_timestamp", "Invalid timestamp: soon")
        .containsEntry("tag", "Invalid tag key: \"\"");
  }

  @Test
  void fields_inRequestOrder_starAndRoleTags() {
    TestHttp.Reply r = TestHttp.get(vmapi + "/vms?uuid=" + A + "&fields=state,uuid,state,role_tags");
    assertThat(r.array()).containsExactly(Map.of("state", "running", "uuid", A, "role_tags", List.of()));
    assertThat(List.copyOf(r.array().get(0).keySet())).containsExactly("state", "uuid", "role_tags");
    Map<String, Object> star = TestHttp.get(vmapi + "/vms?uuid=" + A + "&fields=*").array().get(0);
    assertThat(star).containsEntry("role_tags", List.of()).containsKeys("uuid", "nics", "create_timestamp");
  }

  @Test
  void roleTags_validOnesMatchNothing_invalidOnesAreRefused() {
    TestHttp.Reply none = TestHttp.get(vmapi + "/vms?role_tags=" + B);
    assertThat(none.array()).isEmpty();
    assertThat(none.header("x-joyent-resource-count")).isEqualTo("0");
    TestHttp.Reply bad = TestHttp.get(vmapi + "/vms?role_tags=nope");
    assertThat(bad.status()).isEqualTo(409);
    assertThat(bad.object()).containsEntry("message", "Invalid Role Tags");
  }

  @Test
  void rawLdapQuery_isAClearNotImplemented() {
    TestHttp.Reply r = TestHttp.get(vmapi + "/vms?query=" + enc("(state=running)"));
    assertThat(r.status()).isEqualTo(501);
    assertThat(r.object()).containsEntry("code", "NotImplementedError");
  }

  @Test
  void head_countsInHeaders_withNoBody() {
    TestHttp.Reply all = TestHttp.send("HEAD", vmapi + "/vms?state=active", null, Map.of());
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.header("x-joyent-resource-count")).isEqualTo("3");
    assertThat(all.body()).isEmpty();
    TestHttp.Reply one = TestHttp.send("HEAD", vmapi + "/vms/" + A, null, Map.of());
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.body()).isEmpty();
    assertThat(Long.parseLong(one.header("content-length")))
        .isEqualTo(TestHttp.get(vmapi + "/vms/" + A).body().getBytes(StandardCharsets.UTF_8).length);
    assertThat(TestHttp.send("HEAD", vmapi + "/vms/" + "eeeeeeee-0000-4000-8000-000000000005", null, Map.of())
        .status()).isEqualTo(404);
    assertThat(TestHttp.send("HEAD", vmapi + "/vms?colour=red", null, Map.of()).status()).isEqualTo(409);
  }

  @Test
  void getVm_ownerMustOwnIt_fieldsPickKeys() {
    assertThat(TestHttp.get(vmapi + "/vms/" + A + "?owner_uuid=" + OWNER).status()).isEqualTo(200);
    TestHttp.Reply other = TestHttp.get(vmapi + "/vms/" + A + "?owner_uuid=" + OTHER);
    assertThat(other.status()).isEqualTo(404);
    assertThat(other.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"VM not found\"}");
    TestHttp.Reply badOwner = TestHttp.get(vmapi + "/vms/" + A + "?owner_uuid=nope");
    assertThat(badOwner.status()).isEqualTo(409);
    assertThat(badOwner.errorFields()).containsExactly("owner_uuid");

    assertThat(TestHttp.get(vmapi + "/vms/" + A + "?fields=uuid,state,nosuch").object())
        .isEqualTo(Map.of("uuid", A, "state", "running"));
    assertThat(TestHttp.get(vmapi + "/vms/" + A + "?fields=").object()).containsKeys("nics", "tags");
    // GetVm checks no other parameter.
    assertThat(TestHttp.get(vmapi + "/vms/" + A + "?colour=red&state=active").status()).isEqualTo(200);
    assertThat(Set.of(TestHttp.get(vmapi + "/vms/" + A.toUpperCase()).status())).containsExactly(409);
  }
}
