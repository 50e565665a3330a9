package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jdbi.v3.core.statement.ParsedSql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainSqlTest {
  @Test
  void namedParametersBecomePlaceholdersOutsideQuotesCommentsAndCasts() {
    ParsedSql parsed =
        PlainSql.Parser.parse(
            "SELECT ':not', \"a:b\", x::int FROM t -- :comment\nWHERE a = :first AND b <> :second_2");
    assertThat(parsed.getSql())
        .isEqualTo("SELECT ':not', \"a:b\", x::int FROM t -- :comment\nWHERE a = ? AND b <> ?");
    assertThat(parsed.getParameters().getParameterNames()).containsExactly("first", "second_2");
  }

  @Test
  void doubledQuotesStayInsideTheLiteral() {
    ParsedSql parsed = PlainSql.Parser.parse("SELECT 'it''s :x' WHERE y = :y");
    assertThat(parsed.getSql()).isEqualTo("SELECT 'it''s :x' WHERE y = ?");
    assertThat(parsed.getParameters().getParameterNames()).containsExactly("y");
  }

  @Test
  void listBindingsExpandThroughTheTemplateEngine(@TempDir Path home) {
    try (Store store = Store.open(home, Duration.ofSeconds(10))) {
      List<Integer> found =
          store.call(
              handle ->
                  handle
                      .createQuery(
                          "SELECT x FROM (VALUES (1), (2), (3), (4)) AS t(x)"
                              + " WHERE x IN (<wanted>) AND x <> :skip ORDER BY x")
                      .bindList("wanted", List.of(1, 3, 4))
                      .bind("skip", 4)
                      .mapTo(Integer.class)
                      .list());
      assertThat(found).containsExactly(1, 3);
    }
  }
}
