package dev.selat.controlplane.policy;

import static dev.selat.controlplane.policy.PolicyFixtures.PARSER;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.selat.controlplane.routing.Brain;
import dev.selat.controlplane.routing.Policy;
import dev.selat.controlplane.routing.PolicyInput;
import dev.selat.controlplane.config.RoutingSettings;
import dev.selat.controlplane.routing.HeldLatency;
import dev.selat.controlplane.routing.SiteInput;
import dev.selat.proto.v1.RoutingPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * 100,000 random mutations of good policies ({@link PolicyMutations}) through Validate: nothing throws; a rejection
 * names only real field paths; an accepted one parses, routes, and survives protobuf JSON (what Consul KV stores) unchanged.
 */
class PolicyMutationTest {
  static final int MUTATIONS = 100_000;

  @Test
  void randomMutations_neverCrash_rejectionsNameRealFields_acceptedOnesRoundTrip() throws Exception {
    SplittableRandom random = new SplittableRandom(14);
    int rejected = 0;
    int accepted = 0;
    Map<String, SiteInput> sites = Map.of("jakarta", SiteInput.fresh("jakarta", "id-jkt", Map.of()));
    long started = System.nanoTime();
    for (int i = 0; i < MUTATIONS; i++) {
      RoutingPolicy p = PolicyMutations.next(random);
      List<Violation> violations = PARSER.validate(p);
      if (violations.isEmpty()) {
        accepted++;
        Policy parsed = PARSER.parse(p);
        RoutingPolicy.Builder back = RoutingPolicy.newBuilder();
        JsonFormat.parser().merge(JsonFormat.printer().print(p), back);
        assertThat(back.build()).as("JSON round trip").isEqualTo(p);
        assertThat(PARSER.parse(back.build())).isEqualTo(parsed);
        Brain.route("payments", "jakarta", sites, HeldLatency.EMPTY, RoutingSettings.DEFAULT,
            new PolicyInput(List.of(parsed), Map.of(), Instant.EPOCH));
      } else {
        rejected++;
        for (Violation v : violations) {
          assertThat(FieldPaths.exists(v.field())).as("%s in %s", v, p).isTrue();
          assertThat(v.description()).isNotBlank();
        }
      }
    }
    System.out.printf("PolicyMutationTest: %d mutations, %d rejected, %d accepted, %d ms%n", MUTATIONS, rejected,
        accepted, (System.nanoTime() - started) / 1_000_000);
    assertThat(rejected).as("the mutations find problems").isGreaterThan(MUTATIONS / 4);
    assertThat(accepted).as("and leave some good ones").isGreaterThan(MUTATIONS / 20);
  }
}
