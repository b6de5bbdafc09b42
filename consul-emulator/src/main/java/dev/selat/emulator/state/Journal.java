package dev.selat.emulator.state;

import java.io.IOException;
import java.util.function.Supplier;

/** Where commits go before they are acknowledged; {@link #NONE} for -dev (memory only). */
public interface Journal extends AutoCloseable {
  /**
   * Makes the commit durable (fsync) before it returns. Called under the store's write lock, in
   * index order; {@code current} gives the image before this commit, should the journal compact.
   */
  void append(Commit commit, Supplier<StateImage> current) throws IOException;

  @Override
  default void close() throws IOException {}

  Journal NONE = (commit, current) -> {};
}
