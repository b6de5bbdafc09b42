package dev.selat.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MeshWatchTest {
  private static MeshWatch.Snapshot routes(MeshWatch.Route... routes) {
    Map<String, MeshWatch.Route> byKey = new TreeMap<>();
    for (MeshWatch.Route r : routes) {
      byKey.put(r.clientSite() + ">" + r.service(), r);
    }
    return new MeshWatch.Snapshot(true, Map.of(), byKey, Map.of());
  }

  @Test
  void sharesMoveWhileEverySiteIsHealthy_isAReroute() {
    var before = routes(new MeshWatch.Route("alibaba-sg", "catalog", Map.of("aws-sg", 80, "jakarta", 20), Set.of()));
    var now = routes(new MeshWatch.Route("alibaba-sg", "catalog", Map.of("aws-sg", 100), Set.of()));

    assertThat(MeshWatch.changes(before, now)).containsExactly(new MeshWatch.Change("reroute",
        "alibaba-sg > catalog: aws-sg 80% jakarta 20% -> aws-sg 100%"));
  }

  @Test
  void aSiteDroppedForWantOfHealthyInstances_isAFailover() {
    var before = routes(new MeshWatch.Route("jakarta", "catalog", Map.of("jakarta", 100), Set.of()));
    var now = routes(new MeshWatch.Route("jakarta", "catalog", Map.of("aws-sg", 100), Set.of("jakarta")));

    assertThat(MeshWatch.changes(before, now)).containsExactly(new MeshWatch.Change("failover",
        "jakarta > catalog: jakarta 100% -> aws-sg 100%"));
  }

  @Test
  void sameRoutes_orARouteSeenTheFirstTime_changeNothing() {
    var before = routes(new MeshWatch.Route("jakarta", "web", Map.of("jakarta", 100), Set.of()));
    var now = routes(new MeshWatch.Route("jakarta", "web", Map.of("jakarta", 100), Set.of()),
        new MeshWatch.Route("aws-sg", "web", Map.of("aws-sg", 100), Set.of()));

    assertThat(MeshWatch.changes(before, now)).isEmpty();
  }

  @Test
  void holdingStartsOnce_andASiteExpiresAndComesBack() {
    var cell = new MeshWatch.Cell("jakarta", "alibaba-sg", 42.4, "probe", 100, 12.0, false);
    var held = new MeshWatch.Cell("jakarta", "alibaba-sg", 42.4, "probe", 100, 12.0, true);
    var synced = new MeshWatch.SiteState("aws-sg", 100, false, "freeze");
    var stale = new MeshWatch.SiteState("aws-sg", 15_400, true, "freeze");
    var a = new MeshWatch.Snapshot(true, Map.of("jakarta>alibaba-sg", cell), Map.of(), Map.of("aws-sg", synced));
    var b = new MeshWatch.Snapshot(true, Map.of("jakarta>alibaba-sg", held), Map.of(), Map.of("aws-sg", stale));

    assertThat(MeshWatch.changes(a, b)).containsExactly(
        new MeshWatch.Change("hysteresis", "jakarta>alibaba-sg measured 42.4 ms; routes keep 12.0 ms until the change lasts"),
        new MeshWatch.Change("stale", "aws-sg's Consul data is 15 s old: expired (mode freeze)"));
    assertThat(MeshWatch.changes(b, b)).isEmpty();
    assertThat(MeshWatch.changes(b, a)).containsExactly(new MeshWatch.Change("synced", "aws-sg's Consul answers again"));
  }

  @Test
  void shares_largestFirst_thenByName() {
    assertThat(MeshWatch.shares(Map.of("jakarta", 20, "aws-sg", 80))).isEqualTo("aws-sg 80% jakarta 20%");
    assertThat(MeshWatch.shares(Map.of("b", 50, "a", 50))).isEqualTo("a 50% b 50%");
    assertThat(MeshWatch.shares(Map.of())).isEqualTo("none");
  }
}
