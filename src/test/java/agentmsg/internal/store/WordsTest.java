package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WordsTest {
  @Test
  void splitsOnAnythingButLettersAndDigitsAndDropsShortWords() {
    assertThat(Words.of("Don't panic: v1.2 of foo-bar is OUT!"))
        .containsExactly("don", "panic", "v1", "of", "foo", "bar", "is", "out");
  }

  @Test
  void lowerCasesUnicodeAndKeepsRunsWithoutSpacesWhole() {
    assertThat(Words.of("Viele GRÜSSE, Grüße aus Köln; 日本語のテスト"))
        .containsExactly("viele", "grüsse", "grüße", "aus", "köln", "日本語のテスト");
  }

  @Test
  void normalizesCombiningMarksSoBothSpellingsMatch() {
    assertThat(Words.of("Cafe\u0301")).containsExactly(Words.of("Café").get(0));
  }

  @Test
  void dedupesAndSkipsWordsOverSixtyFourCharacters() {
    assertThat(Words.of("echo echo ECHO", "x".repeat(65), null)).containsExactly("echo");
  }
}
