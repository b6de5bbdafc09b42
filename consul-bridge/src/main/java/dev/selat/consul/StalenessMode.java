package dev.selat.consul;

/** What happens to a site's last-known-good catalog once its staleness budget is spent. */
public enum StalenessMode {
  /** Keep serving the catalog as it was. */
  FREEZE,
  /** Keep the catalog but flag it, so that routing lowers the site's weight. */
  DECAY,
  /** Publish the site as empty. */
  DROP
}
