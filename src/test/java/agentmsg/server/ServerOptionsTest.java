package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agentmsg.AgentMsgException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerOptionsTest {
  @TempDir Path home;

  private ServerOptions.Builder builder() {
    return ServerOptions.builder().home(home);
  }

  private static void rejected(ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  private static void refused(ThrowingCallable call, String code, String... parts) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(AgentMsgException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContainingAll(parts);
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    ServerOptions options = builder().build();
    assertThat(options.home()).isEqualTo(home.toAbsolutePath().normalize());
    assertThat(options.database()).isNull();
    assertThat(options.host()).isEqualTo("127.0.0.1");
    assertThat(options.port()).isEqualTo(18790);
    assertThat(options.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(options.maxInFlight()).isEqualTo(1000);
    assertThat(options.pollInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.maxMessageBytes()).isEqualTo(1_000_000);
    assertThat(options.storeTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.log()).isSameAs(System.err);
    assertThat(options.logDeliveries()).isTrue();
    assertThat(options.auth()).isEqualTo(ServerAuth.TOKENS);
    assertThat(options.sharedSecretHash()).isNull();
    assertThat(options.allowPlaintext()).isFalse();
    assertThat(options.allowedOrigins()).isEmpty();
    assertThat(options.allow()).isEmpty();
    assertThat(options.tls()).isFalse();
    assertThat(options.maxConnectionsPerAddress()).isEqualTo(64);
    assertThat(options.maxFramesPerSecond()).isEqualTo(1000);
    assertThat(options.maxQueuedBytes()).isEqualTo(32L << 20);
    assertThat(options.statsInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(options.loopLimit()).isEqualTo(30);
    assertThat(options.toString())
        .startsWith("ServerOptions{home=" + options.home() + ", host=127.0.0.1, port=18790")
        .contains("auth=TOKENS", "tls=false", "maxQueuedBytes=33554432", "loopLimit=30}");
  }

  @Test
  void everySetterRejectsABadValueAtOnceNamingTheOptionAndItsLimit() {
    rejected(() -> builder().port(65536), "port must be 0 to 65535, was 65536");
    rejected(() -> builder().port(-1), "port must be 0 to 65535, was -1");
    rejected(
        () -> builder().idleTimeout(Duration.ZERO),
        "idleTimeout must be between PT1S and PT1H, was PT0S");
    rejected(() -> builder().maxInFlight(0), "maxInFlight must be 1 to 100000, was 0");
    rejected(
        () -> builder().pollInterval(Duration.ofMillis(9)),
        "pollInterval must be between PT0.01S and PT1H, was PT0.009S");
    rejected(
        () -> builder().maxMessageBytes(1_000_001),
        "maxMessageBytes must be 1 to 1000000, was 1000001");
    rejected(
        () -> builder().storeTimeout(Duration.ofMinutes(11)),
        "storeTimeout must be between PT0S and PT10M, was PT11M");
    rejected(
        () -> builder().sharedSecret("short"),
        "the team secret must be 16-512 printable characters without spaces");
    rejected(
        () -> builder().allowOrigin("https://app.example/path"),
        "--allow-origin takes scheme://host[:port] as a browser sends it (e.g."
            + " https://app.example.com), was 'https://app.example/path'");
    rejected(
        () -> builder().allow("10.0.0.0/8,nope"),
        "--allow range 'nope' is not an IP address or CIDR (e.g. 10.0.0.0/8, fd00::/8)");
    rejected(
        () -> builder().maxConnectionsPerAddress(0),
        "maxConnectionsPerAddress must be 1 to 100000, was 0");
    rejected(
        () -> builder().maxFramesPerSecond(1_000_001),
        "maxFramesPerSecond must be 1 to 1000000, was 1000001");
    rejected(
        () -> builder().maxQueuedBytes(1), "maxQueuedBytes must be 16777216 to 4294967296, was 1");
    rejected(
        () -> builder().statsInterval(Duration.ofDays(2)),
        "statsInterval must be between PT1S and PT24H, was PT48H");
    assertThatThrownBy(() -> builder().loopLimit(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopLimit");
    assertThatThrownBy(() -> builder().database("jdbc:h2:/tmp/x", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--db takes a PostgreSQL JDBC URL");
    assertThatThrownBy(() -> builder().idleTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("idleTimeout");
  }

  @Test
  void unreadableOrWeakSecretsAndTlsFilesAreRefusedWithTheirCodes() throws Exception {
    refused(
        () -> builder().sharedSecretFile(home.resolve("missing")),
        "bad-token-file",
        "cannot read the team secret file");
    Path weak = Files.writeString(home.resolve("weak"), "short\n", StandardCharsets.UTF_8);
    refused(
        () -> builder().sharedSecretFile(weak),
        "bad-token-file",
        "must be 16-512 printable characters",
        "openssl rand -base64 32 > weak");
    refused(() -> builder().tls(weak, weak), "bad-tls", "");
  }

  @Test
  void buildRefusesAnOpenHostWithoutAuthOrWithoutTls() {
    refused(
        () -> builder().host("0.0.0.0").noAuth().allowPlaintext(true).build(),
        "insecure-host",
        "--no-auth is refused with --host 0.0.0.0");
    refused(
        () -> builder().host("0.0.0.0").build(),
        "insecure-host",
        "--host 0.0.0.0 is not a loopback address",
        "--tls-cert",
        "--allow-plaintext");
    ServerOptions open = builder().host("0.0.0.0").allowPlaintext(true).build();
    assertThat(open.host()).isEqualTo("0.0.0.0");
    assertThat(open.allowPlaintext()).isTrue();
    assertThat(builder().noAuth().build().auth()).isEqualTo(ServerAuth.NONE);
  }

  @Test
  void settersKeepWhatTheyWereGiven() throws Exception {
    Path secret =
        Files.writeString(home.resolve("secret"), "0123456789abcdef0123\n", StandardCharsets.UTF_8);
    PrintStream log = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    ServerOptions options =
        builder()
            .port(0)
            .idleTimeout(Duration.ofSeconds(5))
            .maxInFlight(7)
            .pollInterval(Duration.ofMillis(10))
            .maxMessageBytes(100)
            .storeTimeout(Duration.ZERO)
            .log(log)
            .logDeliveries(false)
            .sharedSecretFile(secret)
            .allowOrigin("HTTPS://App.Example:8443/")
            .allowOrigin("null")
            .allow("10.0.0.0/8, fd00::/8")
            .allow("")
            .maxQueuedBytes(16L << 20)
            .statsInterval(Duration.ofSeconds(1))
            .loopLimit(0)
            .build();
    assertThat(options.port()).isZero();
    assertThat(options.idleTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.maxInFlight()).isEqualTo(7);
    assertThat(options.pollInterval()).isEqualTo(Duration.ofMillis(10));
    assertThat(options.maxMessageBytes()).isEqualTo(100);
    assertThat(options.storeTimeout()).isZero();
    assertThat(options.log()).isSameAs(log);
    assertThat(options.logDeliveries()).isFalse();
    assertThat(options.auth()).isEqualTo(ServerAuth.SHARED_SECRET);
    assertThat(options.sharedSecretHash()).hasSize(32);
    assertThat(options.allowedOrigins())
        .containsExactlyInAnyOrder("https://app.example:8443", "null");
    assertThat(options.allow()).containsExactly("10.0.0.0/8", "fd00::/8");
    assertThat(options.maxQueuedBytes()).isEqualTo(16L << 20);
    assertThat(options.statsInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(options.loopLimit()).isZero();
    assertThat(builder().sharedSecretFile(secret).tokenAuth().build().sharedSecretHash()).isNull();
  }

  @Test
  void loopbackPeersAreExemptFromTheConnectionAndFrameLimitsUnlessTheyWereSet() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    InetAddress remote = InetAddress.getByName("10.1.2.3");
    ServerOptions defaults = builder().build();
    assertThat(defaults.connectionLimit(loopback)).isEqualTo(Integer.MAX_VALUE);
    assertThat(defaults.connectionLimit(remote)).isEqualTo(64);
    assertThat(defaults.frameLimit(loopback)).isZero();
    assertThat(defaults.frameLimit(remote)).isEqualTo(1000);
    assertThat(defaults.frameLimit(null)).isEqualTo(1000);
    ServerOptions set = builder().maxConnectionsPerAddress(3).maxFramesPerSecond(5).build();
    assertThat(set.connectionLimit(loopback)).isEqualTo(3);
    assertThat(set.frameLimit(loopback)).isEqualTo(5);
    assertThat(set.maxConnectionsPerAddress()).isEqualTo(3);
    assertThat(set.maxFramesPerSecond()).isEqualTo(5);
  }

  @Test
  void theEnvironmentGivesTheHomeTheLoopLimitAndTheDatabase() {
    ServerOptions options =
        ServerOptions.builder()
            .environment(
                Map.of(
                    "AGENT_MSG_HOME",
                    home.toString(),
                    "AGENT_MSG_LOOP_LIMIT",
                    "5",
                    "AGENT_MSG_DB",
                    " jdbc:postgresql://db.example/agents "))
            .build();
    assertThat(options.home()).isEqualTo(home.toAbsolutePath().normalize());
    assertThat(options.loopLimit()).isEqualTo(5);
    assertThat(options.database()).isNotNull();
    assertThat(options.toString()).contains("database=");
  }
}
