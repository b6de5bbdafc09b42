package dev.selat.consul;

import java.util.Optional;

/** One key of a KV prefix read, with its decoded UTF-8 value (absent for a null value). */
record KvEntry(String key, Optional<String> value, long modifyIndex) {}
