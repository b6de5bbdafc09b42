package dev.selat.xds;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One xDS resource at one version. The resource is serialized once, here, and the same bytes are
 * shared by every stream that sends it; its version is a hash of its content, so equal content
 * always has an equal version. Immutable; equal when type, name and version are.
 */
public final class VersionedResource {
  private final String name;
  private final String typeUrl;
  private final Any resource;
  private final String version;
  private final long identity;
  private final Resource deltaResource;

  private VersionedResource(String name, String typeUrl, Any resource, String version, long identity) {
    this.name = name;
    this.typeUrl = typeUrl;
    this.resource = resource;
    this.version = version;
    this.identity = identity;
    this.deltaResource = Resource.newBuilder().setName(name).setVersion(version).setResource(resource).build();
  }

  /** Serializes {@code resource} deterministically and versions it by its content. */
  public static VersionedResource of(String name, Message resource) {
    requireNonNull(name, "name");
    requireNonNull(resource, "resource");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name: must not be empty (" + resource.getDescriptorForType().getFullName() + ")");
    }
    String typeUrl = TypeUrls.typeUrlOf(resource);
    byte[] bytes = deterministicBytes(resource);
    MessageDigest sha = sha256();
    sha.update(bytes);
    byte[] contentHash = sha.digest();
    sha.update(name.getBytes(StandardCharsets.UTF_8));
    sha.update(contentHash);
    long identity = ByteBuffer.wrap(sha.digest()).getLong();
    Any any = Any.newBuilder().setTypeUrl(typeUrl).setValue(ByteString.copyFrom(bytes)).build();
    return new VersionedResource(
        name, typeUrl, any, HexFormat.of().formatHex(contentHash, 0, 8), identity);
  }

  /** The resource name (Cluster/Listener/RouteConfiguration name, ClusterLoadAssignment cluster_name). */
  public String name() {
    return name;
  }

  public String typeUrl() {
    return typeUrl;
  }

  /** The packed resource; the same instance for every stream. */
  public Any resource() {
    return resource;
  }

  /** Hex content hash. */
  public String version() {
    return version;
  }

  /** A 64-bit hash of name and content, summed into set versions. */
  long identity() {
    return identity;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionedResource other
        && name.equals(other.name) && typeUrl.equals(other.typeUrl) && version.equals(other.version);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, typeUrl, version);
  }

  @Override
  public String toString() {
    return TypeUrls.shortName(typeUrl) + "/" + name + "@" + version;
  }

  /** The Delta form of this resource, shared like the resource itself. */
  Resource deltaResource() {
    return deltaResource;
  }

  private static byte[] deterministicBytes(Message message) {
    byte[] bytes = new byte[message.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      message.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.checkNoSpaceLeft();
    return bytes;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }
}
