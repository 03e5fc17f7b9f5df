// The live consoles' shared core: connect with the host token in the URL fragment, or with the
// pass Sanad mints for a staff member who logged in (renewed while the console stays open); keep in
// step with the room (sequence numbers, resync), send actions once (client ids), translate, alert
// with sound and title.
// The protocol is docs/realtime-protocol.md. Every text reaches the page through textContent.
"use strict";

const Sanad = (() => {
  const page = document.getElementById("console");
  const locale = page.dataset.locale;
  const timeZone = page.dataset.tz;
  const hostToken = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  let token = hostToken;
  // Keep the token out of the address bar, the history and any copied link.
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  const staffPass = !hostToken && Boolean(page.dataset.passUrl);
  // Handed to Sanad once, kept in this browser's session for this console until it expires: a
  // reload or the language switch then gets it back from the pass URL.
  if (hostToken) {
    fetch(`${location.pathname}/enter`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": page.dataset.csrf },
      body: JSON.stringify({ token: hostToken }),
    }).catch(() => {});
  }

  // Bidi embedding, override and isolate controls in what people wrote would reorder the text
  // around it: removed when shown; the text itself is isolated (`user` below, dir="auto").
  const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
  const clean = (text) => String(text ?? "").replace(BIDI_CONTROLS, "");

  let catalogue = {};
  const t = (message, values = {}) =>
    (catalogue[message] || message).replace(/%\((\w+)\)s/g, (_, name) => clean(values[name]));

  // The widget's format too (widget/src/i18n.js): "2:49 م", in the institute's time zone.
  const clock = new Intl.DateTimeFormat(locale, { timeZone, hour: "numeric", minute: "2-digit" });
  const when = (iso) => (iso ? clock.format(new Date(iso)) : "");
  const minutes = (seconds) => Math.max(1, Math.round(seconds / 60));

  // --- elements -----------------------------------------------------------------------------
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === false || value === null || value === undefined) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    }
    return node;
  }

  /** Text a person wrote, in its own direction, isolated from the sentence around it. */
  const user = (text, attrs = {}) => el("bdi", { dir: "auto", ...attrs, text: clean(text) });

  // Re-rendering a list must not lose what the person is typing, nor where the focus is.
  function render(container, build) {
    const drafts = new Map();
    for (const field of container.querySelectorAll("[data-key]")) {
      if ("value" in field && field.type !== "radio") drafts.set(field.dataset.key, field.value);
      if (field.type === "radio") drafts.set(field.dataset.key, field.checked);
    }
    const focused = document.activeElement?.dataset?.key;
    container.replaceChildren(...build());
    for (const field of container.querySelectorAll("[data-key]")) {
      if (!drafts.has(field.dataset.key)) continue;
      if (field.type === "radio") field.checked = drafts.get(field.dataset.key);
      else field.value = drafts.get(field.dataset.key);
    }
    if (focused) container.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
    for (const key of sending) showSending(key);
  }

  // Sending is calm: while a form's text is on its way it stays, read-only, with the button busy;
  // it is cleared once the server said yes and kept, with the server's words, when it said no.
  const sending = new Set(); // data-keys of the fields being sent
  const field = (key) => document.querySelector(`[data-key="${CSS.escape(key)}"]`);
  function showSending(key) {
    const input = field(key);
    const button = input?.form?.querySelector('button[type="submit"]');
    if (!button) return;
    const busy = sending.has(key);
    input.readOnly = busy;
    button.dataset.label ||= button.textContent;
    button.setAttribute("aria-disabled", String(busy));
    button.toggleAttribute("aria-busy", busy);
    button.textContent = busy ? t("Sending…") : button.dataset.label;
  }
  async function sendField(key, name, fields) {
    if (sending.has(key)) return { ok: false, error: "busy" };
    sending.add(key);
    showSending(key);
    const ack = await send(name, fields);
    sending.delete(key);
    if (ack.ok && field(key)) field(key).value = "";
    showSending(key);
    return ack;
  }

  function say(message, isError = false) {
    const status = document.getElementById("console-status");
    status.textContent = message;
    status.classList.toggle("alert", isError);
  }

  // A cross-site frame (an LTI launch in the learning platform's page) may be refused storage:
  // the choice then lasts as long as the page.
  function remembered(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  }
  function remember(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch {
      // refused: kept in `soundOn` for this page
    }
  }

  // --- sound and the tab title ----------------------------------------------------------------
  // Off until the person turns it on (a browser lets a page sound only after a gesture); the choice
  // is remembered, and after a reload the sound starts with the person's first click or key.
  const SOUND_KEY = "sanad.console.sound";
  const soundButton = document.getElementById("mute");
  let soundOn = remembered(SOUND_KEY) === "on";
  let audio = null;
  function startAudio() {
    if (!soundOn || !navigator.userActivation?.hasBeenActive) return;
    try {
      audio ||= new AudioContext();
      if (audio.state === "suspended") audio.resume();
    } catch {
      audio = null; // no audio device: the title count still tells
    }
  }
  function showSound() {
    soundButton.setAttribute("aria-pressed", String(soundOn));
    soundButton.textContent = t("Sound");
  }
  soundButton.addEventListener("click", () => {
    soundOn = !soundOn;
    remember(SOUND_KEY, soundOn ? "on" : "off");
    showSound();
    startAudio();
  });
  for (const gesture of ["pointerdown", "keydown"]) {
    document.addEventListener(gesture, startAudio, { once: true, capture: true });
  }
  function chime() {
    if (!soundOn || audio?.state !== "running") return;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  }
  const baseTitle = document.title;
  function count(waiting) {
    document.title = waiting > 0 ? `(${waiting}) ${baseTitle}` : baseTitle;
  }

  // --- the connection ---------------------------------------------------------------------------
  const room = {
    seq: null,
    me: null,
    session: null,
    presence: { managers: 0, trainers: 0, trainees: 0 },
    handlers: {},
  };
  let socket = null;
  // socket.io-client hands the page what came before the server's CONNECT before `connect`
  // fires: room pushes count only once this page's own connect handler has run.
  let admitted = false;
  let syncing = false;
  let syncs = 0; // the latest room.sync asked: an older answer is not applied
  let buffered = [];
  const pending = new Map(); // cid → [event, payload]: sent again, unchanged, after a reconnect

  const SESSION_STATES = {
    scheduled: () => t("Not started yet"),
    open: () => t("Session open"),
    closed: () => t("Session closed"),
  };
  function showRoom() {
    if (room.session) {
      document.getElementById("session-state").textContent = SESSION_STATES[room.session.state]();
    }
    const { managers, trainers, trainees } = room.presence;
    document.getElementById("presence").textContent = t(
      "Online now — room managers: %(managers)s · trainers: %(trainers)s · trainees: %(trainees)s",
      { managers, trainers, trainees },
    );
  }

  // Events may arrive out of order when several server processes serve the room, and again in a
  // sync answer: apply each seq once; whole objects keep the version with the highest seq.
  const applied = new Set();
  const REPLAY_MARGIN = 20;
  let sessionSeq = 0;

  // What the console applied, for monitoring and tests (docs/widget.md): seq and type only.
  const told = (name, detail) => window.dispatchEvent(new CustomEvent(name, { detail }));

  function apply(event) {
    if (applied.has(event.seq)) return;
    applied.add(event.seq);
    room.seq = Math.max(room.seq ?? 0, event.seq);
    told("sanad:room-event", { seq: event.seq, type: event.type });
    if (event.type === "session.changed") {
      if (event.seq < sessionSeq) return;
      sessionSeq = event.seq;
      room.session = event.data.session;
      showRoom();
      room.handlers.session?.();
    }
    room.handlers.event?.(event);
  }

  // Ask for what was missed; live events wait until the answer is applied, then follow it.
  async function sync() {
    const round = ++syncs;
    syncing = true;
    buffered = [];
    const last_seq = room.seq === null ? null : Math.max(0, room.seq - REPLAY_MARGIN);
    const ack = await socket
      .timeout(10000)
      .emitWithAck("room.sync", { last_seq })
      .catch(() => null); // no answer, or the connection dropped meanwhile
    if (round !== syncs) return; // a newer sync (e.g. after a reconnect) answers instead
    if (!ack?.ok) {
      // Live events stay buffered; the missed ones come with the next answer.
      if (ack) say(ack.message, true);
      setTimeout(() => round === syncs && admitted && sync(), 2000);
      return;
    }
    const answer = ack.data;
    if (answer.mode === "snapshot") {
      applied.clear();
      room.seq = sessionSeq = answer.seq;
      room.me = answer.snapshot.me;
      room.session = answer.snapshot.session;
      room.presence = answer.snapshot.presence;
      room.handlers.snapshot?.(answer.snapshot);
      told("sanad:room-snapshot", { seq: answer.seq });
    } else {
      [...answer.events].sort((a, b) => a.seq - b.seq).forEach(apply);
      room.seq = Math.max(room.seq, answer.seq);
      room.presence = answer.presence;
    }
    syncing = false;
    const live = buffered.filter((e) => e.seq > room.seq).sort((a, b) => a.seq - b.seq);
    buffered = [];
    live.forEach(apply);
    showRoom();
    room.handlers.session?.();
    for (const [cid, [name, payload]] of pending) send(name, payload, cid);
  }

  function send(name, fields, cid = crypto.randomUUID()) {
    const payload = { ...fields, cid };
    pending.set(cid, [name, payload]);
    return socket
      .timeout(10000)
      .emitWithAck(name, payload)
      .then((ack) => {
        pending.delete(cid);
        if (!ack.ok) say(ack.message, true);
        return ack;
      })
      .catch(() => {
        say(t("No answer from Sanad yet: it is sent again when the connection is back."), true);
        return { ok: false, error: "no_answer" }; // kept in `pending` for the reconnect
      });
  }

  function connect(handlers) {
    Object.assign(room.handlers, handlers);
    showSound();
    fetch(`/i18n/${locale}.json`)
      .then((response) => (response.ok ? response.json() : {}))
      .catch(() => ({}))
      .then((messages) => {
        catalogue = messages;
        showSound();
        if (hostToken) open();
        else if (staffPass) renewPass();
        else if (page.dataset.loginUrl) location.replace(page.dataset.loginUrl);
        else say(t("Sign-in to the room is missing. Reload the page."), true);
      });
  }

  // A staff pass lasts minutes: a fresh one comes at 80% of its life, and after a refusal for
  // expiry (the timers of a sleeping laptop fire late). Logged out meanwhile: log in and back.
  let renewal = null;
  async function renewPass() {
    clearTimeout(renewal);
    const response = await fetch(page.dataset.passUrl, { cache: "no-store" }).catch(() => null);
    if (response?.status === 401) {
      location.replace(page.dataset.loginUrl);
      return false;
    }
    if (response?.status === 403) {
      say(t("You no longer run this room session."), true);
      socket?.disconnect();
      return false;
    }
    const answer = response?.ok ? await response.json().catch(() => null) : null;
    if (!answer?.token) {
      renewal = setTimeout(renewPass, 10000); // the server is unreachable for now
      return false;
    }
    token = answer.token;
    renewal = setTimeout(renewPass, answer.expires_in * 800);
    if (!socket) open();
    return true;
  }

  function open() {
    say(t("Connecting to the room…"));
    // read at each (re)connection: a renewed pass is used from then on
    const auth = (answer) => answer({ token, room: page.dataset.room, locale });
    socket = io({ transports: ["websocket"], auth });
    socket.on("connect", () => {
      admitted = true;
      say(t("Connected."));
      sync();
    });
    socket.on("disconnect", (reason) => {
      admitted = false;
      say(t("Connection lost. Reconnecting…"), true);
      // The server closed us on purpose (e.g. a restart): Socket.IO does not come back on its own.
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", (error) => {
      say(error.message, true);
      if (socket.active) return; // the network: Socket.IO tries again on its own
      // Refused by the server, after which Socket.IO does not try again by itself.
      const code = error.data?.code;
      if (code === "unavailable" || code === "internal_error") {
        setTimeout(() => socket.connect(), 3000); // a passing fault on Sanad's side
      } else if (staffPass && code === "token_expired") {
        renewPass().then((renewed) => renewed && socket.connect());
      } // else the pass itself is refused: the same one would be refused again
    });
    socket.on("room.event", (event) => {
      if (!admitted) return; // before CONNECT: the sync that follows brings it
      if (syncing) buffered.push(event);
      else apply(event);
    });
    // The server's processes lost touch for a while: what they sent meanwhile comes by sync.
    socket.on("room.resync", () => {
      if (admitted && !syncing) sync();
    });
    socket.on("room.presence", ({ presence }) => {
      if (!admitted) return;
      room.presence = presence;
      showRoom();
    });
  }

  const pass = () => token;
  return { t, el, user, clean, render, when, minutes, say, chime, count, connect, send, sendField, room, pass, locale };
})();
