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

/**
 * One xDS resource at one version. The resource is serialized once, here, and the same bytes are
 * shared by every stream that sends it; its version is a hash of its content, so equal content
 * always has an equal version.
 *
 * @param name the resource name (Cluster/Listener/RouteConfiguration name, ClusterLoadAssignment
 *     cluster_name)
 * @param typeUrl the resource's type URL
 * @param resource the packed resource
 * @param version the hex content hash
 * @param identity a 64-bit hash of name and content, combined into set versions
 */
public record VersionedResource(
    String name, String typeUrl, Any resource, String version, long identity) {

  public VersionedResource {
    requireNonNull(name, "name");
    requireNonNull(typeUrl, "typeUrl");
    requireNonNull(resource, "resource");
    requireNonNull(version, "version");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name: must not be empty (type " + typeUrl + ")");
    }
  }

  /** Serializes {@code resource} deterministically and versions it by its content. */
  public static VersionedResource of(String name, Message resource) {
    requireNonNull(name, "name");
    requireNonNull(resource, "resource");
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

  /** The Delta form of this resource; built on demand, it shares the serialized bytes. */
  Resource toDeltaResource() {
    return Resource.newBuilder().setName(name).setVersion(version).setResource(resource).build();
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
