package com.joyent.mockcloud.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;

class RescanScheduleTest {
  private static final long LISTED_AT = 1_000_000;
  private final RescanSchedule schedule = new RescanSchedule();

  @Test
  void aStillDirectory_isListedOnceThenEvery30thTime() {
    FileTime old = FileTime.fromMillis(LISTED_AT - 60_000);
    assertThat(schedule.shouldList(old)).isTrue();
    schedule.listed(old, LISTED_AT, false);
    int listings = 0;
    for (int i = 0; i < 3 * RescanSchedule.FULL_RESCAN_EVERY; i++) {
      if (schedule.shouldList(old)) {
        listings++;
      }
    }
    assertThat(listings).isEqualTo(3);
  }

  @Test
  void aChangedMtime_isListedAtOnce() {
    schedule.shouldList(FileTime.fromMillis(1));
    schedule.listed(FileTime.fromMillis(1), LISTED_AT, false);
    assertThat(schedule.shouldList(FileTime.fromMillis(2))).isTrue();
  }

  @Test
  void aRacyMtime_anIncompleteEntry_aFailure_orAnUnreadableMtime_listAgain() {
    FileTime racy = FileTime.fromMillis(LISTED_AT - RescanSchedule.RACY_MTIME_MILLIS + 1);
    schedule.listed(racy, LISTED_AT, false);
    assertThat(schedule.shouldList(racy)).isTrue();

    FileTime old = FileTime.fromMillis(LISTED_AT - 60_000);
    schedule.listed(old, LISTED_AT, true);
    assertThat(schedule.shouldList(old)).isTrue();

    schedule.listed(old, LISTED_AT, false);
    schedule.listAgain();
    assertThat(schedule.shouldList(old)).isTrue();

    schedule.listed(null, LISTED_AT, false);
    assertThat(schedule.shouldList(null)).isTrue();
  }
}
