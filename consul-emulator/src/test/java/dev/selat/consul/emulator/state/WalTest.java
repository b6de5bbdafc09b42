package dev.selat.consul.emulator.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalTest {
  @TempDir Path dir;

  private static void put(StateStore s, String key, String value) {
    s.write(tx -> {
      Kv.set(tx, key, value.getBytes(StandardCharsets.UTF_8), 0);
      return null;
    });
  }

  private static String value(StateStore s, String key) {
    return s.read(r -> Kv.get(r, key).map(e -> new String(e.value(), StandardCharsets.UTF_8)).orElse(null));
  }

  @Test
  void recover_afterReopen_hasEveryWriteAndIndexKeepsRising() throws Exception {
    StateStore first = Wal.recover(dir, 1000);
    for (int i = 0; i < 20; i++) {
      put(first, "k" + i, "v" + i);
    }
    long last = first.lastIndex();
    first.close();

    StateStore second = Wal.recover(dir, 1000);
    assertThat(second.lastIndex()).isEqualTo(last);
    assertThat(value(second, "k19")).isEqualTo("v19");
    put(second, "after", "x");
    assertThat(second.lastIndex()).isGreaterThan(last);
    second.close();
  }

  @Test
  void recover_walTruncatedMidRecord_keepsEveryCompleteRecordAndCutsTheTail() throws Exception {
    StateStore first = Wal.recover(dir, 1000);
    put(first, "a", "1");
    put(first, "b", "2");
    put(first, "c", "3");
    long lastComplete = first.lastIndex();
    first.close();
    Path log = dir.resolve("selat-emulator").resolve("wal.log");
    long size = Files.size(log);
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
      ch.truncate(size - 5); // a kill -9 in the middle of writing the last record
    }

    StateStore second = Wal.recover(dir, 1000);
    assertThat(value(second, "a")).isEqualTo("1");
    assertThat(value(second, "b")).isEqualTo("2");
    assertThat(value(second, "c")).isNull();
    assertThat(second.lastIndex()).isEqualTo(lastComplete - 1);
    put(second, "d", "4");
    second.close();

    StateStore third = Wal.recover(dir, 1000);
    assertThat(value(third, "d")).isEqualTo("4");
    third.close();
  }

  @Test
  void recover_corruptedRecord_stopsBeforeIt() throws Exception {
    StateStore first = Wal.recover(dir, 1000);
    put(first, "a", "1");
    put(first, "b", "2");
    first.close();
    Path log = dir.resolve("selat-emulator").resolve("wal.log");
    byte[] bytes = Files.readAllBytes(log);
    bytes[bytes.length - 3] ^= 0x55;
    Files.write(log, bytes);

    StateStore second = Wal.recover(dir, 1000);
    assertThat(value(second, "a")).isEqualTo("1");
    assertThat(value(second, "b")).isNull();
    second.close();
  }

  @Test
  void recover_afterCompaction_readsSnapshotThenLog() throws Exception {
    StateStore first = Wal.recover(dir, 5);
    for (int i = 0; i < 12; i++) {
      put(first, "k" + i, "v" + i);
    }
    long last = first.lastIndex();
    first.close();
    assertThat(dir.resolve("selat-emulator").resolve("snapshot.json")).exists();

    StateStore second = Wal.recover(dir, 5);
    assertThat(second.lastIndex()).isEqualTo(last);
    for (int i = 0; i < 12; i++) {
      assertThat(value(second, "k" + i)).isEqualTo("v" + i);
    }
    second.close();
  }
}
