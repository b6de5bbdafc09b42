package dev.selat.controlplane.server;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Propagation latency per group publish: from the moment the first change it carries was observed to the moment the
 * last stream of the group that was sent a response built after it has ACKed (or NACKed) and the group has no
 * response in flight. A response is attributed to the group's latest publish when it is sent (a publish is announced
 * before it is handed to the xDS server, so a response built from it never counts for an older one). A publish no
 * stream needed a response for (its resources were what they held) is dropped at the group's next publish, and any
 * publish still open after {@link #GIVE_UP} is dropped: neither is recorded. Thread-safe: one short lock, the
 * recording done after it.
 */
final class Propagation {
  static final Duration GIVE_UP = Duration.ofMinutes(5);
  /** Open publishes kept per group; the oldest beyond this is dropped unrecorded. */
  private static final int OPEN_PER_GROUP = 64;

  private record Pending(long gen, Instant observedAt, boolean[] sent) {}

  private record Key(long streamId, String typeUrl) {}

  private record InFlight(String group, long gen) {}

  private final Clock clock;
  private final Consumer<Duration> record;
  private final Map<String, Long> generation = new HashMap<>();
  private final Map<String, Deque<Pending>> open = new HashMap<>();
  private final Map<Key, InFlight> inFlight = new HashMap<>();
  /** group -> how many responses are in flight in it. */
  private final Map<String, Integer> inFlightPerGroup = new HashMap<>();

  Propagation(Clock clock, Consumer<Duration> record) {
    this.clock = requireNonNull(clock, "clock");
    this.record = requireNonNull(record, "record");
  }

  /** A publish to {@code group} is about to be handed to the xDS server. */
  void publishing(String group, Instant observedAt) {
    Instant now = clock.instant();
    synchronized (this) {
      long gen = generation.merge(group, 1L, Long::sum);
      Deque<Pending> pending = open.computeIfAbsent(group, g -> new ArrayDeque<>());
      pending.removeIf(p -> !p.sent()[0] || Duration.between(p.observedAt(), now).compareTo(GIVE_UP) > 0);
      if (pending.size() == OPEN_PER_GROUP) {
        pending.removeFirst();
      }
      pending.addLast(new Pending(gen, observedAt, new boolean[1]));
    }
  }

  /** A response went out on a stream of {@code group}. */
  void responded(long streamId, String group, String typeUrl) {
    synchronized (this) {
      long gen = generation.getOrDefault(group, 0L);
      InFlight before = inFlight.put(new Key(streamId, typeUrl), new InFlight(group, gen));
      if (before == null) {
        inFlightPerGroup.merge(group, 1, Integer::sum);
      }
      Deque<Pending> pending = open.get(group);
      if (pending != null && !pending.isEmpty() && pending.getLast().gen() == gen) {
        pending.getLast().sent()[0] = true;
      }
    }
  }

  /** The stream ACKed or NACKed its response of {@code typeUrl}. */
  void answered(long streamId, String typeUrl) {
    settle(List.of(new Key(streamId, typeUrl)));
  }

  /** The stream closed: whatever it had in flight will not be answered. */
  void closed(long streamId) {
    List<Key> keys;
    synchronized (this) {
      keys = inFlight.keySet().stream().filter(k -> k.streamId() == streamId).toList();
    }
    settle(keys);
  }

  private void settle(List<Key> keys) {
    Instant now = clock.instant();
    List<Duration> done = new ArrayList<>();
    synchronized (this) {
      for (Key key : keys) {
        InFlight f = inFlight.remove(key);
        if (f == null) {
          continue;
        }
        int left = inFlightPerGroup.merge(f.group(), -1, Integer::sum);
        if (left > 0) {
          continue;
        }
        inFlightPerGroup.remove(f.group());
        Deque<Pending> pending = open.get(f.group());
        // Nothing in flight in the group: every publish up to the one this response came from has reached its streams.
        while (pending != null && !pending.isEmpty() && pending.getFirst().gen() <= f.gen()) {
          Pending p = pending.removeFirst();
          if (p.sent()[0]) {
            done.add(Duration.between(p.observedAt(), now));
          }
        }
      }
    }
    done.forEach(record);
  }
}
