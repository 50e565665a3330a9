package agentmsg.internal.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.statement.ParsedSql;
import org.jdbi.v3.core.statement.SqlParser;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.TemplateEngine;

/**
 * A small SQL parser and template engine for Jdbi, in place of its ANTLR-based defaults: most
 * agent-msg commands run in a fresh JVM, and building ANTLR's lexers cost a CLI call about 50 ms.
 * They understand what our SQL uses: {@code :name} parameters (outside quotes, comments and {@code
 * ::} casts) and {@code <name>} attributes, which {@code bindList} defines. Thread-safe.
 */
final class PlainSql {
  private PlainSql() {}

  /** Parses {@code :name} and {@code ?} parameters; results are cached per SQL text. */
  static final class Parser implements SqlParser {
    private final Map<String, ParsedSql> cache = new ConcurrentHashMap<>();

    @Override
    public ParsedSql parse(String sql, StatementContext context) {
      ParsedSql parsed = cache.get(sql);
      if (parsed == null) {
        parsed = parse(sql);
        if (cache.size() < 1_000) {
          cache.put(sql, parsed);
        }
      }
      return parsed;
    }

    @Override
    public String nameParameter(String rawName, StatementContext context) {
      return ":" + rawName;
    }

    static ParsedSql parse(String sql) {
      ParsedSql.Builder parsed = ParsedSql.builder();
      StringBuilder text = new StringBuilder(sql.length());
      int length = sql.length();
      int i = 0;
      while (i < length) {
        char c = sql.charAt(i);
        if (c == '\'' || c == '"') {
          int end = closingQuote(sql, i);
          text.append(sql, i, end);
          i = end;
        } else if (c == '-' && i + 1 < length && sql.charAt(i + 1) == '-') {
          int end = sql.indexOf('\n', i);
          end = end < 0 ? length : end;
          text.append(sql, i, end);
          i = end;
        } else if (c == ':' && i + 1 < length && sql.charAt(i + 1) == ':') {
          text.append("::");
          i += 2;
        } else if (c == ':' && i + 1 < length && isNameStart(sql.charAt(i + 1))) {
          int end = i + 1;
          while (end < length && isNamePart(sql.charAt(end))) {
            end++;
          }
          parsed.append(text.toString());
          text.setLength(0);
          parsed.appendNamedParameter(sql.substring(i + 1, end));
          i = end;
        } else if (c == '?') {
          parsed.append(text.toString());
          text.setLength(0);
          parsed.appendPositionalParameter();
          i++;
        } else {
          text.append(c);
          i++;
        }
      }
      parsed.append(text.toString());
      return parsed.build();
    }

    /**
     * The index just after the quote that closes the one at {@code start} (doubled quotes stay).
     */
    private static int closingQuote(String sql, int start) {
      char quote = sql.charAt(start);
      int i = start + 1;
      while (i < sql.length()) {
        if (sql.charAt(i) == quote) {
          if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
            i += 2;
            continue;
          }
          return i + 1;
        }
        i++;
      }
      return sql.length();
    }
  }

  /** Replaces {@code <name>} with the statement's attribute {@code name}; leaves the rest alone. */
  static final class Templates implements TemplateEngine {
    @Override
    public String render(String template, StatementContext context) {
      if (template.indexOf('<') < 0) {
        return template;
      }
      StringBuilder out = new StringBuilder(template.length() + 32);
      int i = 0;
      while (i < template.length()) {
        char c = template.charAt(i);
        if (c == '<' && i + 1 < template.length() && isNameStart(template.charAt(i + 1))) {
          int end = i + 1;
          while (end < template.length() && isNamePart(template.charAt(end))) {
            end++;
          }
          if (end < template.length() && template.charAt(end) == '>') {
            Object value = context.getAttribute(template.substring(i + 1, end));
            if (value != null) {
              out.append(value);
              i = end + 1;
              continue;
            }
          }
        }
        out.append(c);
        i++;
      }
      return out.toString();
    }
  }

  private static boolean isNameStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isNamePart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }
}
