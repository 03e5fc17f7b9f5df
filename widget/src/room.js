// The trainee's side of the live room (docs/realtime-protocol.md): connect with the host token,
// resync by sequence number after every (re)connect, apply room events once, and send actions
// through an outbox that keeps their client ids until the server has acknowledged them.
import { io } from "socket.io-client";

const ACK_TIMEOUT_MS = 15000;
// room.sync asks again for the last few events: one still in flight at a drop is not missed, and
// what comes twice is ignored (docs/realtime-protocol.md, section 3.1).
const SYNC_MARGIN = 20;
const RESYNC_SPREAD_MS = 2000; // room.resync: sync within this long
const APPLIED_KEPT = 1000;
// Refusals that pass: the action is kept and sent again with its cid (the protocol's advice).
const RETRIED = ["internal_error", "rate_limited", "unavailable"];
const RETRY_MS = 3000;
export const OPEN_STATES = ["raised", "claimed", "reopened"];

function newCid() {
  return (
    crypto.randomUUID?.() || `c${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`
  );
}

// What the widget applied, for a host's monitoring and for tests (docs/widget.md): seq and type only.
function told(name, detail) {
  window.dispatchEvent(new CustomEvent(name, { detail }));
}

export class Room {
  constructor({ origin, token, room, locale, onChange, onNews }) {
    this.onChange = onChange;
    this.onNews = onNews; // (kind, data) for live news only: unread count, sound, announcements
    this.status = "connecting"; // connecting | online | reconnecting | refused
    this.refusal = null;
    this.reconnects = 0;
    this.rttMs = null;
    this.outbox = []; // [{cid, event, payload, inFlight, resolve}]
    this.buffered = null; // live events received while a sync is in flight
    // socket.io-client hands the page what came before the server's CONNECT before `connect`
    // fires: room pushes count only once this page's own connect handler has run.
    this.admitted = false;
    this.syncs = 0; // the latest room.sync asked: an older answer is not applied
    this.clear();
    this.socket = io(origin, {
      transports: ["websocket"],
      auth: { token, locale, ...(room ? { room } : {}) }, // locale: the words of a refusal
    });
    this.socket.on("connect", () => {
      this.admitted = true;
      this.resync();
    });
    // The server's processes lost touch for a while: what they sent meanwhile comes by sync. Spread
    // over a moment, so that a whole institute does not ask at the same instant.
    this.socket.on("room.resync", () => {
      if (!this.admitted) return;
      setTimeout(
        () => this.admitted && this.buffered === null && this.resync(),
        Math.random() * RESYNC_SPREAD_MS,
      );
    });
    this.socket.on("disconnect", (reason) => {
      this.admitted = false;
      this.setStatus("reconnecting");
      // The server closed us on purpose (e.g. a restart): Socket.IO does not come back on its own.
      if (reason === "io server disconnect") this.socket.connect();
    });
    this.socket.on("connect_error", (error) => {
      if (this.socket.active) return this.setStatus("reconnecting"); // a network error: it retries
      if (RETRIED.includes(error.data?.code)) {
        // A passing fault on Sanad's side (e.g. its database out of reach): the same token will
        // do shortly.
        setTimeout(() => this.socket.connect(), RETRY_MS);
        return this.setStatus("reconnecting");
      }
      this.refusal = { code: error.data?.code || "refused", message: error.message };
      this.setStatus("refused");
      window.dispatchEvent(new CustomEvent("sanad:token-refused", { detail: { ...this.refusal } }));
    });
    this.socket.io.on("reconnect", () => this.reconnects++);
    this.socket.on("room.event", (event) => {
      if (!this.admitted) return; // before CONNECT: the sync that follows brings it
      if (this.buffered) this.buffered.push(event);
      else this.apply(event, true);
      this.onChange();
    });
    this.socket.on("room.presence", ({ presence }) => {
      if (!this.admitted) return;
      this.presence = presence;
      this.onChange();
    });
    this.socket.on("issue.queue", ({ queue }) => {
      if (!this.admitted) return;
      this.queue.set(queue.issue_id, queue);
      this.onChange();
    });
  }

  clear() {
    this.seq = null; // the highest seq applied
    this.floor = 0; // the seq of the last snapshot: every older event is already in it
    this.applied = new Set(); // recent seqs applied (insertion order: oldest first)
    this.versions = new Map(); // "issue:12" → the seq of the version held
    this.me = null;
    this.session = null;
    this.presence = null;
    this.categories = [];
    this.issues = new Map(); // id → issue with its messages
    this.questions = new Map();
    this.queue = new Map(); // issue id → {position, estimated_wait_seconds}
  }

  setStatus(status) {
    this.status = status;
    if (status !== "refused") this.refusal = null;
    this.onChange();
  }

  get transport() {
    return this.socket.io.engine?.transport?.name || null;
  }

  setToken(token) {
    this.socket.auth.token = token;
    if (!this.socket.connected) this.socket.connect();
  }

  /** Ask for what was missed; live events wait until the answer is applied, then follow it. */
  resync() {
    const round = ++this.syncs;
    this.buffered = [];
    const started = performance.now();
    const lastSeq = this.seq === null ? null : Math.max(0, this.seq - SYNC_MARGIN);
    this.socket.timeout(ACK_TIMEOUT_MS).emit("room.sync", { last_seq: lastSeq }, (err, answer) => {
      if (round !== this.syncs) return; // a newer sync (e.g. after a reconnect) answers instead
      if (err || !answer?.ok) {
        // No answer or a refusal (e.g. rate_limited): ask again shortly; live events stay buffered
        // and the missed ones come with the next answer (last_seq has not moved).
        setTimeout(() => round === this.syncs && this.admitted && this.resync(), 2000);
        return;
      }
      this.rttMs = Math.round(performance.now() - started);
      const data = answer.data;
      if (data.mode === "snapshot") {
        this.load(data.snapshot);
        this.floor = data.seq;
        told("sanad:room-snapshot", { seq: data.seq });
      } else {
        for (const event of [...data.events].sort((a, b) => a.seq - b.seq)) this.apply(event, true);
        this.presence = data.presence;
        this.queue = new Map(data.queue.map((q) => [q.issue_id, q]));
      }
      this.seq = Math.max(this.seq ?? 0, data.seq);
      const live = this.buffered.sort((a, b) => a.seq - b.seq);
      this.buffered = null;
      for (const event of live) this.apply(event, true);
      this.setStatus("online");
      this.flush();
    });
  }

  load(snapshot) {
    this.clear();
    this.me = snapshot.me;
    this.session = snapshot.session;
    this.presence = snapshot.presence;
    this.categories = snapshot.categories;
    for (const issue of snapshot.issues) this.issues.set(issue.id, issue);
    for (const question of snapshot.questions) this.questions.set(question.id, question);
    for (const place of snapshot.queue) this.queue.set(place.issue_id, place);
  }

  /** Apply one sequenced room event once, never over a newer version; `live` ones make news. */
  apply(event, live) {
    if (event.seq <= this.floor || this.applied.has(event.seq)) return;
    this.applied.add(event.seq);
    if (this.applied.size > APPLIED_KEPT) this.applied.delete(this.applied.values().next().value);
    this.seq = Math.max(this.seq ?? 0, event.seq);
    told("sanad:room-event", { seq: event.seq, type: event.type });
    const data = event.data;
    // Events from two server processes can arrive swapped: keep each object's newest version.
    const object = data.issue || data.question || data.session;
    if (object) {
      const key = `${event.type.split(".")[0]}:${object.id ?? ""}`;
      if ((this.versions.get(key) ?? 0) > event.seq) return;
      this.versions.set(key, event.seq);
    }
    switch (event.type) {
      case "session.changed":
        this.session = data.session;
        break;
      case "issue.raised":
      case "issue.updated": {
        const before = this.issues.get(data.issue.id);
        this.putIssue(data.issue);
        if (live && before && before.state !== data.issue.state) this.onNews("issue", data.issue);
        break;
      }
      case "issue.message":
        if (this.addMessage(data.issue_id, data.message) && data.message.author.role !== "trainee")
          this.onNews("message", data.message);
        break;
      case "question.asked":
      case "question.updated": {
        const before = this.questions.get(data.question.id);
        this.putQuestion(data.question);
        if (live && before?.mine && before.state !== data.question.state)
          this.onNews("question", data.question);
        break;
      }
      case "question.private_answer": {
        const question = this.questions.get(data.question_id);
        if (question) {
          question.answer = data.answer;
          question.answered_by = data.answered_by;
          this.onNews("question", question);
        }
        break;
      }
    }
  }

  putIssue(issue) {
    const messages = issue.messages || this.issues.get(issue.id)?.messages || [];
    this.issues.set(issue.id, { ...issue, messages });
  }

  addMessage(issueId, message) {
    const issue = this.issues.get(issueId);
    if (!issue || issue.messages.some((m) => m.id === message.id)) return false;
    issue.messages = [...issue.messages, message].sort((a, b) => a.id - b.id);
    return true;
  }

  // Live events carry the room's view of a question (mine/upvoted_by_me false, a private answer
  // and a hidden name left out): keep what this trainee already knows.
  putQuestion(question) {
    const known = this.questions.get(question.id);
    if (!known) return this.questions.set(question.id, question);
    this.questions.set(question.id, {
      ...question,
      mine: known.mine || question.mine,
      upvoted_by_me: known.upvoted_by_me || question.upvoted_by_me,
      answer: question.answer ?? known.answer,
      asker: question.asker?.name ? question.asker : known.asker,
    });
  }

  /** An acknowledged object is only added when unknown: the room events are newer or as new. */
  applyAck(data) {
    if (data.issue && !this.issues.has(data.issue.id)) this.putIssue(data.issue);
    if (data.message) this.addMessage(data.message.issue_id, data.message);
    if (data.question) {
      const known = this.questions.get(data.question.id);
      if (!known) this.questions.set(data.question.id, data.question);
      else {
        known.mine ||= data.question.mine;
        known.upvoted_by_me ||= data.question.upvoted_by_me;
        known.answer ??= data.question.answer;
        if (data.question.asker?.name) known.asker = data.question.asker;
      }
    }
    if (data.queue) {
      for (const place of [data.queue].flat()) if (place) this.queue.set(place.issue_id, place);
    }
  }

  /** Queue an action; it is sent now if connected, else when the connection is back. */
  send(event, payload) {
    return new Promise((resolve) => {
      this.outbox.push({ cid: newCid(), event, payload, inFlight: false, resolve });
      this.onChange();
      if (this.status === "online") this.flush();
    });
  }

  pending(event) {
    return this.outbox.filter((item) => item.event === event);
  }

  flush() {
    for (const item of this.outbox) {
      if (item.inFlight) continue;
      item.inFlight = true;
      const payload = { ...item.payload, cid: item.cid };
      this.socket.timeout(ACK_TIMEOUT_MS).emit(item.event, payload, (err, answer) => {
        item.inFlight = false;
        if (err || RETRIED.includes(answer.error)) {
          // No answer, or a refusal that passes: sent again with the same cid (stored once) soon,
          // or after the next sync.
          if (this.socket.connected) setTimeout(() => this.flush(), RETRY_MS);
          return;
        }
        this.outbox = this.outbox.filter((other) => other !== item);
        if (answer.ok) this.applyAck(answer.data);
        item.resolve(answer);
        this.onChange();
      });
    }
  }

  /** This trainee's latest technical issue. */
  currentIssue() {
    return [...this.issues.values()].sort((a, b) => b.id - a.id)[0] || null;
  }
}
