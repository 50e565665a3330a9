package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressRangeTest {
  private static boolean contains(String range, String address) throws Exception {
    return AddressRange.parse(range).contains(InetAddress.getByName(address));
  }

  @Test
  void ipv4RangesMatchTheirAddressesOnly() throws Exception {
    assertThat(contains("10.0.0.0/8", "10.255.1.2")).isTrue();
    assertThat(contains("10.0.0.0/8", "11.0.0.1")).isFalse();
    assertThat(contains("192.168.1.0/25", "192.168.1.127")).isTrue();
    assertThat(contains("192.168.1.0/25", "192.168.1.128")).isFalse();
    assertThat(contains("127.0.0.1", "127.0.0.1")).isTrue();
    assertThat(contains("127.0.0.1/32", "127.0.0.2")).isFalse();
    assertThat(contains("0.0.0.0/0", "8.8.8.8")).isTrue();
    assertThat(contains("10.0.0.0/8", "::ffff:10.1.2.3")).as("IPv4-mapped IPv6").isTrue();
  }

  @Test
  void ipv6RangesMatchTheirAddressesOnly() throws Exception {
    assertThat(contains("fd00::/8", "fd12:3456::1")).isTrue();
    assertThat(contains("fd00::/8", "fe80::1")).isFalse();
    assertThat(contains("::1", "::1")).isTrue();
    assertThat(contains("::1/128", "127.0.0.1")).isFalse();
    assertThat(contains("2001:db8::/32", "2001:db8:ffff::1")).isTrue();
  }

  @Test
  void badRangesAreRefusedWithoutALookup() {
    assertThatThrownBy(() -> AddressRange.parse("example.com"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/33")).hasMessageContaining("0 to 32");
    assertThatThrownBy(() -> AddressRange.parse("fd00::/129")).hasMessageContaining("0 to 128");
    assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/x")).hasMessageContaining("prefix");
  }
}
