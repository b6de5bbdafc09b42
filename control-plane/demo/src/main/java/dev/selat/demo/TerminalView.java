package dev.selat.demo;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.TextGraphics;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.DefaultTerminalFactory;
import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal.CtrlCBehaviour;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The live view in a terminal (Lanterna): redrawn in place twice a second, keys run the tour's steps, {@code q} or
 * Ctrl-C quits. The terminal is given back as it was, also when the JVM is stopped by a signal.
 */
final class TerminalView implements AutoCloseable {
  private final Screen screen;
  private final Map<Character, String> stepKeys = DemoScreen.stepKeys();

  TerminalView() throws IOException {
    screen = new TerminalScreen(new DefaultTerminalFactory().setForceTextTerminal(true)
        .setUnixTerminalCtrlCBehaviour(CtrlCBehaviour.TRAP).createTerminal());
    screen.startScreen();
    screen.setCursorPosition(null);
  }

  /** Draws and reads keys until a quit key; {@code step} runs a step by name. */
  void run(DemoMesh mesh, Predicate<String> step) throws IOException {
    long nextDraw = 0;
    while (true) {
      KeyStroke key = screen.pollInput();
      if (key != null) {
        if (key.getKeyType() == KeyType.EOF || key.getKeyType() == KeyType.Escape) {
          return;
        }
        if (key.getKeyType() == KeyType.Character) {
          char c = Character.toLowerCase(key.getCharacter());
          if (c == 'q' || (key.isCtrlDown() && c == 'c')) {
            return;
          }
          String name = stepKeys.get(c);
          if (name != null) {
            step.test(name);
            nextDraw = 0;
          }
        }
        continue;
      }
      long now = System.nanoTime();
      if (now >= nextDraw) {
        draw(mesh);
        nextDraw = now + 500_000_000L;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void draw(DemoMesh mesh) throws IOException {
    TerminalSize size = screen.doResizeIfNecessary();
    if (size == null) {
      size = screen.getTerminalSize();
    }
    List<DemoScreen.Line> lines = new ArrayList<>(DemoScreen.state(mesh));
    lines.add(new DemoScreen.Line(DemoScreen.Kind.HEADER, "Events"));
    int room = Math.max(1, size.getRows() - lines.size() - 2);
    List<MeshWatch.Event> events = mesh.watch().events();
    events.subList(Math.max(0, events.size() - room), events.size()).forEach(e -> lines.add(DemoScreen.event(e)));
    screen.clear();
    TextGraphics g = screen.newTextGraphics();
    int row = 0;
    for (DemoScreen.Line line : lines) {
      if (row >= size.getRows() - 1) {
        break;
      }
      put(g, row++, line, size.getColumns());
    }
    put(g, size.getRows() - 1, DemoScreen.keys(), size.getColumns());
    screen.refresh(Screen.RefreshType.DELTA);
  }

  private static void put(TextGraphics g, int row, DemoScreen.Line line, int columns) {
    g.clearModifiers();
    g.setForegroundColor(switch (line.kind()) {
      case TITLE, HEADER -> TextColor.ANSI.CYAN_BRIGHT;
      case DIM -> TextColor.ANSI.WHITE;
      case ALERT -> TextColor.ANSI.YELLOW_BRIGHT;
      case EVENT -> TextColor.ANSI.GREEN_BRIGHT;
      case KEYS -> TextColor.ANSI.MAGENTA_BRIGHT;
      case TEXT -> TextColor.ANSI.DEFAULT;
    });
    if (line.kind() == DemoScreen.Kind.TITLE || line.kind() == DemoScreen.Kind.HEADER) {
      g.enableModifiers(SGR.BOLD);
    }
    String text = line.text();
    g.putString(0, row, text.length() > columns ? text.substring(0, columns) : text);
  }

  @Override
  public void close() throws IOException {
    screen.stopScreen();
  }
}
