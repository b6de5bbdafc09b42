package dev.selat.emulator.state;

/** A deleted KV key, kept so prefix indexes do not go backwards until it is reaped. */
public record Tombstone(String key, long index) {}
