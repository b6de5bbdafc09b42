package dev.selat.xds;

import static dev.selat.xds.InProcessXds.GROUP;
import static dev.selat.xds.InProcessXds.request;
import static dev.selat.xds.Resources.clusters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OutboundBudgetTest {

  private final AtomicLong nanos = new AtomicLong();

  @Test
  void full_waitersWokenInOrderAndEachWithRoomWakesTheNext() {
    OutboundBudget budget = new OutboundBudget(100, nanos::get);
    List<String> woken = new ArrayList<>();
    assertThat(budget.hasRoom(() -> woken.add("never"))).isTrue();
    // one response may overshoot: the bound is soft by what was already checked
    OutboundBudget.Ticket first = budget.take(null, 150);
    OutboundBudget.Ticket second = budget.take(null, 150);

    assertThat(budget.hasRoom(() -> woken.add("b"))).isFalse();
    assertThat(budget.hasRoom(() -> woken.add("c"))).isFalse();
    assertThat(budget.waiting()).isEqualTo(2);
    budget.give(second);
    assertThat(woken).isEmpty(); // 150 still queued

    budget.give(first);
    assertThat(woken).containsExactly("b");
    assertThat(budget.hasRoom(() -> woken.add("never"))).isTrue(); // b finds room and passes it on
    assertThat(woken).containsExactly("b", "c");
    assertThat(budget.waiting()).isZero();
  }

  @Test
  void sameStream_moreBytesBeforeItsTransportWrote_oneTicketGivenBackWhole() {
    OutboundBudget budget = new OutboundBudget(100, nanos::get);
    OutboundBudget.Ticket ticket = budget.take(null, 60);

    assertThat(budget.take(ticket, 60)).isSameAs(ticket);
    assertThat(budget.queued()).isEqualTo(120);
    budget.give(ticket);
    budget.give(ticket); // a close after the transport's ready: nothing twice
    assertThat(budget.queued()).isZero();
  }

  @Test
  void stalledClient_bytesUnwrittenForThirtySeconds_stopCountingAndOthersGetRoom() {
    OutboundBudget budget = new OutboundBudget(100, nanos::get);
    List<String> woken = new ArrayList<>();
    OutboundBudget.Ticket stalled = budget.take(null, 100);
    nanos.addAndGet(OutboundBudget.STALLED_AFTER.toNanos() - 1);
    assertThat(budget.hasRoom(() -> woken.add("b"))).isFalse();

    nanos.addAndGet(1);

    assertThat(budget.hasRoom(() -> woken.add("never"))).isTrue();
    assertThat(woken).containsExactly("b");
    assertThat(budget.stalled()).isEqualTo(1);
    assertThat(budget.queued()).isZero();
    budget.give(stalled); // its transport wrote at last: not given back twice
    assertThat(budget.queued()).isZero();
  }

  @Test
  void passOn_withoutRoom_wakesNobody() {
    OutboundBudget budget = new OutboundBudget(10, nanos::get);
    List<String> woken = new ArrayList<>();
    budget.take(null, 10);
    budget.hasRoom(() -> woken.add("b"));

    budget.passOn();

    assertThat(woken).isEmpty();
    assertThat(budget.queued()).isEqualTo(10);
  }

  @Test
  void limit_notPositive_failsNamingTheOption() {
    assertThatThrownBy(() -> new OutboundBudget(0, nanos::get)).hasMessageContaining("maxQueuedResponseBytes");
  }

  @Test
  void server_slowClientHoldsTheBudget_otherStreamsServedWhenItReads() {
    try (InProcessXds xds = new InProcessXds(b -> b.maxQueuedResponseBytes(1))) {
      xds.server.publish(GROUP, clusters("a", "b"));
      RecordingStream<DiscoveryRequest, DiscoveryResponse> slow =
          RecordingStream.openSlow(xds.ads()::streamAggregatedResources);
      slow.pull(1);
      slow.send(request(TypeUrls.CLUSTER));
      assertThat(slow.responses).hasSize(1); // delivered, but its transport is not ready for more
      var leaving = xds.sotw().send(request(TypeUrls.CLUSTER));
      var waiting = xds.sotw().send(request(TypeUrls.CLUSTER));
      assertThat(leaving.responses).isEmpty();
      assertThat(waiting.responses).isEmpty();
      assertThat(xds.registry.get("selat.xds.outbound.waiting").gauge().value()).isEqualTo(2);

      leaving.close(); // a stream that leaves while waiting passes its turn on
      slow.pull(1);

      assertThat(waiting.responses).hasSize(1);
      assertThat(xds.registry.get("selat.xds.outbound.waiting").gauge().value()).isZero();
      assertThat(xds.registry.get("selat.xds.outbound.queued").gauge().value()).isZero();
    }
  }
}
