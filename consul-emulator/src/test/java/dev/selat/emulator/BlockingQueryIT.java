package dev.selat.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.agent.model.NewService;
import com.ecwid.consul.v1.health.HealthServicesRequest;
import com.ecwid.consul.v1.health.model.HealthService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Blocking queries through ecwid consul-api, the client Selat uses: they wake for their own service only. */
class BlockingQueryIT {
  private ConsulEmulator emulator;
  private ConsulClient client;
  private final ExecutorService watchers = Executors.newVirtualThreadPerTaskExecutor();

  @BeforeEach
  void start() {
    emulator = ConsulEmulator.start(EmulatorConfig.builder().datacenter("jakarta").build());
    client = new ConsulClient(emulator.httpAddress().getHost(), emulator.httpAddress().getPort());
    register("orders", "orders-1");
    register("payments", "payments-1");
  }

  @AfterEach
  void stop() {
    watchers.shutdownNow();
    emulator.close();
  }

  @Test
  void blockingQuery_changeOfItsService_wakesWithin100ms_andNotOnAnotherServicesChange() {
    long index = health("orders", QueryParams.DEFAULT).getConsulIndex();
    CompletableFuture<Woken> watch = CompletableFuture.supplyAsync(() -> {
      Response<List<HealthService>> response = health("orders", new QueryParams(60, index));
      return new Woken(System.nanoTime(), response);
    }, watchers);

    register("payments", "payments-2");
    await("orders watch stays parked while only payments changes")
        .during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> !watch.isDone());

    register("orders", "orders-2");
    long changed = System.nanoTime();
    await("orders watch wakes after orders changed").atMost(Duration.ofMillis(100))
        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).until(watch::isDone);

    Woken woken = watch.join();
    System.out.printf("blocking query woke %.1f ms after the write was acknowledged%n", (woken.at() - changed) / 1e6);
    assertThat(woken.response().getConsulIndex()).isGreaterThan(index);
    assertThat(woken.response().getValue()).extracting(h -> h.getService().getId())
        .containsExactlyInAnyOrder("orders-1", "orders-2");
  }

  @Test
  void blockingQuery_waitExpiresWithoutChange_returnsTheSameIndex() {
    long index = health("orders", QueryParams.DEFAULT).getConsulIndex();
    long start = System.nanoTime();

    Response<List<HealthService>> response = health("orders", new QueryParams(1, index));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(response.getConsulIndex()).isEqualTo(index);
    assertThat(response.getValue()).extracting(h -> h.getService().getId()).containsExactly("orders-1");
  }

  private Response<List<HealthService>> health(String service, QueryParams params) {
    return client.getHealthServices(service, HealthServicesRequest.newBuilder().setQueryParams(params).build());
  }

  private void register(String name, String id) {
    NewService service = new NewService();
    service.setName(name);
    service.setId(id);
    service.setAddress("10.0.0.1");
    service.setPort(8080);
    client.agentServiceRegister(service);
  }

  private record Woken(long at, Response<List<HealthService>> response) {}
}
