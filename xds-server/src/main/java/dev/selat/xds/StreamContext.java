package dev.selat.xds;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/** What every stream of one server shares. */
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
    AtomicLong streamIds) {}
