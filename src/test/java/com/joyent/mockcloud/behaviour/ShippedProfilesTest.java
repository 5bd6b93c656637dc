package com.joyent.mockcloud.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.behaviour.Behaviour.Agent;
import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatMode;
import com.joyent.mockcloud.cnagent.CnAgent;
import com.joyent.mockcloud.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The example profiles under docs/profiles pass the checks a daemon makes, and say what docs/behaviour.md says. */
class ShippedProfilesTest {
  private static final Path DIR = Path.of("docs", "profiles");
  private final BehaviourParser parser = new BehaviourParser(CnAgent::isTask);

  private Behaviour load(String name) throws Exception {
    return BehaviourParser.build(parser.check(Json.parse(Files.readAllBytes(DIR.resolve(name)))));
  }

  @Test
  void everyShippedProfile_isAcceptedAsIs() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(DIR)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).extracting(p -> p.getFileName().toString())
        .containsExactly("agent-outage.json", "flaky-network.json", "realistic.json");
    for (Path f : files) {
      assertThat(load(f.getFileName().toString()).isIdeal()).as(f.toString()).isFalse();
    }
  }

  @Test
  void theProfiles_meanWhatTheGuideSays() throws Exception {
    Behaviour realistic = load("realistic.json");
    assertThat(realistic.task("machine_create").latencyMinMs()).isEqualTo(15_000);
    assertThat(realistic.task("machine_create").failRate()).isEqualTo(0.01);
    assertThat(realistic.task("nop").latencyMaxMs()).isEqualTo(500);
    Behaviour flaky = load("flaky-network.json");
    assertThat(flaky.heartbeat().mode()).isEqualTo(HeartbeatMode.DROP);
    assertThat(flaky.heartbeat().dropRate()).isEqualTo(0.15);
    assertThat(load("agent-outage.json").pausedAgents()).containsExactlyInAnyOrder(Agent.values());
  }
}
