package dev.selat.demo;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The view when stdout is not a terminal: events as lines when they happen, the state every 10 s. A line on stdin
 * holding a step's key (or name) runs it, {@code q} quits; the end of stdin changes nothing (a demo in the background
 * reads /dev/null), so such a demo ends by a signal or {@code q}.
 */
final class PlainView {
  private static final long STATE_EVERY_NANOS = 10_000_000_000L;

  private final PrintStream out;

  PlainView(PrintStream out) {
    this.out = out;
  }

  void run(DemoMesh mesh, Predicate<String> step) throws InterruptedException {
    CountDownLatch quit = new CountDownLatch(1);
    Map<Character, String> keys = DemoScreen.stepKeys();
    Thread.ofVirtual().name("plain-view-stdin").start(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          String word = line.trim();
          if (word.equals("q")) {
            quit.countDown();
            return;
          }
          String name = word.length() == 1 ? keys.get(word.charAt(0)) : word;
          if (name != null && !step.test(name)) {
            out.println("no step " + word);
          }
        }
      } catch (Exception e) {
        // no stdin to read: keys are not needed to run
      }
    });
    out.println(DemoScreen.keys().text());
    long seen = 0;
    long nextState = System.nanoTime();
    while (!quit.await(250, TimeUnit.MILLISECONDS)) {
      for (MeshWatch.Event e : mesh.watch().eventsAfter(seen)) {
        out.println(e);
        seen = e.seq();
      }
      if (System.nanoTime() >= nextState) {
        DemoScreen.state(mesh).forEach(l -> out.println(l.text()));
        nextState = System.nanoTime() + STATE_EVERY_NANOS;
      }
      out.flush();
    }
  }
}
