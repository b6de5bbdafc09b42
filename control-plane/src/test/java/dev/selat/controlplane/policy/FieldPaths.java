package dev.selat.controlplane.policy;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.selat.proto.v1.RoutingPolicy;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Whether a violation's field path names a real field of RoutingPolicy: {@code a.b[0].c}, {@code m["key"]}. */
final class FieldPaths {
  private static final Pattern PART = Pattern.compile("([a-z0-9_]+)(\\[(\\d+|\"(?:[^\"\\\\]|\\\\.)*\")])?");

  private FieldPaths() {}

  static boolean exists(String path) {
    Descriptor d = RoutingPolicy.getDescriptor();
    String[] parts = path.split("\\.(?=[a-z])");
    for (int i = 0; i < parts.length; i++) {
      Matcher m = PART.matcher(parts[i]);
      if (d == null || !m.matches()) {
        return false;
      }
      FieldDescriptor f = d.findFieldByName(m.group(1));
      if (f == null || m.group(2) != null && !f.isRepeated()) {
        return false;
      }
      if (m.group(3) != null && m.group(3).startsWith("\"") != f.isMapField()) {
        return false;
      }
      d = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !f.isMapField() ? f.getMessageType() : null;
      if (i < parts.length - 1 && d == null) {
        return false;
      }
    }
    return true;
  }
}
