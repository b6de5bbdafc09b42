package dev.selat.emulator.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback set up in code (found through ServiceLoader) rather than from XML: parsing logback.xml
 * costs a start-up the conformance suite pays for every test. Logs go to stderr; Jetty at WARN. A JVM that names
 * its own configuration ({@code -Dlogback.configurationFile}, as the control plane's and the demo's launchers do)
 * gets that instead: the emulator is a library there, and must not take over the host's logging.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext ctx) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder enc = new PatternLayoutEncoder();
    enc.setContext(ctx);
    enc.setPattern("%d{HH:mm:ss.SSS} [%level] %logger{0}: %msg%n");
    enc.start();
    ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
    out.setContext(ctx);
    out.setTarget("System.err");
    out.setEncoder(enc);
    out.start();
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(System.getProperty("selat.emulator.log.level"), Level.INFO));
    root.addAppender(out);
    ctx.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
