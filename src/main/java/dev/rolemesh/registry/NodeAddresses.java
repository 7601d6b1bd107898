package dev.rolemesh.registry;

import dev.rolemesh.config.Cidr;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Where a node's {@code base_url} may point. The gateway sends client requests there, so a node key must not be a
 * way to aim it at a cloud metadata service (instance credentials) or at link-local addresses: those are refused to
 * every node. With {@code auth.node_networks} set, the host must moreover be an IP address inside one of those
 * networks; a name is refused then, since what it resolves to can change after the check.
 */
final class NodeAddresses {

  private static final List<String> ALWAYS_REFUSED = List.of("169.254.0.0/16", "fe80::/10", "fd00:ec2::254");
  private static final List<Cidr> REFUSED_NETWORKS = ALWAYS_REFUSED.stream().map(Cidr::parse).toList();
  private static final String METADATA_NAME = "metadata.google.internal";

  private NodeAddresses() {}

  /** Why the gateway will not send requests to {@code baseUrl}, or null when it may. */
  static String problem(URI baseUrl, List<Cidr> allowed) {
    String host = baseUrl.getHost();
    InetAddress address = Cidr.literal(host);
    if (address == null) {
      String name = host.toLowerCase(Locale.ROOT);
      name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
      if (name.equals(METADATA_NAME)) {
        return "must not point at the cloud metadata service, got '" + host + "'";
      }
      if (numeric(name)) {
        return "must write an IPv4 address as four decimal numbers like 10.0.0.12, got '" + host + "'";
      }
      if (!allowed.isEmpty()) {
        return "must be an IP address inside auth.node_networks " + allowed + " (names are not accepted while"
            + " node_networks is set), got '" + host + "'";
      }
      return null;
    }
    for (int i = 0; i < REFUSED_NETWORKS.size(); i++) {
      if (REFUSED_NETWORKS.get(i).contains(address)) {
        return "must not be a link-local or cloud-metadata address (" + ALWAYS_REFUSED.get(i) + "), got '" + host
            + "'";
      }
    }
    if (!allowed.isEmpty() && allowed.stream().noneMatch(network -> network.contains(address))) {
      return "must be inside auth.node_networks " + allowed + ", got '" + host + "'";
    }
    return null;
  }

  /**
   * Whether every dot-separated part is a number (decimal, octal or 0x-hex): inet_aton reads such names as an IPv4
   * address ({@code 0251.0376.0251.0376} and {@code 2852039166} are 169.254.169.254) without asking DNS.
   */
  private static boolean numeric(String name) {
    for (String part : name.split("\\.", -1)) {
      if (!part.matches("0x[0-9a-f]*|[0-9]+")) {
        return false;
      }
    }
    return true;
  }
}
