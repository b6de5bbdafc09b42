package dev.selat.probe;

/**
 * A monotonic nanosecond source. Only differences of two readings mean anything, as with
 * {@link System#nanoTime()}; tests inject a fake one to drive time by hand.
 */
@FunctionalInterface
public interface Ticker {
  long nanos();

  static Ticker system() {
    return System::nanoTime;
  }
}
