// The agent-msg console. Every text from the store is set with textContent, never as HTML.
"use strict";

const api = "/console/api/";
const threads = new Map(); // thread id -> { lastSeq, messages: Map(id -> message), element }
let oldestSeq = Infinity;
let replyTo = null;
let socket = null;
const pending = new Set(); // threads touched by live updates since the last frame
const holds = new Map(); // thread id -> { run, limit }: the threads the loop guard holds, pushed live
const SHOWN = 20; // messages shown per thread until "Whole thread" is asked for
const MAX_THREADS = 200; // threads kept in the page while live traffic comes in

function $(id) {
  return document.getElementById(id);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function call(path, options) {
  const response = await fetch(api + path, Object.assign({ credentials: "same-origin" }, options));
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.message || response.statusText);
    error.status = response.status;
    throw error;
  }
  return body;
}

function post(path, data) {
  return call(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data),
  });
}

function when(text) {
  if (!text) return "";
  const date = new Date(text);
  return date.toLocaleString();
}

async function signIn() {
  const match = /(?:^#|&)code=([0-9a-f]+)/.exec(location.hash);
  if (match) {
    history.replaceState(null, "", location.pathname);
    try {
      await post("session", { code: match[1] });
    } catch (error) {
      $("signin-error").textContent = error.message;
    }
  }
  try {
    const agents = await call("agents");
    $("signin").hidden = true;
    $("app").hidden = false;
    renderAgents(agents);
    await loadOlder();
    connect();
  } catch (error) {
    if (error.status !== 401) $("signin-error").textContent = error.message;
    $("app").hidden = true;
    $("signin").hidden = false;
  }
}

// The roster is virtualised: only the rows in (and near) its scroll box are in the page, each
// updated in place. A live page gets the roster every few seconds; a thousand rows rebuilt each
// time kept the page busy and its memory high for nothing.
const agentRows = new Map(); // name -> { row, cells: [td...], values: [text...] }
let agentList = [];
let agentNames = "";
let rowHeight = 0; // measured from the first row drawn
let rosterQueued = false;
const ROSTER_MARGIN = 20; // rows drawn beyond each edge of the box

function renderAgents(agents) {
  agentList = agents;
  drawRoster();
  const names = agents.map((agent) => agent.name).join("\n");
  if (names !== agentNames) {
    agentNames = names;
    const options = document.createDocumentFragment();
    for (const agent of agents) {
      const option = el("option");
      option.value = agent.name;
      options.append(option);
    }
    $("agent-names").replaceChildren(options);
  }
}

function spacer(id) {
  let row = $(id);
  if (!row) {
    row = el("tr", "spacer");
    row.id = id;
    row.setAttribute("aria-hidden", "true");
    const cell = row.appendChild(el("td"));
    cell.colSpan = 6;
  }
  return row;
}

function drawRoster() {
  rosterQueued = false;
  const body = $("agents").tBodies[0];
  const box = $("agents").parentElement;
  const top = spacer("roster-top");
  const bottom = spacer("roster-bottom");
  let first = 0;
  let last = agentList.length;
  if (rowHeight > 0) {
    first = Math.max(0, Math.floor(box.scrollTop / rowHeight) - ROSTER_MARGIN);
    last = Math.min(agentList.length, first + Math.ceil(box.clientHeight / rowHeight) + 2 * ROSTER_MARGIN);
  } else {
    last = Math.min(agentList.length, 2 * ROSTER_MARGIN);
  }
  const shown = new Set();
  const rows = [top];
  for (let i = first; i < last; i++) {
    const agent = agentList[i];
    shown.add(agent.name);
    let entry = agentRows.get(agent.name);
    if (!entry) {
      const row = el("tr");
      row.dataset.agent = agent.name;
      const cells = [];
      for (let c = 0; c < 6; c++) cells.push(row.appendChild(el("td")));
      entry = { row, cells, values: [] };
      agentRows.set(agent.name, entry);
    }
    const values = [
      agent.name,
      agent.type,
      agent.connected ? "yes" : "no",
      when(agent.lastSeen),
      String(agent.unread),
      String(agent.acksOwed),
    ];
    const classes = ["name", "", agent.connected ? "on" : "off", "", "count", "count"];
    for (let c = 0; c < values.length; c++) {
      if (entry.values[c] !== values[c]) entry.cells[c].textContent = values[c];
      if (entry.cells[c].className !== classes[c]) entry.cells[c].className = classes[c];
    }
    entry.values = values;
    rows.push(entry.row);
  }
  rows.push(bottom);
  for (const [name, entry] of agentRows) {
    if (!shown.has(name)) {
      entry.row.remove();
      agentRows.delete(name);
    }
  }
  // Put the rows in order, moving only those out of place.
  let previous = null;
  for (const row of rows) {
    const expected = previous ? previous.nextSibling : body.firstChild;
    if (expected !== row) body.insertBefore(row, expected);
    previous = row;
  }
  while (bottom.nextSibling) bottom.nextSibling.remove();
  if (rowHeight === 0 && last > first) {
    rowHeight = agentRows.get(agentList[first].name).row.getBoundingClientRect().height;
    if (rowHeight > 0 && last < agentList.length) {
      drawRoster(); // now that the rows' height is known, draw the right window
      return;
    }
  }
  top.firstChild.style.height = first * rowHeight + "px";
  bottom.firstChild.style.height = (agentList.length - last) * rowHeight + "px";
  top.hidden = first === 0;
  bottom.hidden = last === agentList.length;
}

function queueRoster() {
  if (!rosterQueued) {
    rosterQueued = true;
    requestAnimationFrame(drawRoster);
  }
}

function receiptsText(message) {
  const parts = ["stored " + when(message.stored)];
  for (const state of ["delivered", "surfaced", "read", "acked"]) {
    if (message[state]) parts.push(state + " " + when(message[state]));
  }
  if (message.ackRequired && !message.acked) parts.push("ack owed");
  return parts.join(" · ");
}

function messageElement(message) {
  const item = el("li", "message priority-" + message.priority);
  item.dataset.id = message.id;
  const head = el("div", "head");
  head.append(
    el("span", "from", message.from),
    el("span", "arrow", " → "),
    el("span", "to", message.to),
    el("time", "time", when(message.stored))
  );
  if (message.priority !== "normal") head.append(el("span", "badge", message.priority));
  item.append(head);
  if (message.subject) item.append(el("div", "subject", message.subject));
  item.append(el("div", "body", message.body));
  item.append(el("div", "receipts", receiptsText(message)));
  const reply = el("button", "reply", "Reply");
  reply.type = "button";
  reply.addEventListener("click", () => startReply(message));
  item.append(reply);
  return item;
}

function startReply(message) {
  replyTo = message;
  showReply();
  $("compose-cancel-reply").hidden = false;
  $("compose-body").focus();
}

function showReply() {
  const hold = replyTo && holds.get(replyTo.thread);
  $("compose-reply").textContent =
    "Replying to " + replyTo.from + ": " + replyTo.body.slice(0, 80) +
    (hold ? " · This thread is held (" + holdCount(hold) + "): a reply from a human releases it." : "");
}

function holdCount(hold) {
  return hold.limit > 0 ? hold.run + "/" + hold.limit : String(hold.run);
}

function holdText(hold) {
  return (
    "Held by the loop guard: " + hold.run + " agent messages in a row with no human in between" +
    (hold.limit > 0 ? " (limit " + hold.limit + ")" : "") +
    "; the agents' next messages into it are refused. A reply from a human releases it."
  );
}

// The loop guard's marker on a thread: a badge beside its title and a notice above its messages.
function drawHold(id) {
  const thread = threads.get(id);
  const hold = holds.get(id);
  if (thread && thread.element) {
    thread.element.classList.toggle("held", Boolean(hold));
    thread.parts.badge.hidden = !hold;
    thread.parts.notice.hidden = !hold;
    thread.parts.badge.textContent = hold ? "Held " + holdCount(hold) : "";
    thread.parts.notice.textContent = hold ? holdText(hold) : "";
  }
  if (replyTo && replyTo.thread === id) showReply();
}

function updateHold(change) {
  if (change.held) holds.set(change.thread, { run: change.run, limit: change.limit });
  else holds.delete(change.thread);
  drawHold(change.thread);
}

function replaceHolds(all) {
  const touched = new Set(holds.keys());
  holds.clear();
  for (const hold of all) {
    holds.set(hold.thread, { run: hold.run, limit: hold.limit });
    touched.add(hold.thread);
  }
  for (const id of touched) drawHold(id);
}

function threadTitle(thread) {
  const first = [...thread.messages.values()].sort((a, b) => a.seq - b.seq)[0];
  return first.subject || first.body.split("\n")[0].slice(0, 80);
}

// A thread's element and its messages' elements are made once and reused: a live message adds
// one element, and whatever falls out of view is dropped with its data.
function renderThread(id) {
  const thread = threads.get(id);
  if (!thread.element) {
    const item = el("li", "thread");
    item.dataset.thread = id;
    const whole = el("button", "whole", "Whole thread");
    whole.type = "button";
    whole.addEventListener("click", () => loadThread(id));
    thread.parts = {
      title: el("h3", "title"),
      badge: el("span", "held-badge"),
      meta: el("p", "muted"),
      notice: el("p", "held-notice"),
      list: el("ol", "messages"),
    };
    thread.parts.badge.hidden = true;
    thread.parts.notice.hidden = true;
    const head = el("div", "thread-head");
    head.append(thread.parts.title, thread.parts.badge);
    item.append(head, thread.parts.meta, thread.parts.notice, thread.parts.list, whole);
    thread.element = item;
    thread.nodes = new Map(); // message id -> li
    drawHold(id);
  }
  let messages = [...thread.messages.values()].sort((a, b) => a.seq - b.seq);
  if (!thread.whole && messages.length > SHOWN) {
    // Keep only what is shown, so that an hour of live traffic does not pile up in the page.
    messages = messages.slice(-SHOWN);
    thread.messages = new Map(messages.map((message) => [message.id, message]));
  }
  for (const [messageId, node] of thread.nodes) {
    if (!thread.messages.has(messageId)) {
      node.remove();
      thread.nodes.delete(messageId);
    }
  }
  const people = new Set();
  let previous = null;
  for (const message of messages) {
    people.add(message.from).add(message.to);
    let node = thread.nodes.get(message.id);
    if (!node) {
      node = messageElement(message);
      thread.nodes.set(message.id, node);
    } else if (node.shown !== message) {
      node.querySelector(".receipts").textContent = receiptsText(message); // read again since
    }
    node.shown = message;
    const expected = previous ? previous.nextSibling : thread.parts.list.firstChild;
    if (expected !== node) thread.parts.list.insertBefore(node, expected);
    previous = node;
  }
  thread.parts.title.textContent = threadTitle(thread);
  thread.parts.meta.textContent = [...people].join(", ") + " · " + messages.length + " shown";
  return thread.element;
}

function addMessage(message, live) {
  let thread = threads.get(message.thread);
  if (!thread) {
    thread = { lastSeq: 0, messages: new Map(), element: null };
    threads.set(message.thread, thread);
  }
  thread.messages.set(message.id, message);
  thread.lastSeq = Math.max(thread.lastSeq, message.seq);
  oldestSeq = Math.min(oldestSeq, message.seq);
  return live;
}

function placeThreads(ids) {
  const list = $("threads");
  for (const id of ids) renderThread(id);
  const ordered = [...threads.entries()].sort((a, b) => b[1].lastSeq - a[1].lastSeq);
  const fragment = document.createDocumentFragment();
  for (const [, thread] of ordered) if (thread.element) fragment.append(thread.element);
  list.replaceChildren(fragment);
}

async function loadOlder() {
  const before = oldestSeq === Infinity ? "" : "?before=" + oldestSeq;
  const messages = await call("messages" + before);
  const touched = new Set();
  for (const message of messages) {
    addMessage(message, false);
    touched.add(message.thread);
  }
  placeThreads(touched);
  $("more").hidden = messages.length === 0;
}

async function loadThread(id) {
  const messages = await call("thread?id=" + encodeURIComponent(id));
  for (const message of messages) addMessage(message, false);
  threads.get(id).whole = true;
  placeThreads([id]);
}

function updateReceipts(message) {
  const thread = threads.get(message.thread);
  if (thread && thread.messages.has(message.id)) {
    thread.messages.set(message.id, message);
    const node = thread.nodes && thread.nodes.get(message.id);
    if (node) node.querySelector(".receipts").textContent = receiptsText(message);
  }
  // Search results are not threads: found by id (at most a page of them).
  const found = document.querySelector('li.results li.message[data-id="' + CSS.escape(message.id) + '"]');
  if (found) found.querySelector(".receipts").textContent = receiptsText(message);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(scheme + location.host + "/console/live");
  socket.addEventListener("open", () => {
    $("live").textContent = "live";
    $("live").className = "status on";
  });
  socket.addEventListener("message", (event) => {
    const update = JSON.parse(event.data);
    if (update.type === "message") {
      // A fan-out arrives as hundreds of messages at once: draw each touched thread once a frame.
      addMessage(update.data, true);
      if (pending.size === 0) requestAnimationFrame(drawPending);
      pending.add(update.data.thread);
    } else if (update.type === "receipt") {
      updateReceipts(update.data);
    } else if (update.type === "agents") {
      renderAgents(update.data);
    } else if (update.type === "holds") {
      replaceHolds(update.data); // all of them, as the socket opens
    } else if (update.type === "hold") {
      updateHold(update.data);
    }
  });
  socket.addEventListener("close", () => {
    $("live").textContent = "offline, reconnecting";
    $("live").className = "status off";
    setTimeout(connect, 2000);
  });
}

function drawPending() {
  const ids = [...pending].sort((a, b) => threads.get(a).lastSeq - threads.get(b).lastSeq);
  pending.clear();
  for (const id of ids) {
    renderThread(id);
    $("threads").prepend(threads.get(id).element);
  }
  // Live traffic adds threads at the top; the oldest fall off the list ("Older messages" pages).
  const list = $("threads");
  while (list.children.length > MAX_THREADS) {
    const last = list.lastElementChild;
    threads.delete(last.dataset.thread);
    last.remove();
    oldestSeq = Infinity;
    for (const thread of threads.values()) {
      for (const message of thread.messages.values()) oldestSeq = Math.min(oldestSeq, message.seq);
    }
  }
}

async function search(event) {
  event.preventDefault();
  const text = $("search-text").value.trim();
  if (!text) return;
  try {
    const found = await call("search?q=" + encodeURIComponent(text));
    const list = el("ol", "messages");
    for (const message of found) list.append(messageElement(message));
    const item = el("li", "thread results");
    item.append(el("h3", "title", "Found " + found.length + " for “" + text + "”"), list);
    $("threads").replaceChildren(item);
    $("search-status").textContent = found.length + " found";
    $("more").hidden = true;
  } catch (error) {
    $("search-status").textContent = error.message;
  }
}

function clearSearch() {
  $("search-text").value = "";
  $("search-status").textContent = "";
  placeThreads([]);
  $("more").hidden = false;
}

async function send(event) {
  event.preventDefault();
  const data = {
    from: $("compose-from").value.trim(),
    to: $("compose-to").value.trim(),
    subject: $("compose-subject").value.trim(),
    priority: $("compose-priority").value,
    body: $("compose-body").value,
  };
  if (replyTo) data.replyTo = replyTo.id;
  try {
    const sent = await post("send", data);
    $("compose-status").textContent = "Sent " + sent.map((message) => message.id).join(", ");
    $("compose-body").value = "";
    cancelReply();
    localStorage.setItem("agent-msg-console-from", data.from);
  } catch (error) {
    $("compose-status").textContent = "Not sent: " + error.message;
  }
}

function cancelReply() {
  replyTo = null;
  $("compose-reply").textContent = "";
  $("compose-cancel-reply").hidden = true;
}

document.addEventListener("DOMContentLoaded", () => {
  $("search").addEventListener("submit", search);
  $("search-clear").addEventListener("click", clearSearch);
  $("more").addEventListener("click", loadOlder);
  $("agents").parentElement.addEventListener("scroll", queueRoster, { passive: true });
  window.addEventListener("resize", queueRoster);
  $("compose").addEventListener("submit", send);
  $("compose-cancel-reply").addEventListener("click", cancelReply);
  $("compose-body").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      $("compose").requestSubmit();
    }
  });
  $("skip").addEventListener("click", (event) => {
    // To the first field still to fill: who it goes to, else the message.
    event.preventDefault();
    ($("compose-to").value.trim() || replyTo ? $("compose-body") : $("compose-to")).focus();
  });
  $("compose-from").value = localStorage.getItem("agent-msg-console-from") || "human";
  signIn();
});
