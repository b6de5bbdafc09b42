package dev.selat.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VersionedResourceTest {

  @Test
  void of_equalContent_sameVersionAndSharedNothingButBytes() {
    VersionedResource a = VersionedResource.of("a", Resources.edsCluster("a"));
    VersionedResource again = VersionedResource.of("a", Resources.edsCluster("a"));

    assertThat(again.version()).isEqualTo(a.version());
    assertThat(again.resource()).isEqualTo(a.resource());
    assertThat(a.typeUrl()).isEqualTo(TypeUrls.CLUSTER);
  }

  @Test
  void of_changedContent_newVersion() {
    VersionedResource a = VersionedResource.of("a", Resources.edsCluster("a"));
    VersionedResource changed = VersionedResource.of("a", Resources.edsCluster("a").toBuilder().setLbPolicyValue(1).build());

    assertThat(changed.version()).isNotEqualTo(a.version());
  }

  @Test
  void of_emptyName_failsNamingTheField() {
    assertThatThrownBy(() -> VersionedResource.of("", Resources.edsCluster("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("name:");
  }

  @Test
  void snapshotVersion_sameResourcesAnyOrder_equal() {
    ResourceSnapshot one = ResourceSnapshot.builder()
        .cluster(Resources.edsCluster("a")).cluster(Resources.edsCluster("b")).build();
    ResourceSnapshot other = ResourceSnapshot.builder()
        .cluster(Resources.edsCluster("b")).cluster(Resources.edsCluster("a")).build();

    assertThat(other.version()).isEqualTo(one.version());
    assertThat(other.resources(TypeUrls.CLUSTER).keySet()).containsExactly("a", "b");
  }
}
