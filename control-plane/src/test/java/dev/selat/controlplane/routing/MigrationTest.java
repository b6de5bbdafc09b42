package dev.selat.controlplane.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ramp as a function of (spec, stored state, time): 0 -> 20% in 5-point steps every 10 s. */
class MigrationTest {
  static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
  static final Migration PENDING = Migration.pending("aws-sg", "alibaba-sg", 20, 5, Duration.ofSeconds(10));

  @Test
  void running_stepsEveryInterval_upToTheTarget() {
    Migration m = PENDING.start(T0);

    assertThat(m.percentAt(T0)).isEqualTo(5);
    assertThat(m.percentAt(T0.plusMillis(9_999))).isEqualTo(5);
    assertThat(m.percentAt(T0.plusSeconds(10))).isEqualTo(10);
    assertThat(m.percentAt(T0.plusSeconds(20))).isEqualTo(15);
    assertThat(m.percentAt(T0.plusSeconds(30))).isEqualTo(20);
    assertThat(m.percentAt(T0.plus(Duration.ofDays(400)))).isEqualTo(20);
    assertThat(m.complete(T0.plusSeconds(29))).isFalse();
    assertThat(m.complete(T0.plusSeconds(30))).isTrue();
  }

  @Test
  void aStepThatDoesNotDivideTheTarget_stopsAtTheTarget() {
    Migration m = Migration.pending("a", "b", 20, 15, Duration.ofSeconds(1)).start(T0);

    assertThat(m.percentAt(T0)).isEqualTo(15);
    assertThat(m.percentAt(T0.plusSeconds(1))).isEqualTo(20);
  }

  @Test
  void nextChange_isTheNextStepBoundary_andNoneOnceComplete() {
    Migration m = PENDING.start(T0);

    assertThat(m.nextChangeAfter(T0)).contains(T0.plusSeconds(10));
    assertThat(m.nextChangeAfter(T0.plusSeconds(10))).contains(T0.plusSeconds(20));
    assertThat(m.nextChangeAfter(T0.plusSeconds(25))).contains(T0.plusSeconds(30));
    assertThat(m.nextChangeAfter(T0.plusSeconds(30))).isEmpty();
    assertThat(m.pause(T0.plusSeconds(5)).nextChangeAfter(T0.plusSeconds(6))).isEmpty();
  }

  @Test
  void theStoredState_givesTheSameStepToARestartedControlPlane() {
    Migration stored = PENDING.start(T0);
    // What a control plane started later reads back from Consul KV: the same spec and state, nothing else.
    Migration readBack = new Migration(stored.fromSite(), stored.toSite(), stored.targetPercent(), stored.stepPercent(),
        stored.interval(), new Migration.State(stored.state().phase(), stored.state().basePercent(), stored.state().since()));

    for (int s = 0; s <= 40; s++) {
      assertThat(readBack.percentAt(T0.plusSeconds(s))).isEqualTo(stored.percentAt(T0.plusSeconds(s)));
    }
  }

  @Test
  void pause_holdsThePercentReached_resume_stepsOneIntervalLater() {
    Migration paused = PENDING.start(T0).pause(T0.plusSeconds(15));

    assertThat(paused.state().phase()).isEqualTo(Migration.Phase.PAUSED);
    assertThat(paused.percentAt(T0.plusSeconds(15))).isEqualTo(10);
    assertThat(paused.percentAt(T0.plus(Duration.ofHours(2)))).isEqualTo(10);

    Instant resumedAt = T0.plusSeconds(100);
    Migration resumed = paused.resume(resumedAt);
    assertThat(resumed.percentAt(resumedAt)).isEqualTo(10);
    assertThat(resumed.percentAt(resumedAt.plusSeconds(10))).isEqualTo(15);
    assertThat(resumed.percentAt(resumedAt.plusSeconds(20))).isEqualTo(20);
  }

  @Test
  void rollback_returnsToZero_andAStartAfterItRampsAgain() {
    Migration back = PENDING.start(T0).rollback(T0.plusSeconds(25));

    assertThat(back.percentAt(T0.plusSeconds(26))).isZero();
    assertThat(back.start(T0.plusSeconds(60)).percentAt(T0.plusSeconds(60))).isEqualTo(5);
  }

  @Test
  void aStartTimeInTheFuture_aReplicaWithItsClockBehind_countsAsNow() {
    assertThat(PENDING.start(T0).percentAt(T0.minusSeconds(30))).isEqualTo(5);
  }

  @Test
  void transitionsFromTheWrongPhase_areRefusedSayingWhy() {
    Migration running = PENDING.start(T0);

    assertThatThrownBy(() -> running.start(T0)).hasMessageContaining("RUNNING");
    assertThatThrownBy(() -> running.resume(T0)).hasMessageContaining("only a paused migration resumes");
    assertThatThrownBy(() -> PENDING.pause(T0)).hasMessageContaining("only a running migration pauses");
    assertThatThrownBy(() -> PENDING.rollback(T0)).hasMessageContaining("nothing to roll back");
    assertThatThrownBy(() -> running.pause(T0).start(T0)).hasMessageContaining("resume it");
  }

  @Test
  void badSpecs_areRefusedNamingTheField() {
    assertThatThrownBy(() -> Migration.pending("a", "b", 0, 1, Duration.ofSeconds(1))).hasMessageStartingWith("targetPercent");
    assertThatThrownBy(() -> Migration.pending("a", "b", 101, 1, Duration.ofSeconds(1))).hasMessageStartingWith("targetPercent");
    assertThatThrownBy(() -> Migration.pending("a", "b", 20, 21, Duration.ofSeconds(1))).hasMessageStartingWith("stepPercent");
    assertThatThrownBy(() -> Migration.pending("a", "b", 20, 5, Duration.ZERO)).hasMessageStartingWith("interval");
    assertThatThrownBy(() -> new Migration.State(Migration.Phase.RUNNING, 5, Optional.empty()))
        .hasMessageContaining("start time");
  }
}
