package dev.selat.xds;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/** What every stream of one server shares; {@code streams} holds the open ones (thread-safe). */
record StreamContext(
    SnapshotStore store,
    XdsMetrics metrics,
    XdsCallbacks callbacks,
    NodeGroupMapper mapper,
    NodeIdentityVerifier verifier,
    StreamAdmission admission,
    OutboundBudget budget,
    Clock clock,
    Executor executor,
    AtomicLong streamIds,
    Set<XdsStream<?, ?, ?>> streams) {}
