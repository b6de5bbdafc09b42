package dev.selat.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KvSnapshotTest {
  private static final KvSnapshot NOT_READ = KvSnapshot.notReadYet("jakarta", "selat/");

  private static KvSnapshot read(KvEntry... entries) {
    return KvSnapshot.read("jakarta", "selat/", List.of(entries));
  }

  @Test
  void read_noKey_isEmptyNotNotReadYet() {
    KvSnapshot empty = read();

    assertThat(empty.state()).isEqualTo(KvState.EMPTY);
    assertThat(NOT_READ.state()).isEqualTo(KvState.NOT_READ_YET);
    assertThat(empty.differsFrom(NOT_READ)).isTrue();
    assertThat(empty.after(NOT_READ).changes()).isEmpty();
  }

  @Test
  void after_writesAndDeletes_becomeChangesInKeyOrder() {
    KvSnapshot first = read(new KvEntry("selat/b", Optional.of("1"), 5), new KvEntry("selat/a", Optional.of("1"), 4));
    assertThat(first.after(NOT_READ).changes()).extracting(KvChange::key).containsExactly("selat/a", "selat/b");

    KvSnapshot second = read(new KvEntry("selat/b", Optional.of("2"), 9));

    assertThat(second.after(first).changes()).containsExactly(
        new KvChange("selat/b", Optional.of("2"), 9, false), new KvChange("selat/a", Optional.empty(), 4, true));
    assertThat(second.value("selat/b")).contains("2");
    assertThat(read().after(second).changes()).containsExactly(new KvChange("selat/b", Optional.empty(), 9, true));
  }

  @Test
  void differsFrom_sameKeysAndValues_isFalse() {
    KvSnapshot a = read(new KvEntry("selat/a", Optional.of("1"), 4));
    assertThat(read(new KvEntry("selat/a", Optional.of("1"), 4)).differsFrom(a)).isFalse();
    assertThat(read().differsFrom(read())).isFalse();
  }

  @Test
  void constructor_stateDisagreesWithKeys_rejected() {
    assertThatThrownBy(() -> new KvSnapshot("jakarta", "selat/", KvState.EMPTY,
        Map.of("selat/a", new KvEntry("selat/a", Optional.empty(), 1)), List.of())).hasMessageStartingWith("entries:");
    assertThatThrownBy(() -> new KvSnapshot("jakarta", "selat/", KvState.PRESENT, Map.of(), List.of()))
        .hasMessageStartingWith("entries:");
  }
}
