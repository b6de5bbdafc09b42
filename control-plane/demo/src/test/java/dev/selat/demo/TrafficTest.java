package dev.selat.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficTest {
  @Test
  void stats_sharesAndMedianOfTheAnsweredCalls_failedCountedApart() {
    Traffic.Stats stats = Traffic.Stats.of(List.of(
        new Traffic.Sample(1, "aws-sg", 4.0),
        new Traffic.Sample(2, "aws-sg", 5.0),
        new Traffic.Sample(3, "jakarta", 13.0),
        new Traffic.Sample(4, "aws-sg", 3.0),
        new Traffic.Sample(5, "", 2000.0)));

    assertThat(stats.calls()).isEqualTo(5);
    assertThat(stats.failed()).isEqualTo(1);
    assertThat(stats.percentBySite()).isEqualTo(Map.of("aws-sg", 75, "jakarta", 25));
    assertThat(stats.p50Millis()).isEqualTo(4.0);
  }

  @Test
  void stats_noAnsweredCall_noShareAndNoMedian() {
    Traffic.Stats stats = Traffic.Stats.of(List.of(new Traffic.Sample(1, "", 2000.0)));

    assertThat(stats.percentBySite()).isEmpty();
    assertThat(stats.p50Millis()).isNaN();
  }
}
