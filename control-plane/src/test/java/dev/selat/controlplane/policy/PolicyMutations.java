package dev.selat.controlplane.policy;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.selat.proto.v1.RoutingPolicy;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random mutations of good policies: 1 to 4 fields each, any field at any depth, values from edge cases and the
 * configured names. What {@code PolicyMutationTest} sends through Validate in process, and {@code PolicyIT} through
 * {@code selatctl apply}.
 */
public final class PolicyMutations {
  static final String[] STRINGS = {"", "jakarta", "alibaba-sg", "aws-sg", "mars", "vpn", "leased-line", "payments",
      "search", "*", "pay*", "a*b", "5xx", "5xx,reset", "connect-failure,,", "UPPER", "a-", "-a", "x".repeat(200),
      "\u0000", "\n", "\"quoted\"", "日本", "\uD83D\uDE00", "a/b", "a b", "retriable-4xx,cancelled"};
  static final long[] LONGS = {0, 1, -1, 2, 5, 20, 100, 101, 1000, 1_000_000, 1_000_001, Integer.MAX_VALUE,
      Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 999_999_999, 1_000_000_000, -1_000_000_000, 315_576_000_000L,
      31_536_000, 31_536_001};
  private static final List<RoutingPolicy> GOOD = PolicyFixtures.good();

  private PolicyMutations() {}

  /** One of the fixtures' good policies with 1 to 4 random mutations. */
  public static RoutingPolicy next(SplittableRandom random) {
    RoutingPolicy.Builder b = GOOD.get(random.nextInt(GOOD.size())).toBuilder();
    int changes = 1 + random.nextInt(4);
    for (int c = 0; c < changes; c++) {
      mutate(b, random);
    }
    return b.build();
  }

  /** Whether {@code path} names a real field of RoutingPolicy ({@link FieldPaths}). */
  public static boolean realFieldPath(String path) {
    return FieldPaths.exists(path);
  }

  /** Sets, clears, adds to or removes from one random field somewhere in {@code b}. */
  static void mutate(Message.Builder b, SplittableRandom random) {
    Descriptor d = b.getDescriptorForType();
    List<FieldDescriptor> fields = d.getFields();
    FieldDescriptor f = fields.get(random.nextInt(fields.size()));
    if (f.isMapField()) {
      if (random.nextInt(3) == 0) {
        b.clearField(f);
      } else {
        Message.Builder entry = b.newBuilderForField(f);
        entry.setField(entry.getDescriptorForType().findFieldByName("key"), STRINGS[random.nextInt(STRINGS.length)]);
        entry.setField(entry.getDescriptorForType().findFieldByName("value"), (int) LONGS[random.nextInt(LONGS.length)]);
        b.addRepeatedField(f, entry.build());
      }
      return;
    }
    if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      if (f.isRepeated()) {
        int n = b.getRepeatedFieldCount(f);
        switch (random.nextInt(3)) {
          case 0 -> b.clearField(f);
          case 1 -> {
            Message.Builder child = b.newBuilderForField(f);
            mutate(child, random);
            b.addRepeatedField(f, child.build());
          }
          default -> {
            if (n > 0) {
              int at = random.nextInt(n);
              Message.Builder child = ((Message) b.getRepeatedField(f, at)).toBuilder();
              mutate(child, random);
              b.setRepeatedField(f, at, child.build());
            }
          }
        }
      } else if (random.nextInt(6) == 0) {
        b.clearField(f);
      } else {
        mutate(b.getFieldBuilder(f), random);
      }
      return;
    }
    Object value = scalar(f, random);
    if (f.isRepeated()) {
      switch (random.nextInt(3)) {
        case 0 -> b.clearField(f);
        case 1 -> b.addRepeatedField(f, value);
        default -> {
          if (b.getRepeatedFieldCount(f) > 0) {
            b.setRepeatedField(f, random.nextInt(b.getRepeatedFieldCount(f)), value);
          }
        }
      }
    } else if (random.nextInt(8) == 0) {
      b.clearField(f);
    } else {
      b.setField(f, value);
    }
  }

  static Object scalar(FieldDescriptor f, SplittableRandom random) {
    long n = LONGS[random.nextInt(LONGS.length)];
    return switch (f.getJavaType()) {
      case STRING -> STRINGS[random.nextInt(STRINGS.length)];
      case INT -> (int) n;
      case LONG -> n;
      case BOOLEAN -> random.nextBoolean();
      case ENUM -> {
        List<EnumValueDescriptor> values = f.getEnumType().getValues();
        yield random.nextInt(5) == 0 ? f.getEnumType().findValueByNumberCreatingIfUnknown(7 + random.nextInt(50))
            : values.get(random.nextInt(values.size()));
      }
      default -> throw new IllegalStateException(f.getFullName());
    };
  }

}
