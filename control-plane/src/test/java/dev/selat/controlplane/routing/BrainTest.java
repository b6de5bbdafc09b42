package dev.selat.controlplane.routing;

import static dev.selat.controlplane.routing.Fixtures.SETTINGS;
import static dev.selat.controlplane.routing.Fixtures.THREE_SITES;
import static dev.selat.controlplane.routing.Fixtures.matrix;
import static dev.selat.controlplane.routing.Fixtures.route;
import static dev.selat.controlplane.routing.Fixtures.sites;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BrainTest {
  @Test
  void sameSiteClientsGetTheAddressOthersTheWanAddress() {
    Map<String, SiteInput> sites = sites("jakarta=P alibaba-sg=P aws-sg=P");
    ServiceRoute fromJakarta = route("jakarta", sites, matrix(THREE_SITES));

    assertThat(endpoint(fromJakarta, "jakarta").address()).isEqualTo(new HostPort("10.1.0.1", 8080));
    assertThat(endpoint(fromJakarta, "alibaba-sg").address()).isEqualTo(new HostPort("198.51.2.1", 8443));
  }

  /**
   * A remote site with a gateway: clients elsewhere get one endpoint, the gateway as reached from their site, weighted
   * by the instances available behind it and healthy while any is; the site's own clients still get its instances.
   */
  @Test
  void aGatewayStandsForItsSiteForClientsElsewhere() {
    Map<String, SiteInput> sites = new LinkedHashMap<>(sites("jakarta=C alibaba-sg=PPC aws-sg=CC"));
    Gateway alibabaGateway = new Gateway(Map.of("jakarta", new HostPort("192.0.2.10", 8443)),
        Optional.of(new HostPort("192.0.2.20", 8443)));
    sites.put("alibaba-sg", sites.get("alibaba-sg").withGateway(alibabaGateway));
    sites.put("aws-sg", sites.get("aws-sg").withGateway(new Gateway(Map.of(), Optional.of(new HostPort("192.0.2.30", 8443)))));

    ServiceRoute fromJakarta = route("jakarta", sites, matrix(THREE_SITES));
    List<RoutedEndpoint> alibaba = locality(fromJakarta, "alibaba-sg").endpoints();
    assertThat(alibaba).containsExactly(
        new RoutedEndpoint("gateway-alibaba-sg", new HostPort("192.0.2.10", 8443), 2, Health.HEALTHY));
    assertThat(locality(fromJakarta, "aws-sg").endpoints()).extracting(RoutedEndpoint::health)
        .as("no healthy instance behind the gateway").containsExactly(Health.UNHEALTHY);
    assertThat(fromJakarta.shares()).containsEntry("alibaba-sg", 1000);
    assertThat(fromJakarta.reasons()).filteredOn(r -> r.site().equals("alibaba-sg")).singleElement()
        .satisfies(r -> {
          assertThat(r.healthy()).as("instances, not gateways").isEqualTo(2);
          assertThat(r.total()).isEqualTo(3);
          assertThat(r.note()).contains("through its gateway at 192.0.2.10:8443");
        });

    assertThat(locality(route("aws-sg", sites, matrix(THREE_SITES)), "alibaba-sg").endpoints())
        .extracting(RoutedEndpoint::address).as("the fallback address").containsExactly(new HostPort("192.0.2.20", 8443));
    assertThat(locality(route("alibaba-sg", sites, matrix(THREE_SITES)), "alibaba-sg").endpoints())
        .as("its own clients: every instance").hasSize(3);
  }

  private static LocalityRoute locality(ServiceRoute route, String site) {
    return route.priorities().stream().filter(l -> l.site().equals(site)).findFirst().orElseThrow();
  }

  @Test
  void withoutAWanAddressRemoteClientsGetTheAddress() {
    Instance lanOnly = Instance.of("aws-sg-1", "10.3.0.1", 8080, CheckStatus.PASSING);
    Map<String, SiteInput> sites = new LinkedHashMap<>(sites("jakarta=P alibaba-sg=P"));
    sites.put("aws-sg", SiteInput.fresh("aws-sg", "ap-southeast-1", Map.of("catalog", List.of(lanOnly))));

    assertThat(endpoint(route("jakarta", sites, matrix(THREE_SITES)), "aws-sg").address())
        .isEqualTo(new HostPort("10.3.0.1", 8080));
  }

  @Test
  void consulWeightsBecomeEndpointWeights() {
    Instance passing = new Instance("a", new HostPort("10.1.0.1", 80), Optional.empty(), CheckStatus.PASSING, 3, 1, Map.of());
    Instance warning = new Instance("b", new HostPort("10.1.0.2", 80), Optional.empty(), CheckStatus.WARNING, 3, 2, Map.of());
    Instance warningOut = new Instance("c", new HostPort("10.1.0.3", 80), Optional.empty(), CheckStatus.WARNING, 3, 0, Map.of());
    Map<String, SiteInput> sites = Map.of("jakarta",
        SiteInput.fresh("jakarta", "id-jkt", Map.of("catalog", List.of(warningOut, passing, warning))));

    List<RoutedEndpoint> endpoints = route("jakarta", sites, matrix(THREE_SITES)).priorities().get(0).endpoints();

    assertThat(endpoints).extracting(RoutedEndpoint::id, RoutedEndpoint::weight, RoutedEndpoint::health).containsExactly(
        org.assertj.core.groups.Tuple.tuple("a", 3, Health.HEALTHY),
        org.assertj.core.groups.Tuple.tuple("b", 2, Health.HEALTHY),
        org.assertj.core.groups.Tuple.tuple("c", 1, Health.UNHEALTHY));
  }

  @Test
  void grpcMetaMakesTheRouteHttp2() {
    Instance grpc = new Instance("a", new HostPort("10.1.0.1", 80), Optional.empty(), CheckStatus.PASSING, 1, 1,
        Map.of("protocol", "grpc"));
    Map<String, SiteInput> sites = Map.of("jakarta", SiteInput.fresh("jakarta", "id-jkt", Map.of("catalog", List.of(grpc))));

    assertThat(route("jakarta", sites, matrix(THREE_SITES)).http2()).isTrue();
    assertThat(route("jakarta", sites("jakarta=P"), matrix(THREE_SITES)).http2()).isFalse();
  }

  @Test
  void reasonsCarryTheInputs() {
    Map<String, SiteInput> sites = new LinkedHashMap<>(sites("jakarta=C alibaba-sg=PP aws-sg=P"));
    SiteInput aws = sites.get("aws-sg");
    sites.put("aws-sg", new SiteInput("aws-sg", aws.region(), aws.services(), Duration.ofSeconds(40), false, ExpiredMode.FREEZE));
    LatencyMatrix m = new LatencyMatrix(Map.of(
        new SitePair("jakarta", "alibaba-sg"), new LatencyCell(Duration.ofMillis(12), LatencySource.PROBE_STALE, Duration.ofSeconds(20)),
        new SitePair("jakarta", "aws-sg"), LatencyCell.nominal(Duration.ofMillis(15))));

    List<SiteReason> reasons = route("jakarta", sites, m).reasons();

    assertThat(reasons).extracting(SiteReason::site).containsExactly("jakarta", "alibaba-sg", "aws-sg");
    SiteReason alibaba = reasons.get(1);
    assertThat(alibaba.source()).contains(LatencySource.PROBE_STALE);
    assertThat(alibaba.rttAge()).isEqualTo(Duration.ofSeconds(20));
    assertThat(alibaba.healthy()).isEqualTo(2);
    assertThat(alibaba.sharePerMille()).isEqualTo(1000);
    assertThat(reasons.get(2).source()).contains(LatencySource.NOMINAL);
    assertThat(reasons.get(2).dataAge()).isEqualTo(Duration.ofSeconds(40));
    assertThat(reasons.get(0).note()).isEqualTo("local");
  }

  /** Equal inputs, built separately and in another order, give equal routes. */
  @Test
  void deterministic() {
    Map<String, SiteInput> a = sites("jakarta=PC alibaba-sg=PP aws-sg=PWM");
    Map<String, SiteInput> b = new LinkedHashMap<>();
    List.of("aws-sg", "jakarta", "alibaba-sg").forEach(s -> b.put(s, sites("jakarta=PC alibaba-sg=PP aws-sg=PWM").get(s)));

    ServiceRoute first = Brain.route("catalog", "jakarta", a, Fixtures.held(matrix(THREE_SITES)), SETTINGS);
    ServiceRoute second = Brain.route("catalog", "jakarta", b,
        Fixtures.held(matrix("alibaba-sg-aws-sg=3 jakarta-aws-sg=15 jakarta-alibaba-sg=12")), SETTINGS);

    assertThat(second).isEqualTo(first);
    assertThat(second.toString()).isEqualTo(first.toString());
  }

  private static RoutedEndpoint endpoint(ServiceRoute r, String site) {
    return r.priorities().stream().filter(l -> l.site().equals(site)).findFirst().orElseThrow().endpoints().get(0);
  }
}
