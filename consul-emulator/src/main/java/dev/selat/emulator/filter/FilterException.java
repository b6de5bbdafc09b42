package dev.selat.emulator.filter;

/** An expression the filter subset does not accept; the message says where and why. */
public final class FilterException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public FilterException(String message) {
    super(message);
  }
}
