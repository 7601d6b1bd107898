package dev.rolemesh.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IP network written as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a network of one.
 *
 * @param network the first address (host bits cleared)
 * @param prefix how many leading bits an address must share with {@code network} to be inside
 */
public record Cidr(InetAddress network, int prefix) {

  /**
   * Only the canonical dotted quad: inet_aton also reads {@code 0251.0376.0251.0376} (octal) or {@code 2852039166}
   * as 169.254.169.254, so anything else that looks numeric is not taken for an address.
   */
  private static final Pattern DOTTED_QUAD =
      Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

  /** @throws IllegalArgumentException with a one-line reason meant to follow a field path */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("must be an IP network like 10.0.0.0/8 or fd00::/8, got '" + text + "'");
    }
    int bits = address.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String length = text.substring(slash + 1);
      prefix = length.matches("[0-9]{1,3}") ? Integer.parseInt(length) : -1;
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("prefix length must be 0 to " + bits + ", got '" + text + "'");
      }
    }
    return new Cidr(masked(address, prefix), prefix);
  }

  /**
   * The address an IP literal names ({@code 10.0.0.1}, {@code fe80::1}, {@code [::1]}), or null when the text is
   * not one (a host name, or a numeric form other than the dotted quad). Never looks anything up.
   */
  public static InetAddress literal(String text) {
    String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    boolean v6 = bare.contains(":") && bare.matches("[0-9A-Fa-f:.%a-zA-Z_-]+");
    if (!v6 && !DOTTED_QUAD.matcher(bare).matches()) {
      return null;
    }
    try {
      // A literal: parsed, not resolved.
      return InetAddress.getByName(bare);
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  public boolean contains(InetAddress address) {
    byte[] mine = network.getAddress();
    byte[] theirs = address.getAddress();
    return mine.length == theirs.length && masked(address, prefix).equals(network);
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefix;
  }

  private static InetAddress masked(InetAddress address, int prefix) {
    byte[] bytes = address.getAddress();
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      bytes[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always an address", e);
    }
  }
}
