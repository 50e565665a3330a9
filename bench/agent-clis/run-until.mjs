// Runs a command until a line of its stdout matches a pattern (exit 0, that line on stdout) or the
// time is up (exit 1, the tail of its output on stdout); then ends its whole process group.
// Usage: node run-until.mjs <regex> <seconds> <command> [args...]
import { spawn } from "node:child_process";

const [pattern, seconds, command, ...args] = process.argv.slice(2);
const regex = new RegExp(pattern);
const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
let tail = "";
let buffer = "";
const finish = (code, text) => {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
  console.log(text);
  process.exit(code);
};
child.stdout.on("data", (chunk) => {
  buffer += chunk;
  let end;
  while ((end = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, end);
    buffer = buffer.slice(end + 1);
    tail = (tail + line + "\n").slice(-3000);
    if (regex.test(line)) finish(0, line);
  }
});
child.stderr.on("data", (chunk) => (tail = (tail + chunk).slice(-3000)));
child.on("exit", () => setTimeout(() => finish(1, tail), 200));
setTimeout(() => finish(1, "timed out after " + seconds + " s\n" + tail), Number(seconds) * 1000);
