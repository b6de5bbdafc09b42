package dev.selat.emulator.state;

/**
 * A write transaction: it sees its own changes; nothing is visible to readers (or journaled)
 * until the function that received it returns, and nothing at all if it throws.
 */
public interface WriteTx extends ReadTx {
  /** The index this transaction commits at. */
  long txIndex();

  void put(Table table, String key, Object row);

  void delete(Table table, String key);

  /** Sets a named index (e.g. "service.web", "service_last_extinction") to {@link #txIndex()}. */
  void touchIndex(String name);
}
