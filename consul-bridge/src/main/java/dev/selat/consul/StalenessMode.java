package dev.selat.consul;

/**
 * What routing does with a site's last-known-good catalog once its staleness budget is spent. The bridge itself keeps
 * publishing that catalog, marked {@link SyncState#EXPIRED}: the consumer applies the mode, since only it knows whether
 * the site holds the only instances of a service anywhere (never an empty endpoint set while a healthy instance is
 * known).
 */
public enum StalenessMode {
  /** Keep serving the catalog as it was. */
  FREEZE,
  /** Keep the catalog but flag it, so that routing lowers the site's weight. */
  DECAY,
  /** Leave the site out, unless it holds the only available instances of a service. */
  DROP
}
