package dev.selat.controlplane.mesh;

import static java.util.Objects.requireNonNull;

import dev.selat.consul.ConsulBridge;
import dev.selat.consul.ConsulQueryException;
import dev.selat.consul.KvEntry;
import dev.selat.controlplane.policy.SiteKv;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The policy store's {@link SiteKv} over consul-bridge: its reads and check-and-set writes, its failures as unavailable. */
public final class BridgeKv implements SiteKv {
  private final ConsulBridge bridge;

  public BridgeKv(ConsulBridge bridge) {
    this.bridge = requireNonNull(bridge, "bridge");
  }

  @Override
  public Optional<Entry> read(String site, String key) {
    try {
      return bridge.readKv(site, key).map(BridgeKv::entry);
    } catch (ConsulQueryException e) {
      throw unavailable(site, e);
    }
  }

  @Override
  public List<Entry> list(String site, String prefix) {
    try {
      return bridge.readKvPrefix(site, prefix).stream().filter(e -> e.value().isPresent()).map(BridgeKv::entry).toList();
    } catch (ConsulQueryException e) {
      throw unavailable(site, e);
    }
  }

  @Override
  public boolean put(String site, String key, String value, long cas) {
    try {
      return bridge.putKv(site, key, value, OptionalLong.of(cas));
    } catch (ConsulQueryException e) {
      throw unavailable(site, e);
    }
  }

  @Override
  public boolean delete(String site, String key, long cas) {
    try {
      return bridge.deleteKv(site, key, OptionalLong.of(cas));
    } catch (ConsulQueryException e) {
      throw unavailable(site, e);
    }
  }

  private static Entry entry(KvEntry e) {
    return new Entry(e.key(), e.value().orElse(""), e.modifyIndex());
  }

  private static SiteUnavailableException unavailable(String site, ConsulQueryException e) {
    return new SiteUnavailableException(site, e.getMessage(), e);
  }
}
