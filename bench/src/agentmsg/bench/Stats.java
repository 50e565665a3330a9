package agentmsg.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Order statistics of a sample of times in milliseconds (nearest-rank percentiles). */
record Stats(int n, double min, double median, double p90, double p99, double max, double mean) {

  static Stats of(List<Double> millis) {
    if (millis.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    List<Double> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    double sum = 0;
    for (double value : sorted) {
      sum += value;
    }
    return new Stats(
        sorted.size(),
        sorted.get(0),
        percentile(sorted, 0.50),
        percentile(sorted, 0.90),
        percentile(sorted, 0.99),
        sorted.get(sorted.size() - 1),
        sum / sorted.size());
  }

  private static double percentile(List<Double> sorted, double fraction) {
    int rank = (int) Math.ceil(fraction * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  /** Milliseconds, with a precision that suits the size of the number. */
  static String ms(double millis) {
    if (millis < 10) {
      return String.format(Locale.ROOT, "%.2f", millis);
    }
    if (millis < 100) {
      return String.format(Locale.ROOT, "%.1f", millis);
    }
    return String.format(Locale.ROOT, "%.0f", millis);
  }

  String range() {
    return ms(min) + " to " + ms(max);
  }
}
