package dev.selat.emulator.state;

/** A named number the store keeps with its tables (for example the ACL bootstrap state). */
public record MetaEntry(String name, long value) {}
