package dev.selat.controlplane.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selat.testkit.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PropagationTest {
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  private static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private final FakeClock clock = new FakeClock(Instant.parse("2026-12-03T00:00:00Z"));
  private final List<Duration> recorded = new ArrayList<>();
  private final Propagation propagation = new Propagation(clock, recorded::add);

  @Test
  void lastAckOfTheGroup_recordsFromTheChangeObserved() {
    Instant observed = clock.instant();
    clock.advance(Duration.ofMillis(100));
    propagation.publishing("g", observed);
    propagation.responded(1, "g", CDS);
    propagation.responded(1, "g", EDS);
    propagation.responded(2, "g", EDS);
    clock.advance(Duration.ofMillis(50));
    propagation.answered(1, CDS);
    propagation.answered(1, EDS);
    assertThat(recorded).as("stream 2 has not ACKed yet").isEmpty();

    clock.advance(Duration.ofMillis(50));
    propagation.answered(2, EDS);

    assertThat(recorded).containsExactly(Duration.ofMillis(200));
  }

  @Test
  void publishNobodyNeeded_droppedAtTheNextPublish_neverRecorded() {
    propagation.publishing("g", clock.instant());
    clock.advance(Duration.ofSeconds(60));
    Instant second = clock.instant();
    propagation.publishing("g", second);
    propagation.responded(1, "g", CDS);
    clock.advance(Duration.ofMillis(30));
    propagation.answered(1, CDS);

    assertThat(recorded).containsExactly(Duration.ofMillis(30));
  }

  @Test
  void twoPublishesInFlight_bothRecordedAtTheLastAck_eachFromItsOwnChange() {
    Instant first = clock.instant();
    propagation.publishing("g", first);
    propagation.responded(1, "g", CDS);
    clock.advance(Duration.ofMillis(10));
    propagation.publishing("g", clock.instant());
    propagation.responded(2, "g", CDS);
    clock.advance(Duration.ofMillis(10));
    propagation.answered(1, CDS);
    assertThat(recorded).isEmpty();

    propagation.answered(2, CDS);

    assertThat(recorded).containsExactly(Duration.ofMillis(20), Duration.ofMillis(10));
  }

  @Test
  void streamClosedWithAResponseInFlight_doesNotHoldTheGroup() {
    propagation.publishing("g", clock.instant());
    propagation.responded(1, "g", CDS);
    propagation.responded(2, "g", CDS);
    clock.advance(Duration.ofMillis(40));
    propagation.answered(1, CDS);

    propagation.closed(2);

    assertThat(recorded).containsExactly(Duration.ofMillis(40));
  }

  @Test
  void groupsAreApart_anAckInOneNeverRecordsTheOther() {
    propagation.publishing("a", clock.instant());
    propagation.publishing("b", clock.instant());
    propagation.responded(1, "a", CDS);
    propagation.responded(2, "b", CDS);

    propagation.answered(1, CDS);

    assertThat(recorded).hasSize(1);
  }

  @Test
  void responseBeforeAnyPublish_recordsNothing() {
    propagation.responded(1, "g", CDS);
    propagation.answered(1, CDS);
    propagation.answered(1, CDS);

    assertThat(recorded).isEmpty();
  }
}
