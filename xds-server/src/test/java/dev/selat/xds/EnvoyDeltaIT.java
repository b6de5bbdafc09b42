package dev.selat.xds;

/** A real Envoy over incremental (Delta) ADS. */
class EnvoyDeltaIT extends EnvoyAdsContract {
  @Override
  String apiType() {
    return "DELTA_GRPC";
  }
}
