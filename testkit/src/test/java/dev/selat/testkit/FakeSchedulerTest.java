package dev.selat.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeSchedulerTest {
  private final FakeScheduler time = new FakeScheduler();
  private final List<String> ran = new ArrayList<>();

  @Test
  void forward_runsEachTaskAtItsDueTime_inDueThenSubmissionOrder() {
    long start = time.nanos();
    time.schedule(() -> ran.add("b@2s " + (time.nanos() - start)), 2, TimeUnit.SECONDS);
    time.schedule(() -> ran.add("a@1s " + (time.nanos() - start)), 1, TimeUnit.SECONDS);
    time.schedule(() -> ran.add("c@2s " + (time.nanos() - start)), 2, TimeUnit.SECONDS);
    time.execute(() -> ran.add("now"));

    time.forward(Duration.ofMillis(1999));
    assertThat(ran).containsExactly("now", "a@1s 1000000000");
    time.forward(Duration.ofMillis(1));

    assertThat(ran).containsExactly("now", "a@1s 1000000000", "b@2s 2000000000", "c@2s 2000000000");
    assertThat(time.nanos() - start).isEqualTo(2_000_000_000L);
    assertThat(time.wallClock().instant()).isEqualTo(new FakeClock().instant().plusSeconds(2));
  }

  @Test
  void forward_taskPostsAnotherDueInsideTheWindow_runsItToo() {
    time.schedule(() -> time.schedule(() -> ran.add("inner"), 1, TimeUnit.SECONDS), 1, TimeUnit.SECONDS);

    time.forward(Duration.ofSeconds(2));

    assertThat(ran).containsExactly("inner");
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void periodic_runsOncePerPeriod_untilCancelled() {
    ScheduledFuture<?> f = time.scheduleWithFixedDelay(() -> ran.add("tick"), 1, 1, TimeUnit.SECONDS);

    time.forward(Duration.ofSeconds(3));
    f.cancel(false);
    time.forward(Duration.ofSeconds(3));

    assertThat(ran).hasSize(3);
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void cancel_pendingTimer_neverRunsAndLeavesNothingPending() {
    ScheduledFuture<?> f = time.schedule(() -> ran.add("x"), 1, TimeUnit.SECONDS);
    assertThat(time.pendingDelays()).containsExactly(Duration.ofSeconds(1));

    f.cancel(false);
    time.forward(Duration.ofSeconds(5));

    assertThat(ran).isEmpty();
    assertThat(f.isCancelled()).isTrue();
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void taskThrows_failureReachesTheThreadMovingTime() {
    time.execute(() -> {
      throw new IllegalStateException("bug under test");
    });

    assertThatThrownBy(time::runDueTasks).hasMessage("bug under test");
  }

  @Test
  void shutdown_laterSubmissionRejected() {
    time.shutdownNow();

    assertThatThrownBy(() -> time.execute(() -> {})).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
  }
}
