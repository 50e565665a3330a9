/** The JVM's floor: the smallest program, started the same way as the CLI. */
public final class Hello {
  public static void main(String[] args) {
    System.out.println("hello");
  }
}
