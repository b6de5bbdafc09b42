package dev.selat.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HeldResourcesTest {
  private static final Map<String, String> SNAPSHOT = Map.of("a", "v1", "b", "v1");

  @Test
  void shareIfEqual_equalContent_holdsTheSnapshotsOwnMap() {
    HeldResources<String> held = new HeldResources<>();
    held.put("a", "v1");
    held.put("b", "v1");

    held.shareIfEqual(SNAPSHOT);

    assertThat(held.asMap()).isEqualTo(SNAPSHOT);
    held.put("c", "v1"); // would throw on the immutable snapshot map without copy on write
    assertThat(held.asMap()).containsOnlyKeys("a", "b", "c");
    assertThat(SNAPSHOT).containsOnlyKeys("a", "b");
  }

  @Test
  void shareIfEqual_differentContent_keepsItsOwn() {
    HeldResources<String> held = new HeldResources<>();
    held.put("a", "v1");
    held.put("b", "v2");

    held.shareIfEqual(SNAPSHOT);
    held.remove("b");

    assertThat(held.asMap()).containsOnlyKeys("a");
    assertThat(SNAPSHOT).containsOnlyKeys("a", "b");
  }

  @Test
  void retainNames_sharedMap_copiesBeforeDropping() {
    HeldResources<String> held = new HeldResources<>();
    held.replaceWith(SNAPSHOT);

    held.retainNames("a"::equals);

    assertThat(held.names()).containsExactly("a");
    assertThat(SNAPSHOT).containsOnlyKeys("a", "b");
  }
}
