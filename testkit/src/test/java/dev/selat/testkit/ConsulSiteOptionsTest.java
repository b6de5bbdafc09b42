package dev.selat.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConsulSiteOptionsTest {

  @Test
  void builder_defaults_embeddedFreePortNoAcl() {
    ConsulSite.Options options = ConsulSite.Options.builder("jakarta").build();

    assertThat(options.nodeName()).isEqualTo("jakarta-server");
    assertThat(options.httpPort()).isZero();
    assertThat(options.process()).isFalse();
    assertThat(options.aclDefaultPolicy()).isEmpty();
  }

  @Test
  void builder_badDatacenter_failsNamingTheField() {
    assertThatThrownBy(() -> ConsulSite.Options.builder("Jakarta Colo").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("datacenter:");
  }

  @Test
  void builder_badAclPolicy_failsNamingTheField() {
    assertThatThrownBy(() -> ConsulSite.Options.builder("jakarta").acl("maybe").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("aclDefaultPolicy:");
  }

  @Test
  void builder_portOutOfRange_failsNamingTheField() {
    assertThatThrownBy(() -> ConsulSite.Options.builder("jakarta").httpPort(70_000).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("httpPort:");
  }

  @Test
  void check_zeroTtl_failsNamingTheField() {
    assertThatThrownBy(() -> new ConsulSite.Check(Duration.ZERO, ConsulSite.Health.PASSING))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ttl:");
  }

  @Test
  void health_wire_isConsulsSpelling() {
    assertThat(ConsulSite.Health.WARNING.wire()).isEqualTo("warning");
  }
}
