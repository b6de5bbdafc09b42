package dev.selat.benchmarks;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Summarizes a JFR profile's CPU samples two ways: by the first frame in a chosen package (where in
 * our code the time goes, callers included) and by the top frame (what actually runs).
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
    description = "Summarize the CPU samples of a JFR file (e.g. one written with --profile-dir).")
final class ProfileSummary implements Callable<Integer> {
  @Parameters(paramLabel = "FILE")
  Path file;

  @Option(names = "--package", defaultValue = "dev.selat.", description = "Attribute samples to this package's frames.")
  String packagePrefix;

  @Option(names = "--top", defaultValue = "15")
  int top;

  @Option(names = "--depth", defaultValue = "3", description = "Frames of the package shown per line.")
  int depth;

  @Override
  public Integer call() throws Exception {
    Map<String, Integer> byOurs = new HashMap<>();
    Map<String, Integer> byTop = new HashMap<>();
    int total = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      if (!"jdk.ExecutionSample".equals(event.getEventType().getName()) || event.getStackTrace() == null) {
        continue;
      }
      List<RecordedFrame> frames = event.getStackTrace().getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      total++;
      byTop.merge(name(frames.get(0)), 1, Integer::sum);
      StringBuilder ours = new StringBuilder();
      int shown = 0;
      for (RecordedFrame f : frames) {
        if (f.getMethod().getType().getName().startsWith(packagePrefix) && shown < depth) {
          ours.append(shown++ == 0 ? "" : " <- ").append(name(f)).append(':').append(f.getLineNumber());
        }
      }
      byOurs.merge(shown == 0 ? "(outside " + packagePrefix + "*) " + name(frames.get(0)) : ours.toString(), 1,
          Integer::sum);
    }
    System.out.printf("%d CPU samples in %s%n%nBy the first %s* frames:%n", total, file, packagePrefix);
    print(byOurs, total);
    System.out.printf("%nBy top frame:%n");
    print(byTop, total);
    return 0;
  }

  private void print(Map<String, Integer> counts, int total) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .forEach(e -> System.out.printf("%6d %5.1f%%  %s%n", e.getValue(), 100.0 * e.getValue() / total, e.getKey()));
  }

  private static String name(RecordedFrame frame) {
    String type = frame.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName();
  }
}
