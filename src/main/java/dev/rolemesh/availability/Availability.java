package dev.rolemesh.availability;

/** Whether a role can serve right now, and if not, why (shown to operators and clients as is). */
public record Availability(boolean available, String reason) {

  private static final Availability UP = new Availability(true, null);

  public static Availability up() {
    return UP;
  }

  public static Availability down(String reason) {
    return new Availability(false, reason);
  }
}
