// `lkstream serve` as a child process of the ecosystem checks: started on a fixed port (so a
// client that keeps running across a restart finds it again), stopped with SIGTERM or killed
// with SIGKILL, restarted on the same data directory.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

final class LkServer {
  private final String binary;
  private final String dataDir;
  private final int port;
  private Process process;

  LkServer(String binary, String dataDir) throws Exception {
    this.binary = binary;
    this.dataDir = dataDir;
    this.port = freePort();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  String bootstrap() { return "127.0.0.1:" + port; }

  /** Starts serve and waits for its "lkstream: ready" line (60 s). */
  void start() throws Exception {
    process = new ProcessBuilder(binary, "serve", "--listen", bootstrap(), "--data-dir", dataDir)
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread drain = new Thread(() -> {
      try {
        String line;
        while ((line = out.readLine()) != null) {
          System.err.println("server: " + line);
          if (line.contains("lkstream: ready")) ready.complete(null);
        }
      } catch (Exception e) {
        ready.completeExceptionally(e);
      }
      ready.completeExceptionally(new IllegalStateException("server exited before ready"));
    });
    drain.setDaemon(true);
    drain.start();
    ready.get(60, TimeUnit.SECONDS);
  }

  /** SIGTERM (through kill(1), so our end of its output pipe stays open) and a clean exit. */
  void stop() throws Exception {
    signal("TERM");
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0)
      throw new AssertionError("server did not stop cleanly");
  }

  /** SIGKILL: the server gets no chance to sync or close anything. */
  void kill() throws Exception {
    signal("KILL");
    process.waitFor(60, TimeUnit.SECONDS);
  }

  void destroy() {
    if (process != null) process.destroyForcibly();
  }

  private void signal(String name) throws Exception {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
  }
}
