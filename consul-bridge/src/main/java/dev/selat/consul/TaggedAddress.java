package dev.selat.consul;

import static java.util.Objects.requireNonNull;

/**
 * One of a service's tagged addresses ({@code Service.TaggedAddresses.<name>} in Consul: {@code lan}, {@code wan},
 * {@code lan_ipv4}, {@code wan_ipv4}, ...). {@code port} 0 means "the service's port" (Consul leaves it unset).
 */
public record TaggedAddress(String address, int port) {
  public TaggedAddress {
    requireNonNull(address, "address");
    if (port < 0 || port > 65535) {
      throw new ConsulAnswerException("Port", "must be within 0..65535, was " + port);
    }
  }
}
