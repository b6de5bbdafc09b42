package dev.selat.emulator.state;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code wal.log} holds a complete record that does not check out (CRC32C mismatch, a negative
 * length, or a payload that is not a commit): the emulator refuses to start rather than drop it
 * and every acknowledged write after it, as Consul refuses a corrupt raft log.
 */
public final class WalCorruptException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final long offset;

  WalCorruptException(Path file, long offset, String problem, long bytesAfter) {
    super("WAL " + file + " is corrupt at byte offset " + offset + ": " + problem + " (" + bytesAfter
        + " bytes of the log from there on). Refusing to start, so that no acknowledged write is dropped; restore"
        + " the data dir from a backup, or truncate the file to " + offset + " bytes to give up this record and"
        + " every later one.");
    this.file = file;
    this.offset = offset;
  }

  public Path file() {
    return file;
  }

  public long offset() {
    return offset;
  }
}
