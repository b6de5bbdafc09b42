package dev.selat.xds;

/** A real Envoy over state-of-the-world ADS. */
class EnvoySotwIT extends EnvoyAdsContract {
  @Override
  String apiType() {
    return "GRPC";
  }
}
