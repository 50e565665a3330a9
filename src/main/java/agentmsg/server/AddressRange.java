package agentmsg.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * A CIDR range of IPv4 or IPv6 addresses ({@code 10.0.0.0/8}, {@code fd00::/8}, or one address). An
 * IPv4 range also matches the same addresses written as IPv4-mapped IPv6 ({@code ::ffff:10.1.2.3}),
 * which is how a dual-stack socket reports IPv4 peers. Immutable.
 */
final class AddressRange {
  /** Only literal addresses: a range must never trigger a DNS lookup. */
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  private final String text;
  private final byte[] network;
  private final int prefix;

  private AddressRange(String text, byte[] network, int prefix) {
    this.text = text;
    this.network = network;
    this.prefix = prefix;
  }

  /**
   * Parses {@code address[/prefix]}.
   *
   * @throws IllegalArgumentException naming the range and what is wrong with it
   */
  static AddressRange parse(String text) {
    String trimmed = text.strip();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    if (!LITERAL.matcher(address).matches() || (!address.contains(".") && !address.contains(":"))) {
      throw new IllegalArgumentException(
          "--allow range '" + text + "' is not an IP address or CIDR (e.g. 10.0.0.0/8, fd00::/8)");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--allow range '" + text + "' is not an IP address");
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException(
            "--allow range '" + text + "' needs a prefix length of 0 to " + bits);
      }
    }
    return new AddressRange(trimmed, mask(bytes, prefix), prefix);
  }

  boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 16 && network.length == 4 && isMappedIpv4(bytes)) {
      bytes = Arrays.copyOfRange(bytes, 12, 16);
    }
    if (bytes.length != network.length) {
      return false;
    }
    return Arrays.equals(mask(bytes, prefix), network);
  }

  private static boolean isMappedIpv4(byte[] bytes) {
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] masked = bytes.clone();
    for (int i = 0; i < masked.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      masked[i] &= (byte) (0xff << (8 - keep));
    }
    return masked;
  }

  @Override
  public String toString() {
    return text;
  }
}
