// Asks a running `codex app-server` (JSON-RPC, one object a line on stdio) what Codex itself
// loaded: the hooks it found (with errors and trust) and the MCP servers' connection state.
// No thread is started, so no model is called. Prints one JSON object; exit 1 on a protocol error.
// With --turn it also starts one turn, which runs the SessionStart and UserPromptSubmit hooks and
// reports what Codex made of their output (hook/completed); the model provider must then point at
// a closed local port (-c overrides after the folder), so the turn's request never leaves the
// machine, and the turn is interrupted once both hooks have completed.
// Usage: node codex-app-server.mjs <codex binary> <project folder> [--turn] [codex -c args...]
import { spawn } from "node:child_process";
import readline from "node:readline";

const [codex, project, ...rest] = process.argv.slice(2);
const turn = rest[0] === "--turn";
const extra = turn ? rest.slice(1) : rest;
const child = spawn(codex, ["app-server", ...extra], { cwd: project, stdio: ["pipe", "pipe", "pipe"] });
const pending = new Map();
let nextId = 1;
let stderr = "";
const notifications = [];
const completed = new Set();
let hooksDone = () => {};
child.stderr.on("data", (chunk) => (stderr += chunk));
readline.createInterface({ input: child.stdout }).on("line", (line) => {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (message.id === undefined && message.method?.startsWith("hook/")) {
    notifications.push(message);
    if (message.method === "hook/completed") {
      completed.add(message.params.run.eventName);
      if (completed.has("sessionStart") && completed.has("userPromptSubmit")) hooksDone();
    }
  }
  if (message.id !== undefined && pending.has(message.id)) {
    pending.get(message.id)(message);
    pending.delete(message.id);
  }
});
const request = (method, params) =>
  new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    child.stdin.write(JSON.stringify({ id, method, params }) + "\n");
  });
const fail = (what) => {
  console.log(JSON.stringify({ error: what, stderr: stderr.slice(-2000) }));
  child.kill("SIGTERM");
  process.exit(1);
};
child.on("error", (e) => fail("cannot start codex app-server: " + e.message));

const init = await request("initialize", {
  clientInfo: { name: "agent-msg-bench", version: "1" },
});
if (init.error) fail("initialize: " + JSON.stringify(init.error));
child.stdin.write(JSON.stringify({ method: "initialized" }) + "\n");
const hooks = await request("hooks/list", { cwds: [project] });
if (hooks.error) fail("hooks/list: " + JSON.stringify(hooks.error));
// A thread is only a conversation record until a turn starts: starting one calls no model, but
// loads the project's config, runs the SessionStart hooks and starts the MCP servers.
const thread = await request("thread/start", { cwd: project, ephemeral: true });
if (thread.error) fail("thread/start: " + JSON.stringify(thread.error));
const threadId = thread.result.thread.id;
const servers = await request("mcpServerStatus/list", { threadId, detail: "toolsAndAuthOnly" });
if (servers.error) fail("mcpServerStatus/list: " + JSON.stringify(servers.error));
if (turn) {
  const done = new Promise((resolve) => (hooksDone = resolve));
  const started = await request("turn/start", {
    threadId,
    input: [{ type: "text", text: "bench: hooks only" }],
  });
  if (started.error) fail("turn/start: " + JSON.stringify(started.error));
  const waited = await Promise.race([
    done.then(() => true),
    new Promise((resolve) => setTimeout(() => resolve(false), 30000)),
  ]);
  if (!waited) fail("the SessionStart and UserPromptSubmit hooks did not complete within 30 s");
  await request("turn/interrupt", { threadId, turnId: started.result.turn.id });
}
console.log(JSON.stringify({ hooks: hooks.result, mcp: servers.result, notifications }));
child.stdin.end();
child.kill("SIGTERM");
process.exit(0);
