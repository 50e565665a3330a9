package agentmsg.internal.store;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A PostgreSQL database that agent-msg servers share ({@code --db}): its JDBC URL and the password,
 * taken from the URL's {@code password} parameter or from a file. The password is never part of
 * what this record prints: {@link #toString} and {@link #safeUrl} leave it out.
 *
 * @param url the JDBC URL as given, {@code jdbc:postgresql://host:port/database?user=...}
 * @param password the password, or null when the URL or the server's own rules (a {@code .pgpass},
 *     trust) supply it
 */
public record Database(String url, String password) {
  /** The URL prefix this backend accepts. */
  public static final String PREFIX = "jdbc:postgresql:";

  /**
   * The database at {@code url}, with the password read from {@code passwordFile} (its first line)
   * when one is given.
   *
   * @throws IllegalArgumentException when the URL is not a PostgreSQL JDBC URL or the file cannot
   *     be read
   */
  public static Database parse(String url, Path passwordFile) {
    if (url == null || !url.startsWith(PREFIX)) {
      throw new IllegalArgumentException(
          "--db takes a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database?user=...), not '"
              + stripPassword(String.valueOf(url))
              + "'");
    }
    String password = null;
    if (passwordFile != null) {
      try {
        password =
            Files.readAllLines(passwordFile, StandardCharsets.UTF_8).stream()
                .findFirst()
                .orElse("")
                .strip();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read the database password file " + passwordFile + ": " + e.getMessage(), e);
      }
    }
    return new Database(url, password);
  }

  /** The connection properties: the password from the file, if any (the URL's own otherwise). */
  Properties credentials() {
    Properties properties = new Properties();
    if (password != null) {
      properties.setProperty("password", password);
    }
    // The server's own name in pg_stat_activity, and fail fast on a dead host rather than hang.
    properties.setProperty("ApplicationName", "agent-msg");
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("tcpKeepAlive", "true");
    return properties;
  }

  /** The URL without any password in it: what logs and errors may show. */
  public String safeUrl() {
    return stripPassword(url);
  }

  /** The user the URL names, or null. */
  public String user() {
    int query = url.indexOf('?');
    if (query < 0) {
      return null;
    }
    String rest = url.substring(query + 1);
    int start = 0;
    while (start <= rest.length()) {
      int end = rest.indexOf('&', start);
      String pair = rest.substring(start, end < 0 ? rest.length() : end);
      if (pair.startsWith("user=")) {
        return URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
      }
      if (end < 0) {
        break;
      }
      start = end + 1;
    }
    return null;
  }

  /** {@code text} with any {@code password=} parameter of a URL in it masked. */
  static String stripped(String text) {
    return stripPassword(text);
  }

  private static String stripPassword(String url) {
    return url.replaceAll("(?i)([?&]password=)[^&]*", "$1***");
  }

  @Override
  public String toString() {
    return safeUrl();
  }
}
