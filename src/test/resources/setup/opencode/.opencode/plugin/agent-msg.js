// agent-msg for OpenCode: written by `agent-msg setup opencode`, which rewrites this file
// (keep this first line if you edit it, or setup will refuse to touch the file).
// When a session goes idle, an armed `agent-msg watch` waits for mail; when mail comes, its
// digest is sent to the session as a prompt, which starts a turn. One watcher per agent and
// session at a time; it is re-armed when its lifetime ends, and stopped when OpenCode stops.
export const AgentMsg = async ({ client }) => {
  const agent = "bob";
  const watchers = new Set();
  let disposed = false;
  const watch = async (sessionID) => {
    const session = String(sessionID).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64);
    while (!disposed) {
      const proc = Bun.spawn(
        ["agent-msg", "watch", agent, "--session", session, "--timeout", "3300"],
        { stdin: "ignore", stdout: "pipe", stderr: "ignore" },
      );
      watchers.add(proc);
      const [code, digest] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
      watchers.delete(proc);
      if (code === 3) continue; // its lifetime ended with no mail: arm it again
      if (code !== 0 || disposed) return; // 4: a watcher for this session is armed already
      await client.session.prompt({
        path: { id: sessionID },
        body: { parts: [{ type: "text", text: digest }] },
      });
      return;
    }
  };
  return {
    event: async ({ event }) => {
      if (event.type !== "session.idle") return;
      await watch(event.properties.sessionID);
    },
    dispose: async () => {
      disposed = true;
      for (const proc of watchers) proc.kill();
    },
  };
};
