package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChangeTrackerTest {
  private final ChangeTracker tracker = new ChangeTracker(ServiceSelector.ALL);

  private static ServiceInstance on(String node, String id) {
    return new ServiceInstance(id, node, "10.0.0.1", 80, List.of(), Map.of(), Weights.DEFAULT, HealthStatus.PASSING);
  }

  private List<String> drain() {
    List<String> out = new ArrayList<>();
    for (String s = tracker.pollDirty(n -> false); s != null; s = tracker.pollDirty(n -> false)) {
      out.add(s);
    }
    return out;
  }

  private void loaded() {
    tracker.onServices(Map.of("web", List.of("v1"), "db", List.of(), "api", List.of()), true);
    tracker.onChecks(List.of(new CheckState("n1", "serfHealth", "", 5), new CheckState("n1", "service:web-1", "web", 6),
        new CheckState("n2", "service:db-1", "db", 7)));
    drain();
    tracker.fetched("web", List.of(on("n1", "web-1")));
    tracker.fetched("db", List.of(on("n2", "db-1")));
    tracker.fetched("api", List.of(on("n1", "api-1")));
  }

  @Test
  void onServices_firstList_marksEveryService() {
    tracker.onServices(Map.of("web", List.of(), "db", List.of()), true);
    assertThat(drain()).containsExactlyInAnyOrder("web", "db");
  }

  @Test
  void onChecks_serviceCheckModified_marksOnlyItsService() {
    loaded();
    tracker.onChecks(List.of(new CheckState("n1", "serfHealth", "", 5), new CheckState("n1", "service:web-1", "web", 9),
        new CheckState("n2", "service:db-1", "db", 7)));
    assertThat(drain()).containsExactly("web");
  }

  @Test
  void onChecks_nodeCheckModified_marksEveryServiceOnThatNode() {
    loaded();
    tracker.onChecks(List.of(new CheckState("n1", "serfHealth", "", 11), new CheckState("n1", "service:web-1", "web", 6),
        new CheckState("n2", "service:db-1", "db", 7)));
    assertThat(drain()).containsExactlyInAnyOrder("web", "api");
  }

  @Test
  void onChecks_checkRemoved_marksItsService() {
    loaded();
    tracker.onChecks(List.of(new CheckState("n1", "serfHealth", "", 5), new CheckState("n1", "service:web-1", "web", 6)));
    assertThat(drain()).containsExactly("db");
  }

  @Test
  void onServices_tagChangeAndRemoval_marksChangedAndDropsRemoved() {
    loaded();
    tracker.onServices(Map.of("web", List.of("v2"), "db", List.of()), true);
    assertThat(drain()).containsExactly("web");
    assertThat(tracker.visible().keySet()).containsExactlyInAnyOrder("web", "db");
  }

  @Test
  void onServices_sameListIndexMoved_unexplainedChangeMarksEveryService() {
    loaded();
    tracker.onServices(Map.of("web", List.of("v1"), "db", List.of(), "api", List.of()), true);
    assertThat(drain()).containsExactlyInAnyOrder("web", "db", "api");
  }

  @Test
  void onServices_sameListSameIndex_marksNothing() {
    loaded();
    tracker.onServices(Map.of("web", List.of("v1"), "db", List.of(), "api", List.of()), false);
    assertThat(drain()).isEmpty();
  }

  @Test
  void pollDirty_busyService_isSkippedAndKept() {
    tracker.onServices(Map.of("web", List.of(), "db", List.of()), true);
    assertThat(tracker.pollDirty(n -> n.equals("web"))).isEqualTo("db");
    assertThat(tracker.pollDirty(n -> n.equals("web"))).isNull();
    assertThat(drain()).containsExactly("web");
  }

  @Test
  void fetched_unchangedEntry_keepsSameObject() {
    loaded();
    ServiceEntry before = tracker.visible().get("web");
    tracker.fetched("web", List.of(on("n1", "web-1")));
    assertThat(tracker.visible().get("web")).isSameAs(before);
    assertThat(CatalogDelta.between(Map.of("web", before), tracker.visible()).changed()).isEqualTo(Set.of("api", "db"));
  }

  @Test
  void fetched_taggedAddressChanged_isANewEntry() {
    loaded();
    ServiceEntry before = tracker.visible().get("web");
    ServiceInstance moved = new ServiceInstance("web-1", "n1", "10.0.0.1", 80, List.of(), Map.of(), Weights.DEFAULT,
        HealthStatus.PASSING, Map.of("wan", new TaggedAddress("203.0.113.9", 0)), Map.of(), Map.of(), false);

    tracker.fetched("web", List.of(moved));

    assertThat(tracker.visible().get("web")).isNotEqualTo(before);
    assertThat(tracker.visible().get("web").instances().get(0).wanAddress())
        .contains(new TaggedAddress("203.0.113.9", 80));
    assertThat(CatalogDelta.between(Map.of("web", before), tracker.visible()).changed()).contains("web");
  }

  @Test
  void fetched_noSelectedInstance_serviceNotVisible() {
    ChangeTracker selective = new ChangeTracker(new ServiceSelector(Set.of(), Map.of("mesh", "true")));
    selective.onServices(Map.of("web", List.of()), true);
    selective.fetched("web", List.of(on("n1", "web-1")));
    assertThat(selective.visible()).isEmpty();
  }
}
