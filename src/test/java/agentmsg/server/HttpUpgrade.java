package agentmsg.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A WebSocket upgrade request written by hand on a plain socket, to see the server's exact HTTP
 * answer (status and headers) to a refused upgrade.
 */
final class HttpUpgrade {
  /** The status and the headers (names in lower case) of the answer. */
  record Answer(int status, Map<String, String> headers) {}

  private HttpUpgrade() {}

  static Answer send(URI uri, Map<String, String> headers) throws IOException {
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      String target =
          (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
              + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      StringBuilder request = new StringBuilder();
      request.append("GET ").append(target).append(" HTTP/1.1\r\n");
      request.append("Host: ").append(uri.getHost()).append(':').append(uri.getPort());
      request.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
      request.append(
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
      headers.forEach(
          (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      String statusLine = in.readLine();
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> answer = new TreeMap<>();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        int colon = line.indexOf(':');
        answer.put(
            line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).strip());
      }
      return new Answer(status, answer);
    }
  }
}
