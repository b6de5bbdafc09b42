package dev.selat.benchmarks;

/**
 * One of the servers under test, serving {@link Workload} to ADS clients on 127.0.0.1. Called from
 * one thread (the server JVM's command loop).
 */
interface BenchServer extends AutoCloseable {

  /** The bound port. */
  int port();

  /** Changes cluster {@code cluster}'s endpoints to carry {@code marker}, in every group, and publishes. */
  void update(int cluster, int marker);

  @Override
  void close();

  /** The three servers, by their command-line names. */
  enum Kind {
    SELAT("selat"), JCP("jcp"), FLOOR("floor");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    String id() {
      return id;
    }

    static Kind of(String id) {
      for (Kind k : values()) {
        if (k.id.equals(id)) {
          return k;
        }
      }
      throw new IllegalArgumentException("server: unknown '" + id + "', expected selat, jcp or floor");
    }

    BenchServer start(Workload workload) throws java.io.IOException {
      return switch (this) {
        case SELAT -> new SelatServer(workload);
        case JCP -> new JcpServer(workload);
        case FLOOR -> new FloorServer(workload);
      };
    }
  }
}
