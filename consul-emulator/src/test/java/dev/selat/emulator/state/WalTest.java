package dev.selat.emulator.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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

  /** The byte offset of every record in a log: [length][crc32c][payload] after each other. */
  private static List<Long> recordOffsets(Path log) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(log));
    List<Long> out = new ArrayList<>();
    while (b.remaining() >= 8) {
      out.add((long) b.position());
      int len = b.getInt(b.position());
      b.position(b.position() + 8 + len);
    }
    return out;
  }

  private Path log() {
    return dir.resolve("selat-emulator").resolve("wal.log");
  }

  @Test
  void recover_crcMismatchInTheMiddle_refusesToStartNamingFileAndOffsetAndKeepsTheLog() throws Exception {
    StateStore first = Wal.recover(dir, 1000);
    put(first, "a", "1");
    put(first, "b", "2");
    put(first, "c", "3");
    first.close();
    List<Long> offsets = recordOffsets(log());
    long second = offsets.get(offsets.size() - 2);
    byte[] bytes = Files.readAllBytes(log());
    bytes[(int) second + 8 + 2] ^= 0x55; // a flipped bit inside the payload of the next-to-last record
    Files.write(log(), bytes);

    assertThatThrownBy(() -> Wal.recover(dir, 1000)).isInstanceOf(WalCorruptException.class)
        .hasMessageContaining(log().toString()).hasMessageContaining("byte offset " + second + ":")
        .hasMessageContaining("CRC32C");
    assertThat(Files.readAllBytes(log())).isEqualTo(bytes); // nothing cut: the operator decides
    // Refusing released the log: once the operator cuts it at the named offset, it starts.
    try (FileChannel ch = FileChannel.open(log(), StandardOpenOption.WRITE)) {
      ch.truncate(second);
    }
    StateStore after = Wal.recover(dir, 1000);
    assertThat(value(after, "a")).isEqualTo("1");
    assertThat(value(after, "b")).isNull();
    after.close();
  }

  @Test
  void recover_crcMismatchInTheLastCompleteRecord_refusesToo() throws Exception {
    StateStore first = Wal.recover(dir, 1000);
    put(first, "a", "1");
    put(first, "b", "2");
    first.close();
    List<Long> offsets = recordOffsets(log());
    byte[] bytes = Files.readAllBytes(log());
    bytes[bytes.length - 3] ^= 0x55; // complete, so it was fsynced and acknowledged: not a torn write
    Files.write(log(), bytes);

    assertThatThrownBy(() -> Wal.recover(dir, 1000)).isInstanceOf(WalCorruptException.class)
        .hasMessageContaining("byte offset " + offsets.get(offsets.size() - 1) + ":");
  }

  @Test
  void recover_negativeLengthInTheMiddle_refusesToStart() throws Exception {
    StateStore first = Wal.recover(dir, 1000);
    put(first, "a", "1");
    put(first, "b", "2");
    first.close();
    long last = recordOffsets(log()).get(recordOffsets(log()).size() - 1);
    byte[] bytes = Files.readAllBytes(log());
    ByteBuffer.wrap(bytes).putInt((int) last, -7);
    Files.write(log(), bytes);

    assertThatThrownBy(() -> Wal.recover(dir, 1000)).isInstanceOf(WalCorruptException.class)
        .hasMessageContaining("byte offset " + last + ":").hasMessageContaining("negative length");
  }

  @Test
  void recover_tornHeader_isCutLikeATornRecord() throws Exception {
    StateStore first = Wal.recover(dir, 1000);
    put(first, "a", "1");
    first.close();
    long size = Files.size(log());
    Files.write(log(), new byte[] {0, 0, 1}, StandardOpenOption.APPEND); // 3 bytes of a header, then kill -9

    StateStore second = Wal.recover(dir, 1000);
    assertThat(value(second, "a")).isEqualTo("1");
    assertThat(Files.size(log())).isEqualTo(size);
    second.close();
  }

  @Test
  void recover_dataDirOpenElsewhere_refusesUntilItIsClosed() throws Exception {
    StateStore first = Wal.recover(dir, 1000);
    assertThatThrownBy(() -> Wal.recover(dir, 1000)).isInstanceOf(IOException.class)
        .hasMessageContaining("in use");
    first.close();
    Wal.recover(dir, 1000).close();
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
