package agentmsg.cli;

import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Our clients against a stub of the original server's frames: always runs. */
class OriginalServerStubTest extends OriginalServerContract {
  private OriginalServerStub stub;

  @BeforeEach
  void startStub() throws Exception {
    stub = new OriginalServerStub();
  }

  @AfterEach
  void stopStub() throws Exception {
    stub.close();
  }

  @Override
  void awaitRegistered(String agent) throws InterruptedException {
    org.assertj.core.api.Assertions.assertThat(stub.awaitRegistered(agent)).isTrue();
  }

  @Override
  URI url() {
    return stub.url();
  }
}
