package dev.selat.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code selat demo} as a person runs it, in a real terminal (tmux): the live view comes up, keys take the tour's steps
 * and the screen shows what they did, measured by the demo's own traffic over real Envoys and Toxiproxy links. After
 * {@code q}, Ctrl-C, or a SIGTERM to the demo, no process of its group is left and every port it bound is free; each
 * run after the first also shows that a second run starts clean.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoIT {
  private static final Path DIR = Path.of("target", "demo-it");
  private static final Duration STEP_SHOWN = Duration.ofSeconds(5);
  private static final int ROWS = 9; // 3 sites x 3 services

  /**
   * Start -> jakarta's traffic stays local -> leased line +30 ms -> alibaba-sg's calls of catalog all go to aws-sg, and
   * its calls of payments (only in jakarta, over the leased line) take 30 ms longer -> restore -> back. Each change is
   * on the screen within 5 s of its key. Then {@code q}.
   */
  @Test
  @Order(1)
  void tour_leasedLineDegradedAndRestored_theScreenFollowsTheLink() throws Exception {
    try (TmuxDemo demo = TmuxDemo.start("selat-demo-it-tour", DIR)) {
      demo.awaitRunning(ROWS);
      await("calls settled on their routes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .ignoreExceptions().untilAsserted(() -> {
            Map<String, TmuxDemo.TrafficRow> rows = demo.traffic();
            for (String service : DemoTopology.SERVICES) {
              assertThat(rows.get("jakarta>" + service).answeredBy()).isEqualTo("jakarta 100%");
            }
            assertThat(rows.get("alibaba-sg>catalog").answeredBy()).matches("aws-sg \\d+% jakarta \\d+%");
            assertThat(rows.get("alibaba-sg>payments").p50Millis()).isBetween(12.0, 30.0);
          });
      double paymentsBefore = demo.traffic().get("alibaba-sg>payments").p50Millis();
      String before = demo.screen();

      long step = System.nanoTime();
      demo.sendKeys("l");
      shownWithin(demo, "leased line +30 ms", step, STEP_SHOWN, rows -> {
        assertThat(demo.screen()).containsPattern("leased-line +jakarta - alibaba-sg +42 ms");
        assertThat(rows.get("alibaba-sg>catalog").route()).isEqualTo("aws-sg 100%");
        assertThat(rows.get("alibaba-sg>catalog").answeredBy()).isEqualTo("aws-sg 100%");
        assertThat(rows.get("alibaba-sg>payments").p50Millis()).isGreaterThanOrEqualTo(42.0);
        assertThat(rows.get("jakarta>catalog").answeredBy()).isEqualTo("jakarta 100%");
      });
      assertThat(demo.screen()).contains("reroute: alibaba-sg > catalog:");
      double paymentsDegraded = demo.traffic().get("alibaba-sg>payments").p50Millis();

      step = System.nanoTime();
      demo.sendKeys("r");
      shownWithin(demo, "restore", step, STEP_SHOWN, rows -> {
        assertThat(demo.screen()).containsPattern("leased-line +jakarta - alibaba-sg +12 ms");
        assertThat(rows.get("alibaba-sg>catalog").route()).matches("aws-sg \\d+% jakarta \\d+%");
        assertThat(rows.get("alibaba-sg>catalog").answeredBy()).matches("aws-sg \\d+% jakarta \\d+%");
        assertThat(rows.get("alibaba-sg>payments").p50Millis()).isLessThan(30.0);
      });
      System.out.printf("DemoIT: alibaba-sg > payments p50 %.1f ms, leased line +30 ms: %.1f ms, restored: %.1f ms%n",
          paymentsBefore, paymentsDegraded, demo.traffic().get("alibaba-sg>payments").p50Millis());
      System.out.println("DemoIT: the screen before the tour:\n" + before);

      Set<String> ports = demo.boundPorts();
      demo.sendKeys("q");
      assertNothingLeft(demo, ports);
    }
  }

  /** With {@code --sites 4} (alibaba-jkt added by the control plane's config only), then Ctrl-C. */
  @Test
  @Order(2)
  void fourSites_thenCtrlC_stopsEverything() throws Exception {
    try (TmuxDemo demo = TmuxDemo.start("selat-demo-it-ctrl-c", DIR, "--sites", "4")) {
      demo.awaitRunning(4 * DemoTopology.SERVICES.size());
      await("alibaba-jkt measured and routed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .ignoreExceptions().untilAsserted(() -> {
            assertThat(demo.screen()).containsPattern("jkt-metro +jakarta - alibaba-jkt +2 ms")
                .containsPattern("alibaba-jkt +\\d+\\.\\d probe");
            Map<String, TmuxDemo.TrafficRow> rows = demo.traffic();
            assertThat(rows.get("alibaba-jkt>web").answeredBy()).isEqualTo("alibaba-jkt 100%");
            assertThat(rows.get("alibaba-jkt>payments").answeredBy()).isEqualTo("jakarta 100%");
          });
      Set<String> ports = demo.boundPorts();
      demo.sendKeys("C-c");
      assertNothingLeft(demo, ports);
    }
  }

  @Test
  @Order(3)
  void sigterm_stopsEverything() throws Exception {
    try (TmuxDemo demo = TmuxDemo.start("selat-demo-it-kill", DIR)) {
      demo.awaitRunning(ROWS);
      Set<String> ports = demo.boundPorts();
      TmuxDemo.check("kill", String.valueOf(demo.pid()));
      assertNothingLeft(demo, ports);
    }
  }

  /** {@code check} holds on the screen within {@code within} of {@code stepNanos}; prints how long it took. */
  private static void shownWithin(TmuxDemo demo, String step, long stepNanos, Duration within,
      Consumer<Map<String, TmuxDemo.TrafficRow>> check) {
    Duration left = within.minusNanos(System.nanoTime() - stepNanos);
    await(step + " on the screen").atMost(left).pollInterval(Duration.ofMillis(200)).pollDelay(Duration.ZERO)
        .ignoreExceptions().untilAsserted(() -> check.accept(demo.traffic()));
    System.out.printf("DemoIT: %s shown %.1f s after its key%n", step, (System.nanoTime() - stepNanos) / 1e9);
  }

  private static void assertNothingLeft(TmuxDemo demo, Set<String> ports) throws Exception {
    assertThat(ports).as("ports the demo bound").isNotEmpty();
    await("the demo exits").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> !demo.alive());
    await("its process group is empty").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(demo.group()).isEmpty());
    assertThat(ports.stream().filter(p -> !TmuxDemo.free(p)).toList()).as("ports still bound, of " + ports).isEmpty();
    System.out.println("DemoIT: exit left no process and freed " + ports.size() + " ports; last screen:\n"
        + demo.screen().lines().skip(Math.max(0, demo.screen().lines().count() - 4)).reduce("", (a, b) -> a + b + "\n"));
  }
}
