package dev.selat.testkit;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Selat's three sites, each its own Consul datacenter on its own port: {@code jakarta}, {@code alibaba-sg}, {@code aws-sg}.
 * In try-with-resources: {@code try (ThreeSites sites = ThreeSites.start(false)) {...}}; as a JUnit 5 extension:
 * {@code @RegisterExtension static final ThreeSites SITES = ThreeSites.extension(false);} starts them before all tests of
 * the class and stops them after.
 */
public final class ThreeSites implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  public static final String JAKARTA = "jakarta";
  public static final String ALIBABA_SG = "alibaba-sg";
  public static final String AWS_SG = "aws-sg";
  public static final List<String> IDS = List.of(JAKARTA, ALIBABA_SG, AWS_SG);

  private final UnaryOperator<ConsulSite.Options.Builder> customize;
  private Map<String, ConsulSite> sites = Map.of();

  private ThreeSites(UnaryOperator<ConsulSite.Options.Builder> customize) {
    this.customize = requireNonNull(customize, "customize");
  }

  /** Starts the three sites now, in this JVM or each as its own process. */
  public static ThreeSites start(boolean processes) {
    return start(b -> b.process(processes));
  }

  /** Starts the three sites now, each with options adjusted by {@code customize} (ACLs, for instance). */
  public static ThreeSites start(UnaryOperator<ConsulSite.Options.Builder> customize) {
    ThreeSites three = new ThreeSites(customize);
    three.startAll();
    return three;
  }

  /** The sites as a JUnit 5 extension: started before all tests of the class, stopped after them. */
  public static ThreeSites extension(boolean processes) {
    return new ThreeSites(b -> b.process(processes));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    startAll();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  public ConsulSite jakarta() {
    return site(JAKARTA);
  }

  public ConsulSite alibabaSg() {
    return site(ALIBABA_SG);
  }

  public ConsulSite awsSg() {
    return site(AWS_SG);
  }

  public ConsulSite site(String id) {
    ConsulSite site = sites.get(id);
    if (site == null) {
      throw new IllegalArgumentException("site: no site \"" + id + "\" (sites: " + sites.keySet() + ")");
    }
    return site;
  }

  /** The sites in the order jakarta, alibaba-sg, aws-sg. */
  public List<ConsulSite> all() {
    return List.copyOf(sites.values());
  }

  /** Starts the sites side by side; if one fails, the others are stopped and the failure is thrown. */
  private void startAll() {
    if (!sites.isEmpty()) {
      throw new IllegalStateException("the three sites are already running");
    }
    List<CompletableFuture<ConsulSite>> starting = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String id : IDS) {
        starting.add(CompletableFuture.supplyAsync(
            () -> ConsulSite.start(customize.apply(ConsulSite.Options.builder(id)).build()), executor));
      }
    }
    Map<String, ConsulSite> started = new LinkedHashMap<>();
    RuntimeException failure = null;
    for (int i = 0; i < IDS.size(); i++) {
      try {
        started.put(IDS.get(i), starting.get(i).join());
      } catch (CompletionException e) {
        failure = e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    if (failure != null) {
      started.values().forEach(ConsulSite::close);
      throw failure;
    }
    sites = started;
  }

  @Override
  public void close() {
    sites.values().forEach(ConsulSite::close);
    sites = Map.of();
  }
}
