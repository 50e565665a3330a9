package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Options;
import agentmsg.internal.security.AgentTokens;
import agentmsg.internal.store.Store;
import agentmsg.testing.ChildJvm.Result;
import agentmsg.testing.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code register} issues tokens; {@code token show|rotate|set} manage them. */
class TokenCommandTest {
  @TempDir Path home;

  @AfterEach
  void stopHosts() {
    InProcessCli.stopHosts();
  }

  private InProcessCli cli() {
    return new InProcessCli(home);
  }

  private Path tokenFile(String agent) {
    return home.resolve("tokens").resolve(agent + ".token");
  }

  private String agentFor(String token) {
    try (Store store = Store.open(home, Duration.ofSeconds(30))) {
      return new AgentTokens(store, warning -> {}).agentFor(token).orElse(null);
    }
  }

  @Test
  void registerIssuesATokenReadableOnlyByItsOwnerAndNeverPrintsIt() throws Exception {
    Result registered = cli().run("register", "alice", "-t", "codex");
    assertThat(registered.exitCode()).isZero();

    Path file = tokenFile("alice");
    String token = Files.readString(file).strip();
    assertThat(token).startsWith("amsg_").hasSize(5 + 43);
    assertThat(registered.stdout() + registered.stderr()).doesNotContain(token);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    assertThat(agentFor(token)).isEqualTo("alice");

    assertThat(cli().run("register", "alice", "-t", "other").exitCode()).isZero();
    assertThat(Files.readString(file).strip())
        .as("re-registering keeps the token")
        .isEqualTo(token);

    Result shown = cli().run("token", "show", "alice");
    assertThat(shown.exitCode()).isZero();
    assertThat(shown.stdout()).isEqualTo(token);
  }

  @Test
  void rotateRevokesTheOldTokenAndWritesANewOne() throws Exception {
    cli().run("register", "alice");
    String old = Files.readString(tokenFile("alice")).strip();

    Result rotated = cli().run("token", "rotate", "alice");
    assertThat(rotated.exitCode()).as(rotated.toString()).isZero();
    String fresh = Files.readString(tokenFile("alice")).strip();
    assertThat(fresh).isNotEqualTo(old);
    assertThat(rotated.stdout()).startsWith("Rotated the token of alice").doesNotContain(fresh);
    assertThat(agentFor(old)).isNull();
    assertThat(agentFor(fresh)).isEqualTo("alice");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile("alice"))))
        .isEqualTo("rw-------");

    Result unknown = cli().run("token", "rotate", "nobody");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.stderr()).startsWith("error[unknown-agent]");
  }

  @Test
  void setStoresATokenIssuedElsewhereFromStandardInput() throws Exception {
    String remote = "amsg_issued-by-the-remote-server-0123456789";
    Result set = cli().runWithInput(remote + "\n", "token", "set", "bob", "-");
    assertThat(set.exitCode()).as(set.toString()).isZero();
    assertThat(set.stdout()).startsWith("Stored the token of bob in ").doesNotContain(remote);
    assertThat(Files.readString(tokenFile("bob")).strip()).isEqualTo(remote);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile("bob"))))
        .isEqualTo("rw-------");
    assertThat(cli().run("token", "show", "bob").stdout()).isEqualTo(remote);

    Result tooShort = cli().run("token", "set", "bob", "short");
    assertThat(tooShort.exitCode()).isEqualTo(2);
    assertThat(tooShort.stderr()).startsWith("error[invalid-token]").doesNotContain("short");
    assertThat(cli().run("token", "frobnicate").exitCode()).isEqualTo(2);
  }

  @Test
  void showIssuesATokenForAnAgentRegisteredBeforeTokensExisted() throws Exception {
    try (AgentMessenger messenger =
        AgentMessenger.open(Options.builder().home(home).agent("carol").build())) {
      messenger.register(AgentType.OTHER);
    }
    assertThat(tokenFile("carol")).doesNotExist();
    Result shown = cli().run("token", "show", "carol", "--json");
    assertThat(shown.exitCode()).as(shown.toString()).isZero();
    String token = Files.readString(tokenFile("carol")).strip();
    assertThat(shown.stdout()).contains("\"agent\":\"carol\"", "\"token\":\"" + token + "\"");

    Result unknown = cli().run("token", "show", "nobody");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.stderr()).startsWith("error[unknown-agent]");

    Files.delete(tokenFile("carol"));
    Result missing = cli().run("token", "show", "carol");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.stderr()).startsWith("error[token-missing]").contains("token rotate carol");
  }
}
