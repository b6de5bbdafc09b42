package dev.selat.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TypeStateTest {
  private static final SnapshotStore.Published CURRENT = new SnapshotStore.Published(
      ResourceSnapshot.builder()
          .endpoints(Resources.endpoints("a", 1001))
          .endpoints(Resources.endpoints("b", 1002))
          .endpoints(Resources.endpoints("c", 1003))
          .build(),
      Instant.EPOCH, Map.of());

  private final TypeState state = new SotwStream.State(TypeUrls.ENDPOINT);

  @Test
  void setNames_sameNamesInAnotherOrderWithDuplicates_isNoChange() {
    assertThat(state.setNames(List.of("c", "a"), CURRENT)).isTrue();

    assertThat(state.setNames(List.of("c", "a"), CURRENT)).isFalse();
    assertThat(state.setNames(List.of("a", "c", "a"), CURRENT)).isFalse();
    assertThat(state.names()).containsExactly("a", "c");
    assertThat(state.setNames(List.of("a", "b"), CURRENT)).isTrue();
    assertThat(state.setNames(List.of("a"), CURRENT)).isTrue();
    assertThat(state.names()).containsExactly("a");
  }

  @Test
  void setNames_exactlyTheSnapshotsNames_sharesTheSnapshotsList() {
    state.setNames(List.of("b", "c", "a"), CURRENT);

    assertThat(state.names()).isSameAs(CURRENT.snapshot().names(TypeUrls.ENDPOINT));
    assertThat(state.subscribesExactly(CURRENT.snapshot().resources(TypeUrls.ENDPOINT))).isTrue();
  }

  @Test
  void setNames_knownNames_storedAsTheSnapshotsOwnStrings() {
    String requested = new String("a".toCharArray());

    state.setNames(List.of(requested, "x"), CURRENT);

    assertThat(state.names()).containsExactly("a", "x");
    assertThat(state.names().get(0)).isNotSameAs(requested)
        .isSameAs(CURRENT.snapshot().resources(TypeUrls.ENDPOINT).get("a").name());
    assertThat(state.subscribesExactly(CURRENT.snapshot().resources(TypeUrls.ENDPOINT))).isFalse();
  }

  @Test
  void setNames_star_isNotANameButIsRemembered() {
    state.setNames(List.of("*", "a"), CURRENT);

    assertThat(state.names()).containsExactly("a");
    assertThat(state.namedWildcard).isTrue();
    assertThat(state.setNames(List.of("a"), CURRENT)).isFalse();
    assertThat(state.namedWildcard).isFalse();
  }
}
