package dev.selat.emulator.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durability for a data dir: every commit is appended to {@code wal.log} as
 * [length:int][crc32c:int][json] and fsynced before the write is acknowledged; every
 * {@code compactEvery} records the current image goes to {@code snapshot.json} (written to a
 * temporary file, fsynced, renamed) and the log restarts empty. Recovery loads the snapshot, then
 * replays the log. An incomplete last record (a torn tail: kill -9 mid-write, never acknowledged)
 * is cut off; a complete record that fails its check anywhere is corruption and recovery throws
 * {@link WalCorruptException} naming the file and offset. The log is locked while open, so two
 * emulators never share a data dir.
 */
public final class Wal implements Journal {
  private static final Logger log = LoggerFactory.getLogger(Wal.class);
  private final Path dir;
  private final Path logFile;
  private final Path snapshotFile;
  private final int compactEvery;
  private FileChannel channel;
  private int records;

  private Wal(Path dir, int compactEvery) {
    this.dir = dir;
    this.logFile = dir.resolve("wal.log");
    this.snapshotFile = dir.resolve("snapshot.json");
    this.compactEvery = compactEvery;
  }

  /** Opens (or creates) the data dir and returns a store holding everything it had acknowledged. */
  public static StateStore recover(Path dataDir, int compactEvery) throws IOException {
    Path dir = dataDir.resolve("selat-emulator");
    Files.createDirectories(dir);
    Wal wal = new Wal(dir, compactEvery);
    StateStore store = new StateStore(wal);
    if (Files.exists(wal.snapshotFile)) {
      store.load(Codec.image(Files.readAllBytes(wal.snapshotFile)));
    }
    wal.channel = FileChannel.open(wal.logFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    try {
      wal.lock();
      long good = wal.replay(store);
      if (good < wal.channel.size()) {
        log.warn("WAL {}: cut a torn tail of {} bytes at byte offset {} (an incomplete last record)", wal.logFile,
            wal.channel.size() - good, good);
        wal.channel.truncate(good);
        wal.channel.force(true);
      }
      wal.channel.position(good);
      return store;
    } catch (IOException | RuntimeException e) {
      wal.channel.close();
      throw e;
    }
  }

  private void lock() throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new IOException("data dir " + dir.getParent() + " is in use by another emulator (" + logFile
          + " is locked)");
    }
  }

  private long replay(StateStore store) throws IOException {
    long pos = 0;
    long size = channel.size();
    ByteBuffer header = ByteBuffer.allocate(8);
    while (pos + 8 <= size) {
      header.clear();
      channel.read(header, pos);
      header.flip();
      int len = header.getInt();
      int crc = header.getInt();
      if (len < 0) {
        throw new WalCorruptException(logFile, pos, "a record header with a negative length " + len, size - pos);
      }
      if (pos + 8 + len > size) {
        break; // a torn tail: the last record was not completely written
      }
      ByteBuffer payload = ByteBuffer.allocate(len);
      while (payload.hasRemaining() && channel.read(payload, pos + 8 + payload.position()) >= 0) {
        // read until full; the size check above guarantees the bytes exist
      }
      byte[] bytes = payload.array();
      if (crc(bytes) != crc) {
        throw new WalCorruptException(logFile, pos, "a record of " + len + " bytes fails its CRC32C check",
            size - pos);
      }
      Commit c;
      try {
        c = Codec.commit(bytes);
      } catch (IOException e) {
        throw new WalCorruptException(logFile, pos, "a record of " + len + " bytes passes its CRC32C check but is"
            + " not a commit (" + e.getMessage() + ")", size - pos);
      }
      store.replay(c);
      records++;
      pos += 8 + len;
    }
    return pos;
  }

  @Override
  public synchronized void append(Commit commit, Supplier<StateImage> current) throws IOException {
    if (records >= compactEvery) {
      compact(current.get());
    }
    byte[] bytes = Codec.commit(commit);
    ByteBuffer buf = ByteBuffer.allocate(8 + bytes.length);
    buf.putInt(bytes.length).putInt(crc(bytes)).put(bytes).flip();
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    channel.force(false);
    records++;
  }

  private void compact(StateImage image) throws IOException {
    Path tmp = dir.resolve("snapshot.json.tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer b = ByteBuffer.wrap(Codec.image(image));
      while (b.hasRemaining()) {
        out.write(b);
      }
      out.force(true);
    }
    Files.move(tmp, snapshotFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
    channel.truncate(0);
    channel.position(0);
    channel.force(true);
    records = 0;
  }

  private static int crc(byte[] bytes) {
    CRC32C c = new CRC32C();
    c.update(bytes);
    return (int) c.getValue();
  }

  @Override
  public synchronized void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
