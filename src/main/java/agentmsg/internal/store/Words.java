package agentmsg.internal.store;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one tokenizer of full-text search, used both to index messages and to read queries, so that
 * the two always agree. Text is NFC-normalized and lower-cased with {@link Locale#ROOT}; a word is
 * a run of letters, digits and combining marks (anything else separates words); words shorter than
 * 2 or longer than 64 characters are dropped. Scripts written without spaces (Chinese, Japanese)
 * therefore give whole runs as words: {@code 日本語} is found by {@code 日本語}, not by {@code 日本}.
 * Stateless.
 */
public final class Words {
  /** Shortest and longest indexed word, in UTF-16 characters (the column is VARCHAR(64)). */
  static final int MIN_LENGTH = 2;

  static final int MAX_LENGTH = 64;

  private Words() {}

  /**
   * The words of a search text, which must have one.
   *
   * @throws IllegalArgumentException if it has none (no message could match it), saying so
   */
  public static List<String> ofSearch(String text) {
    List<String> words = of(text);
    if (words.isEmpty()) {
      throw new IllegalArgumentException(
          "the search text '" + text + "' has no word of 2 or more letters or digits");
    }
    return words;
  }

  /** The distinct words of {@code texts} (nulls skipped), in order of first appearance. */
  public static List<String> of(String... texts) {
    Set<String> words = new LinkedHashSet<>();
    for (String text : texts) {
      if (text != null) {
        split(text, words);
      }
    }
    return new ArrayList<>(words);
  }

  private static void split(String text, Set<String> words) {
    String normal = Normalizer.normalize(text, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    int start = -1;
    int index = 0;
    while (index < normal.length()) {
      int codePoint = normal.codePointAt(index);
      if (isWordPart(codePoint)) {
        if (start < 0) {
          start = index;
        }
      } else if (start >= 0) {
        add(normal.substring(start, index), words);
        start = -1;
      }
      index += Character.charCount(codePoint);
    }
    if (start >= 0) {
      add(normal.substring(start), words);
    }
  }

  private static boolean isWordPart(int codePoint) {
    if (Character.isLetterOrDigit(codePoint)) {
      return true;
    }
    int type = Character.getType(codePoint);
    return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
  }

  private static void add(String word, Set<String> words) {
    if (word.length() >= MIN_LENGTH && word.length() <= MAX_LENGTH) {
      words.add(word);
    }
  }
}
