package com.joyent.mockcloud.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.server.ServerDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class FleetScanTest {
  private static final Path SERVERS = Path.of("/mc/servers");
  private final UUID running = UUID.randomUUID();
  private final UUID starting = UUID.randomUUID();
  private final UUID fresh = UUID.randomUUID();
  private final UUID half = UUID.randomUUID();
  private final UUID gone = UUID.randomUUID();
  private final List<Path> validated = new ArrayList<>();

  /** Every UUID-named entry is a server but {@code half} (its sysinfo.json not written yet). */
  private final Function<Path, Optional<ServerDirectory>> validate = p -> {
    validated.add(p);
    String name = p.getFileName().toString();
    if (name.equals(half.toString()) || name.startsWith(".") || name.equals("notes")) {
      return Optional.empty();
    }
    return Optional.of(new ServerDirectory(UUID.fromString(name), p));
  };

  private static Path entry(Object name) {
    return SERVERS.resolve(name.toString());
  }

  @Test
  void newServersStart_vanishedOnesStop_andRunningOnesAreNotLookedAtOnDisk() {
    FleetScan scan = FleetScan.of(List.of(entry(running), entry(starting), entry(fresh), entry(".staging"),
        entry("notes")), Set.of(running, gone), Set.of(starting), validate);

    assertThat(scan.toStart()).extracting(ServerDirectory::uuid).containsExactly(fresh);
    assertThat(scan.toStop()).containsExactly(gone);
    assertThat(scan.incomplete()).isFalse();
    assertThat(validated).doesNotContain(entry(running));
  }

  @Test
  void aUuidNamedEntryThatIsNotAServerYet_makesTheScanIncomplete() {
    FleetScan scan = FleetScan.of(List.of(entry(half), entry("notes")), Set.of(), Set.of(), validate);

    assertThat(scan.toStart()).isEmpty();
    assertThat(scan.toStop()).isEmpty();
    assertThat(scan.incomplete()).isTrue();
  }

  @Test
  void anEmptyListing_stopsEveryRunningCn() {
    FleetScan scan = FleetScan.of(List.of(), Set.of(running, gone), Set.of(), validate);

    assertThat(scan.toStop()).containsExactlyInAnyOrder(running, gone);
  }
}
