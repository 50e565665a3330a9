// agent-msg for OpenCode: written by `agent-msg setup opencode`, which rewrites this file
// (keep this first line if you edit it, or setup will refuse to touch the file).
// When a session goes idle, an armed `agent-msg watch` waits for mail; when mail comes, its
// digest is sent to the session as a prompt, which starts a turn. One watcher per agent at a time.
export const AgentMsg = async ({ client, $ }) => {
  const agent = "__AGENT__";
  return {
    event: async ({ event }) => {
      if (event.type !== "session.idle") return;
      const sessionID = event.properties.sessionID;
      const watched = await $`agent-msg watch ${agent} --timeout 3300`.nothrow().quiet();
      if (watched.exitCode !== 0) return; // 3: nothing came; 4: another watcher is armed
      await client.session.prompt({
        path: { id: sessionID },
        body: { parts: [{ type: "text", text: watched.stdout.toString() }] },
      });
    },
  };
};
