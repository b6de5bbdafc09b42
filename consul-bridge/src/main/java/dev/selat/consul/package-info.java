/**
 * consul-bridge: watches the Consul cluster of every site and publishes immutable per-site {@link
 * dev.selat.consul.SiteCatalog} snapshots (latest state wins, with what changed) and {@link dev.selat.consul.KvSnapshot}s
 * of watched KV prefixes (not read yet, empty, or their keys, with what changed).
 *
 * <p>Entry point: {@link dev.selat.consul.ConsulBridge#start}. Configuration: {@link dev.selat.consul.SiteConfig}, also
 * from Consul's standard environment variables. Nothing here knows Envoy, xDS or routing, and no ecwid or Apache type
 * leaves the package. Each site is owned by one serial executor (a virtual thread); Consul requests run on virtual
 * threads over a bounded connection pool; listeners are called on the executor each listener gives (latest state wins,
 * so a slow or failing listener never holds up a site).
 */
package dev.selat.consul;
