// The agent console: a little script over the REST face (/api/v1), no framework.
// The credentials live in `auth` only (never in storage) and go as HTTP Basic on each call.
// Whatever comes from the server is written with textContent, never as HTML.
"use strict";

(() => {
  const API = "/api/v1";
  const POLL_MS = 3000;
  let auth = null; // "Basic ..." while logged in
  let me = null; // {id, name}
  let selected = null; // the id of the session whose messages are shown
  let timer = null;
  let chain = Promise.resolve(); // loads run one after another
  let pending = 0; // loads asked for and not finished
  const etags = new Map(); // session id -> ETag of the last GET of that session
  const shown = new Map(); // list element id -> signature of what it shows

  const $ = (id) => document.getElementById(id);

  class ApiError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  function basic(user, password) {
    const bytes = new TextEncoder().encode(`${user}:${password}`);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return `Basic ${btoa(binary)}`;
  }

  async function api(method, path, { body, ifMatch } = {}) {
    const headers = { Authorization: auth, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (ifMatch) headers["If-Match"] = ifMatch;
    // credentials "omit": no cookies, and no browser log-in dialog on a 401
    const response = await fetch(API + path, {
      method, headers, credentials: "omit", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok) {
      const detail = (data && (data.detail || data.title)) || `HTTP ${response.status}`;
      throw new ApiError(response.status, detail);
    }
    return {
      data,
      etag: response.headers.get("ETag"),
      outcome: response.headers.get("ChatSession-Outcome"),
    };
  }

  function el(tag, text, attributes = {}) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }

  function button(text, testid, action) {
    const node = el("button", text, { type: "button", "data-testid": testid });
    node.addEventListener("click", action);
    return node;
  }

  function notice(text, isError = false) {
    const node = $("notice");
    node.textContent = text;
    node.classList.toggle("error", isError);
  }

  // Replace a list's children only when what it shows changed (stable nodes between polls).
  function render(listId, emptyId, items, signature, build) {
    const sig = JSON.stringify(signature);
    if (shown.get(listId) === sig) return;
    shown.set(listId, sig);
    $(listId).replaceChildren(...items.map(build));
    $(emptyId).hidden = items.length > 0;
  }

  const customer = (s) => s.CustomerAlias || s.CustomerName || "(anonymous)";

  // ------------------------------------------------------------------ actions

  // Run an action, reload what the page shows, then say what the action did.
  async function act(label, run) {
    let said = null;
    try {
      const reply = await run();
      said = [`${label}: ${reply.outcome || "done"}`, false];
    } catch (error) {
      if (handleAuthError(error)) return;
      said = [`${label}: ${error.message}`, true];
    }
    await refresh();
    if (auth) notice(...said);
  }

  function pickUp(id) {
    return act(`Pick up session ${id}`, async () => {
      const reply = await api("POST", `/ChatSession/${id}/Pickup`);
      if (reply.data === null) reply.outcome = "not in the queue any more";
      return reply;
    });
  }

  function answerTransfer(id, verb) {
    const path = `/ChatSession/${id}/${verb}Transfer`;
    const ifMatch = etags.get(id);
    return act(`${verb} transfer of session ${id}`, () => api("POST", path, { ifMatch }));
  }

  async function sendMessage(event) {
    event.preventDefault();
    const input = $("message-text");
    if (selected === null || !input.value) return;
    const id = selected;
    await act(`Message to session ${id}`, async () => {
      const reply = await api("POST", `/ChatSession/${id}/Messages`,
        { body: { Message: input.value } });
      input.value = "";
      reply.outcome = "sent";
      return reply;
    });
  }

  function select(id) {
    selected = id;
    shown.delete("messages");
    shown.delete("mine");
    $("messages-heading").textContent = `Messages of session ${id}`;
    $("messages-panel").hidden = false;
    return refresh();
  }

  // ------------------------------------------------------------------ rendering

  function renderQueue(queue, topics) {
    render("queue", "queue-empty", queue, queue.map((s) => [s.ChatSessionId, s.CustomerAlias]),
      (s) => {
        const id = s.ChatSessionId;
        const item = el("li", null, { "data-testid": `queued-${id}` });
        const topic = topics.get(s.TopicId) || `topic ${s.TopicId}`;
        item.append(el("span", `Session ${id} (${topic}), ${customer(s)}`));
        item.append(button("Pick up", `pickup-${id}`, () => pickUp(id)));
        return item;
      });
  }

  function renderTransfers(transfers) {
    const sig = transfers.map((s) => [s.ChatSessionId, etags.get(s.ChatSessionId)]); // any change
    render("transfers", "transfers-empty", transfers, sig, (s) => {
      const id = s.ChatSessionId;
      const item = el("li", null, { "data-testid": `transfer-${id}` });
      const from = s.User ? s.User.FullName || s.User.Name : "nobody";
      item.append(el("span", `Session ${id} from ${from}, ${customer(s)} (${s.Status})`));
      item.append(button("Accept", `accept-${id}`, () => answerTransfer(id, "Accept")));
      item.append(button("Reject", `reject-${id}`, () => answerTransfer(id, "Reject")));
      return item;
    });
  }

  function renderMine(mine) {
    const sig = [selected, mine.map((s) => [s.ChatSessionId, s.Status, s.CustomerAlias, s.Rank])];
    render("mine", "mine-empty", mine, sig, (s) => {
      const id = s.ChatSessionId;
      const row = el("tr", null, { "data-testid": `session-${id}` });
      if (id === selected) row.className = "selected";
      const open = button(`Session ${id}`, `open-${id}`, () => select(id));
      open.setAttribute("aria-label", `Show the messages of session ${id}`);
      const cell = el("td");
      cell.append(open);
      row.append(cell, el("td", s.Status), el("td", customer(s)),
        el("td", s.Rank, { "data-testid": `rank-${id}` }));
      return row;
    });
  }

  function describe(m) {
    if (m.Type === "Special") return m.Message || m.SpecialType;
    return m.Message;
  }

  function renderMessages(messages) {
    render("messages", "messages-empty", messages, [selected, messages.map((m) => m.ChatMessageId)],
      (m) => {
        const item = el("li", null, { "data-testid": `message-${m.ChatMessageId}` });
        const when = m.WhenPosted ? new Date(m.WhenPosted).toLocaleTimeString() : "";
        item.append(el("span", when, { class: "when" }), el("span", m.Author, { class: "author" }),
          el("span", describe(m), { class: "text" }));
        return item;
      });
  }

  // ------------------------------------------------------------------ polling

  async function load() {
    const who = me;
    const queuePath = `/ChatSession?$filter=${encodeURIComponent("status eq 'InQueue'")}&$top=1000`;
    const [topicsReply, queueReply, sessionsReply] = await Promise.all([
      api("POST", "/Agents/Chat/ChatTopicsForUser"),
      api("GET", queuePath),
      api("GET", "/ChatSession/ForCurrentUser"),
    ]);
    const topics = new Map((topicsReply.data || []).map((t) => [t.ChatTopicId, t.Name]));
    const queue = (queueReply.data.value || []).filter((s) => topics.has(s.TopicId));
    const sessions = sessionsReply.data || [];
    const mine = sessions.filter((s) => s.User && s.User.AssociateId === me.id);
    const transfers = sessions.filter((s) => s.TransferTo && s.TransferTo.AssociateId === me.id);
    // the ETag each Accept / Reject sends as If-Match: the version the page last read
    await Promise.all(transfers.map(async (s) => {
      etags.set(s.ChatSessionId, (await api("GET", `/ChatSession/${s.ChatSessionId}`)).etag);
    }));
    if (me !== who) return; // logged out meanwhile
    renderQueue(queue, topics);
    renderTransfers(transfers);
    renderMine(mine);
    if (selected !== null) {
      renderMessages((await api("GET", `/ChatSession/${selected}/Messages`)).data || []);
    }
  }

  function refresh() {
    pending += 1;
    chain = chain.then(async () => {
      try {
        if (auth) await load();
      } catch (error) {
        if (!handleAuthError(error)) notice(`Refresh failed: ${error.message}`, true);
      } finally {
        pending -= 1;
      }
    });
    return chain;
  }

  function poll() {
    if (pending === 0) refresh(); // a slow server: skip a beat rather than pile loads up
  }

  // ------------------------------------------------------------------ log in, log out

  function handleAuthError(error) {
    if (!(error instanceof ApiError) || error.status !== 401) return false;
    logOut(error.message);
    return true;
  }

  async function logIn(event) {
    event.preventDefault();
    const name = $("username").value.trim();
    const candidate = basic(name, $("password").value);
    $("login-error").textContent = "";
    auth = candidate;
    try {
      const users = (await api("POST", "/Agents/Chat/GetUserAgentList",
        { body: { Flat: true, OnlyPresent: false } })).data || [];
      const found = users.find((u) => String(u.Name).toLowerCase() === name.toLowerCase());
      if (!found) throw new Error(`no chat user is called ${name}`);
      me = { id: found.Id, name: found.Name };
    } catch (error) {
      auth = null;
      $("login-error").textContent = error.message;
      return;
    }
    $("password").value = "";
    $("whoami").textContent = `Logged in as ${me.name} (associate ${me.id})`;
    $("whoami").hidden = $("logout").hidden = false;
    $("login").hidden = true;
    $("console").hidden = false;
    timer = setInterval(poll, POLL_MS);
    await refresh();
  }

  function logOut(reason = "") {
    auth = me = selected = null;
    clearInterval(timer);
    timer = null;
    etags.clear();
    shown.clear();
    for (const id of ["queue", "transfers", "mine", "messages"]) $(id).replaceChildren();
    notice("");
    $("messages-panel").hidden = true;
    $("console").hidden = true;
    $("whoami").hidden = $("logout").hidden = true;
    $("login").hidden = false;
    $("password").value = "";
    $("login-error").textContent = reason;
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", logIn);
    $("logout").addEventListener("click", () => logOut());
    $("message-form").addEventListener("submit", sendMessage);
  });
})();
