package dev.selat.consul;

/** Consul's DNS/load-balancing weights of an instance: used while it is passing, and while it is warning. */
public record Weights(int passing, int warning) {
  public static final Weights DEFAULT = new Weights(1, 1);

  public Weights {
    if (passing < 1) {
      throw new ConsulAnswerException("Weights.Passing", "must be >= 1, was " + passing);
    }
    if (warning < 0) {
      throw new ConsulAnswerException("Weights.Warning", "must be >= 0, was " + warning);
    }
  }
}
