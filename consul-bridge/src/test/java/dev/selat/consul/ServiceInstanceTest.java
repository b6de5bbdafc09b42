package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ServiceInstance#wanAddress()} follows Consul's translate_wan_addrs (agent/translate_addr.go). */
class ServiceInstanceTest {
  private static ServiceInstance instance(Map<String, TaggedAddress> service, Map<String, String> node,
      boolean usesNodeAddress) {
    return new ServiceInstance("web-1", "node-1", "10.0.0.1", 8080, List.of(), Map.of(), Weights.DEFAULT,
        HealthStatus.PASSING, service, node, Map.of(), usesNodeAddress);
  }

  @Test
  void wanAddress_serviceWanWithPort_winsOverNodeWan() {
    ServiceInstance i = instance(Map.of("wan", new TaggedAddress("203.0.113.5", 9443)), Map.of("wan", "198.51.100.1"), true);
    assertThat(i.wanAddress()).contains(new TaggedAddress("203.0.113.5", 9443));
  }

  @Test
  void wanAddress_serviceWanWithoutPort_usesServicePort() {
    ServiceInstance i = instance(Map.of("wan", new TaggedAddress("203.0.113.5", 0)), Map.of(), false);
    assertThat(i.wanAddress()).contains(new TaggedAddress("203.0.113.5", 8080));
  }

  @Test
  void wanAddress_noServiceWanOnNodeAddress_usesNodeWanWithServicePort() {
    ServiceInstance i = instance(Map.of("lan", new TaggedAddress("10.0.0.1", 8080)), Map.of("wan", "198.51.100.1"), true);
    assertThat(i.wanAddress()).contains(new TaggedAddress("198.51.100.1", 8080));
  }

  @Test
  void wanAddress_serviceWanWithEmptyAddressAndPort_nodeWanWithThatPort() {
    ServiceInstance i = instance(Map.of("wan", new TaggedAddress("", 9443)), Map.of("wan", "198.51.100.1"), true);
    assertThat(i.wanAddress()).contains(new TaggedAddress("198.51.100.1", 9443));
  }

  @Test
  void wanAddress_ownServiceAddressNoServiceWan_nodeWanNotUsed() {
    // Consul translates Service.Address only by the service's own tagged addresses; the node's apply to Node.Address.
    ServiceInstance i = instance(Map.of(), Map.of("wan", "198.51.100.1"), false);
    assertThat(i.wanAddress()).isEmpty();
  }

  @Test
  void wanAddress_noWanAnywhere_isEmpty() {
    assertThat(instance(Map.of(), Map.of("lan", "10.0.0.1"), true).wanAddress()).isEmpty();
  }

  @Test
  void equals_taggedAddressChanged_isAnotherInstance() {
    ServiceInstance a = instance(Map.of("wan", new TaggedAddress("203.0.113.5", 0)), Map.of(), false);
    ServiceInstance b = instance(Map.of("wan", new TaggedAddress("203.0.113.6", 0)), Map.of(), false);
    assertThat(a).isNotEqualTo(b);
    assertThat(a).isEqualTo(instance(Map.of("wan", new TaggedAddress("203.0.113.5", 0)), Map.of(), false))
        .hasSameHashCodeAs(instance(Map.of("wan", new TaggedAddress("203.0.113.5", 0)), Map.of(), false));
  }
}
