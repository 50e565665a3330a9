package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The server's classes depend on each other one way only: each is built with what it needs, in
 * dependency order, and a lower one needs an upper one only through an interface it owns. Read from
 * the sources: a class uses another if its code (comments and strings aside) names it.
 */
class ServerDependenciesTest {
  private static final Path SERVER = Path.of("src/main/java/agentmsg/server");

  /** Comments and string, text-block and character literals: what does not count as a use. */
  private static final Pattern NOT_CODE =
      Pattern.compile(
          "\"\"\"(?:\\\\.|(?!\"\"\").)*\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\""
              + "|'(?:\\\\.|[^'\\\\\\n])+'|//[^\\n]*|/\\*.*?\\*/",
          Pattern.DOTALL);

  @Test
  void noTwoServerClassesDependOnEachOtherEvenThroughOthers() throws IOException {
    Map<String, Set<String>> uses = uses(SERVER);
    assertThat(uses).containsKeys("AgentMsgServer", "Hub", "Connection");
    assertThat(cycles(uses)).isEmpty();
  }

  @Test
  void theConsoleUsesNoServerClass() throws IOException {
    try (Stream<Path> files = Files.list(SERVER.resolve("console"))) {
      for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
        assertThat(Files.readString(file))
            .as(file.toString())
            .doesNotContainPattern("import agentmsg\\.server\\.[A-Z]");
      }
    }
  }

  /** Each class of {@code folder} and the classes of the folder its code names. */
  private static Map<String, Set<String>> uses(Path folder) throws IOException {
    Map<String, String> code = new TreeMap<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".java") && !name.equals("package-info.java")) {
          String source = Files.readString(file);
          code.put(name.substring(0, name.length() - 5), NOT_CODE.matcher(source).replaceAll(" "));
        }
      }
    }
    Map<String, Set<String>> uses = new TreeMap<>();
    for (Map.Entry<String, String> user : code.entrySet()) {
      Set<String> used = new TreeSet<>();
      for (String other : code.keySet()) {
        if (!other.equals(user.getKey())
            && Pattern.compile("\\b" + other + "\\b").matcher(user.getValue()).find()) {
          used.add(other);
        }
      }
      uses.put(user.getKey(), used);
    }
    return uses;
  }

  /** The groups of classes that reach each other (Tarjan's strongly connected components). */
  private static List<Set<String>> cycles(Map<String, Set<String>> uses) {
    Components components = new Components(uses);
    for (String name : uses.keySet()) {
      if (!components.index.containsKey(name)) {
        components.visit(name);
      }
    }
    return components.cycles;
  }

  private static final class Components {
    final Map<String, Set<String>> uses;
    final Map<String, Integer> index = new TreeMap<>();
    final Map<String, Integer> low = new TreeMap<>();
    final List<String> stack = new ArrayList<>();
    final List<Set<String>> cycles = new ArrayList<>();

    Components(Map<String, Set<String>> uses) {
      this.uses = uses;
    }

    void visit(String name) {
      index.put(name, index.size());
      low.put(name, index.get(name));
      stack.add(name);
      for (String used : uses.get(name)) {
        if (!index.containsKey(used)) {
          visit(used);
          low.put(name, Math.min(low.get(name), low.get(used)));
        } else if (stack.contains(used)) {
          low.put(name, Math.min(low.get(name), index.get(used)));
        }
      }
      if (low.get(name).equals(index.get(name))) {
        Set<String> component = new TreeSet<>();
        String top;
        do {
          top = stack.remove(stack.size() - 1);
          component.add(top);
        } while (!top.equals(name));
        if (component.size() > 1) {
          cycles.add(component);
        }
      }
    }
  }
}
