package dev.selat.emulator;

/** The Consul API level the emulator follows, and how it says it is not Consul. */
public final class Version {
  /** The Consul release whose HTTP API v1 behaviour is followed. */
  public static final String VERSION = "1.22.0";
  public static final String REVISION = "selat-emulator";
  public static final String BUILD_DATE = "2026-01-01T00:00:00Z";
  public static final String HUMAN = "v" + VERSION;
  public static final String EMULATOR = "Selat consul-emulator (not HashiCorp Consul), following the Consul "
      + VERSION + " HTTP API";

  private Version() {}
}
