package dev.rolemesh.availability;

/**
 * Whether a role can serve right now, and if not, why (shown to operators and clients as is).
 *
 * @param fallback when the role itself cannot but a client asking for it gets an answer: the fallback that would
 *     serve it; else null
 */
public record Availability(boolean available, String reason, String fallback) {

  private static final Availability UP = new Availability(true, null, null);

  public static Availability up() {
    return UP;
  }

  public static Availability down(String reason) {
    return new Availability(false, reason, null);
  }

  /** The role cannot serve, but its fallback {@code alias} can take its requests. */
  public static Availability through(String alias) {
    return new Availability(true, null, alias);
  }
}
