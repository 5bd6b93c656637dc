package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The vminfod differ, spec §3.3 (cases B40, B41 at the unit level). */
class VmDiffTest {
  @Test
  void diff_scalarChange_isChangedWithPath() {
    List<VmChange> c = VmDiff.diff(Json.parseObject("{\"state\":\"running\",\"a\":1}"),
        Json.parseObject("{\"state\":\"stopped\",\"a\":1.0}"));
    assertThat(c).extracting(VmChange::toMap).containsExactly(Map.of("prettyPath", "state",
        "path", List.of("state"), "action", "changed", "oldValue", "running", "newValue", "stopped"));
  }

  @Test
  void diff_keysRemovedThenAdded_inOldKeyOrder() {
    List<VmChange> c = VmDiff.diff(Json.parseObject("{\"a\":1,\"b\":2}"), Json.parseObject("{\"b\":2,\"c\":3}"));
    assertThat(c).extracting(VmChange::prettyPath, VmChange::action)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "removed"), org.assertj.core.groups.Tuple.tuple("c", "added"));
    assertThat(c.get(0).toMap()).containsOnlyKeys("prettyPath", "path", "action", "oldValue");
    assertThat(c.get(1).toMap()).containsOnlyKeys("prettyPath", "path", "action", "newValue");
  }

  @Test
  void diff_modifiedNic_isOneRemovedAndOneAddedUnderNicsStar() {
    List<VmChange> c = VmDiff.diff(
        Json.parseObject("{\"nics\":[{\"mac\":\"m1\",\"primary\":true},{\"mac\":\"m2\"}]}"),
        Json.parseObject("{\"nics\":[{\"mac\":\"m1\"},{\"mac\":\"m2\"}]}"));
    assertThat(c).extracting(VmChange::prettyPath, VmChange::action).containsExactly(
        org.assertj.core.groups.Tuple.tuple("nics.*", "removed"), org.assertj.core.groups.Tuple.tuple("nics.*", "added"));
    assertThat(c.get(0).path()).isEqualTo(Arrays.asList("nics", null));
  }

  @Test
  void prettyPath_elementWithDotOrBrackets_isBracketed() {
    assertThat(VmChange.prettyPath(List.of("tags", "docker:label:com.docker.blah")))
        .isEqualTo("tags[docker:label:com.docker.blah]");
    assertThat(VmChange.prettyPath(List.of("customer_metadata", "foo"))).isEqualTo("customer_metadata.foo");
    assertThat(VmChange.prettyPath(List.of("a", "x[1]"))).isEqualTo("a[x\\[1\\]]");
    assertThat(VmChange.prettyPath(Arrays.asList("nics", null))).isEqualTo("nics.*");
  }

  @Test
  void diff_nullToObject_isChangedNotCrash() {
    List<VmChange> c = VmDiff.diff(Json.parseObject("{\"routes\":null}"), Json.parseObject("{\"routes\":{\"a\":\"b\"}}"));
    assertThat(c).extracting(VmChange::action).containsExactly("changed");
  }

  @Test
  void diff_nestedObject_recurses() {
    List<VmChange> c = VmDiff.diff(Json.parseObject("{\"tags\":{\"a\":1}}"), Json.parseObject("{\"tags\":{\"a\":2,\"b\":3}}"));
    assertThat(c).extracting(VmChange::prettyPath).containsExactly("tags.a", "tags.b");
  }
}
