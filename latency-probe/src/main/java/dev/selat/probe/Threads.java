package dev.selat.probe;

import java.time.Duration;

/** Waiting for the threads a component owns to end when it closes. */
final class Threads {
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

  private Threads() {}

  /** Waits up to 5 s for each thread (a closed socket ends each of them at once); keeps an interrupt for the caller. */
  static void join(Thread... threads) {
    for (Thread thread : threads) {
      try {
        thread.join(JOIN_TIMEOUT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
