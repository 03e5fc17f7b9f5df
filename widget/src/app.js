// The widget once loaded: the panel, the room connection and the notices (see loader.js).
import { collectDiagnostics } from "./diagnostics.js";
import { fill, h } from "./dom.js";
import { direction, formatNumber, formatTime, locale, setLocale, t, useCatalogue } from "./i18n.js";
import { Notices, writeSetting } from "./notices.js";
import { OPEN_STATES, Room } from "./room.js";
import {
  categoryLabel,
  connectionStatus,
  issueStatus,
  questionState,
  ticketReason,
  waitText,
} from "./words.js";

const CATEGORIES = ["no_audio", "no_video", "no_shared_screen", "connection_drops", "cannot_join", "other"];
const CONTACT_CENTRE_EVERY_MS = 5 * 60 * 1000;

export function mount(ctx) {
  useCatalogue(ctx.arabic, ctx.config.timeZone);
  setLocale(ctx.locale());
  return new Widget(ctx).api();
}

class Widget {
  constructor(ctx) {
    this.ctx = ctx;
    this.origin = ctx.config.origin;
    this.isOpen = false;
    this.tab = "technical";
    this.raising = false; // the trainee asked to report another problem after a closed one
    this.diagnostics = [];
    this.error = "";
    this.contactCentre = null;
    this.suggestions = [];
    this.suggestionsOffered = true; // false once the server says it has no suggestions endpoint
    this.liveRegion = h("div", { class: "sr-only", role: "status", "aria-live": "polite" });
    ctx.frame.append(this.liveRegion);
    this.notices = new Notices({ badge: ctx.badge, liveRegion: this.liveRegion });
    this.build();
    this.room = new Room({
      origin: this.origin,
      token: ctx.config.token,
      room: ctx.config.room,
      locale: locale(),
      onChange: () => this.render(),
      onNews: (kind, data) => this.news(kind, data),
    });
    this.loadContactCentre();
    setInterval(() => this.loadContactCentre(), CONTACT_CENTRE_EVERY_MS);
    document.addEventListener("visibilitychange", () => this.markRead());
  }

  api() {
    return {
      open: () => this.open(),
      close: () => this.close(),
      toggle: () => (this.isOpen ? this.close() : this.open()),
      setToken: (token) => this.room.setToken(token),
      setLanguage: (lang) => this.setLanguage(lang),
    };
  }

  // --- the frame -------------------------------------------------------------------------------

  build() {
    const ctx = this.ctx;
    const inputs = this.inputs ? this.saveInputs() : null;
    this.panel?.remove();
    ctx.labelButton();
    this.heading = h("h2", { id: "sanad-title", tabindex: "-1" }, t("Help"));
    this.status = h("p", { class: "status", "data-role": "connection" });
    this.soundButton = h(
      "button",
      { type: "button", class: "ghost", "aria-pressed": String(this.notices.sound), onclick: () => this.toggleSound() },
      t("Sound")
    );
    const other = locale() === "ar" ? "en" : "ar";
    const languageButton = h(
      "button",
      {
        type: "button",
        class: "ghost",
        lang: other,
        "data-key": "language",
        "aria-label": t("Switch language"),
        onclick: () => this.setLanguage(other),
      },
      other === "ar" ? "العربية" : "English"
    );
    const closeButton = h(
      "button",
      { type: "button", class: "ghost close", "aria-label": t("Close"), onclick: () => this.close() },
      "×"
    );
    this.noticesRegion = h("div", { class: "notices" });
    this.tabs = {
      technical: h("button", { type: "button", role: "tab", id: "sanad-tab-technical", "aria-controls": "sanad-technical" }, t("Technical problem")),
      questions: h("button", { type: "button", role: "tab", id: "sanad-tab-questions", "aria-controls": "sanad-questions" }, t("Question to the trainer")),
    };
    for (const [name, tab] of Object.entries(this.tabs)) tab.addEventListener("click", () => this.showTab(name));
    const tablist = h("div", { role: "tablist", "aria-label": t("What do you need?"), onkeydown: (e) => this.tabKeys(e) }, Object.values(this.tabs));
    this.technical = h("div", { role: "tabpanel", id: "sanad-technical", "aria-labelledby": "sanad-tab-technical" }, this.buildTechnical());
    this.questions = h("div", { role: "tabpanel", id: "sanad-questions", "aria-labelledby": "sanad-tab-questions" }, this.buildQuestions());
    this.panel = h(
      "section",
      {
        class: "panel",
        role: "dialog",
        "aria-modal": "false",
        "aria-labelledby": "sanad-title",
        hidden: !this.isOpen,
        onkeydown: (event) => {
          if (event.key !== "Escape") return;
          event.stopPropagation();
          this.close();
        },
      },
      h("header", {}, this.heading, h("div", { class: "tools" }, this.soundButton, languageButton, closeButton)),
      this.status,
      this.noticesRegion,
      tablist,
      this.technical,
      this.questions
    );
    ctx.frame.insertBefore(this.panel, ctx.button);
    if (inputs) this.restoreInputs(inputs);
    this.showTab(this.tab, false);
  }

  open() {
    this.isOpen = true;
    this.panel.hidden = false;
    this.ctx.button.setAttribute("aria-expanded", "true");
    this.ctx.button.removeAttribute("aria-busy");
    this.heading.focus();
    this.markRead();
    if (this.tab === "technical") this.refreshDiagnostics();
  }

  close() {
    this.isOpen = false;
    this.panel.hidden = true;
    this.ctx.button.setAttribute("aria-expanded", "false");
    this.ctx.button.focus();
  }

  markRead() {
    if (this.isOpen && document.visibilityState === "visible") this.notices.read();
  }

  setLanguage(lang) {
    setLocale(lang);
    this.ctx.setLocale(locale());
    this.room.socket.auth.locale = locale();
    writeSetting(this.ctx.languageKey, locale());
    this.build();
    this.render();
    this.panel.querySelector('[data-key="language"]')?.focus();
    this.loadContactCentre();
  }

  toggleSound() {
    this.soundButton.setAttribute("aria-pressed", String(this.notices.toggleSound()));
  }

  showTab(name, focus = true) {
    this.tab = name;
    for (const [key, tab] of Object.entries(this.tabs)) {
      tab.setAttribute("aria-selected", String(key === name));
      tab.tabIndex = key === name ? 0 : -1;
    }
    this.technical.hidden = name !== "technical";
    this.questions.hidden = name !== "questions";
    if (focus) this.tabs[name].focus();
    if (name === "technical" && this.isOpen) this.refreshDiagnostics();
  }

  tabKeys(event) {
    const forward = direction() === "rtl" ? "ArrowLeft" : "ArrowRight";
    const back = direction() === "rtl" ? "ArrowRight" : "ArrowLeft";
    if (event.key !== forward && event.key !== back) return;
    event.preventDefault();
    this.showTab(this.tab === "technical" ? "questions" : "technical");
  }

  news(kind, data) {
    const texts = {
      message: () => t("New message from %(name)s: %(text)s", { name: data.author?.name, text: data.text }),
      issue: () => issueStatus(data),
      question: () => t("Your question: %(state)s", { state: questionState(data) }),
    };
    this.notices.arrived(texts[kind](), this.isOpen && document.visibilityState === "visible");
  }

  async loadContactCentre() {
    try {
      const response = await fetch(`${this.origin}/api/v1/contact-centre?lang=${locale()}`, { credentials: "omit" });
      this.contactCentre = response.ok ? await response.json() : null;
    } catch {
      this.contactCentre = null; // no such endpoint on this server, or no network: no notice
    }
    this.render();
  }

  saveInputs() {
    return Object.fromEntries(Object.entries(this.inputs).map(([k, el]) => [k, el.type === "checkbox" ? el.checked : el.value]));
  }

  restoreInputs(values) {
    for (const [k, value] of Object.entries(values)) {
      if (this.inputs[k].type === "checkbox") this.inputs[k].checked = value;
      else this.inputs[k].value = value;
    }
  }

  // --- the technical problem ---------------------------------------------------------------------

  buildTechnical() {
    const category = h("select", { id: "sanad-category", "data-key": "category", onchange: () => this.suggest() },
      CATEGORIES.map((c) => h("option", { value: c }, categoryLabel(c))));
    const problem = h("textarea", { id: "sanad-problem", rows: "3", maxlength: "2000", "data-key": "problem", oninput: () => this.suggestSoon() });
    const chat = h("textarea", { id: "sanad-chat", rows: "2", maxlength: "2000", "data-key": "chat" });
    this.inputs = { ...this.inputs, category, problem, chat };
    this.issueRegion = h("div", { class: "issue", "data-role": "issue" });
    this.suggestionsRegion = h("div", { class: "suggestions" });
    this.diagnosticsRegion = h("div", { class: "diagnostics" });
    this.raiseSending = h("p", { class: "pending", hidden: true }, t("Waiting for the connection to send your problem…"));
    this.chatForm = h("form", { class: "chat", onsubmit: (e) => (e.preventDefault(), this.sendMessage()) },
      h("label", { for: "sanad-chat" }, t("Message to the room manager")),
      chat,
      h("button", { type: "submit", class: "primary" }, t("Send")));
    this.raiseForm = h("form", { class: "raise", onsubmit: (e) => (e.preventDefault(), this.raise()) },
      h("label", { for: "sanad-category" }, t("What is wrong?")),
      category,
      h("label", { for: "sanad-problem" }, t("Describe the problem (optional)")),
      problem,
      this.suggestionsRegion,
      this.diagnosticsRegion,
      this.raiseSending,
      h("button", { type: "submit", class: "primary" }, t("Send to the room manager")));
    return [this.issueRegion, this.chatForm, this.raiseForm];
  }

  currentIssue() {
    const issue = this.room?.currentIssue();
    if (!issue || this.raising) return null;
    return issue;
  }

  renderTechnical() {
    const room = this.room;
    const issue = this.currentIssue();
    const open = issue && OPEN_STATES.includes(issue.state);
    this.chatForm.hidden = !open;
    this.raiseForm.hidden = Boolean(issue);
    this.raiseSending.hidden = !room.pending("issue.raise").length;
    if (!issue) return fill(this.issueRegion);
    const place = room.queue.get(issue.id);
    const waiting = open && issue.state !== "claimed" && place;
    const pendingMessages = room.pending("issue.message").filter((m) => m.payload.issue_id === issue.id);
    const action = (label, event, extra = {}, kind = "secondary") =>
      h("button", { type: "button", class: kind, "data-key": event, onclick: () => this.act(event, { issue_id: issue.id, ...extra }) }, label);
    fill(
      this.issueRegion,
      h("h3", {}, t("Your problem")),
      h("p", { class: "what" }, categoryLabel(issue.category), issue.text && [": ", h("bdi", { class: "text" }, issue.text)]),
      h("p", { class: `state state-${issue.state}`, "data-role": "issue-state", "data-key": "issue-state", tabindex: "-1" }, issueStatus(issue)),
      waiting && h("dl", { class: "queue", "data-role": "queue" },
        h("dt", {}, t("Place in the queue")), h("dd", {}, formatNumber(place.position)),
        h("dt", {}, t("Estimated wait")), h("dd", {}, waitText(place.estimated_wait_seconds))),
      issue.ticket_number && h("p", { class: "ticket", "data-role": "ticket" },
        t("Ticket number: %(number)s", { number: issue.ticket_number }), " ", ticketReason(issue.ticket_reason)),
      issue.resolution_note && h("p", {}, t("Note from the room manager: %(note)s", { note: issue.resolution_note })),
      (issue.messages.length || pendingMessages.length) ? h("ol", { class: "thread", "aria-label": t("Conversation with the room manager") },
        issue.messages.map((m) => h("li", { class: m.author.role === "trainee" ? "mine" : "theirs", "data-role": "message" },
          h("span", { class: "who" }, m.author.role === "trainee" ? t("You") : m.author.name, " · ", formatTime(m.at)),
          h("span", { class: "text", dir: "auto" }, m.text))),
        pendingMessages.map((m) => h("li", { class: "mine pending", "data-role": "pending-message" },
          h("span", { class: "who" }, t("Waiting to send…")), h("span", { class: "text", dir: "auto" }, m.payload.text)))) : null,
      h("div", { class: "actions" },
        issue.state === "resolved" && [action(t("Fixed, thank you"), "issue.confirm", {}, "primary"), action(t("Still broken"), "issue.reopen")],
        open && action(t("Withdraw my problem"), "issue.withdraw"),
        !open && h("button", { type: "button", class: "secondary", "data-key": "another", onclick: () => this.raiseAnother() }, t("Report another problem")))
    );
  }

  raiseAnother() {
    this.raising = true;
    this.render();
    this.refreshDiagnostics();
    this.inputs.category.focus();
  }

  async refreshDiagnostics() {
    if (!this.room || this.currentIssue()) return;
    const removed = new Set(this.diagnostics.filter((d) => d.removed).map((d) => d.key));
    this.diagnostics = (await collectDiagnostics(this.room)).map((d) => ({ ...d, removed: removed.has(d.key) }));
    this.renderDiagnostics();
  }

  renderDiagnostics() {
    const kept = this.diagnostics.filter((d) => !d.removed);
    fill(
      this.diagnosticsRegion,
      h("h3", { id: "sanad-diag-title" }, t("Sent with your problem to help the room manager")),
      kept.length
        ? h("ul", { "aria-labelledby": "sanad-diag-title", "data-role": "diagnostics" },
            kept.map((d) => h("li", { "data-diagnostic": d.key },
              h("span", {}, `${d.label}: `, h("bdi", { dir: d.shown === d.value ? "ltr" : null }, String(d.shown))),
              h("button", { type: "button", class: "remove", "data-key": `remove-${d.key}`, "aria-label": t("Remove: %(item)s", { item: d.label }),
                onclick: () => this.removeDiagnostic(d.key) }, "×"))))
        : h("p", { class: "muted" }, t("Nothing about your device will be sent."))
    );
  }

  removeDiagnostic(key) {
    const index = this.diagnostics.findIndex((d) => d.key === key);
    this.diagnostics[index].removed = true;
    this.renderDiagnostics();
    // Keep the keyboard on the list: the next line's Remove button, else the send button.
    const next = this.diagnostics.slice(index + 1).find((d) => !d.removed) || [...this.diagnostics].reverse().find((d) => !d.removed);
    (next ? this.diagnosticsRegion.querySelector(`[data-key="remove-${next.key}"]`) : this.raiseForm.querySelector('[type="submit"]'))?.focus();
  }

  suggestSoon() {
    clearTimeout(this.suggestTimer);
    this.suggestTimer = setTimeout(() => this.suggest(), 400);
  }

  async suggest() {
    if (!this.suggestionsOffered) return;
    const query = `${categoryLabel(this.inputs.category.value)} ${this.inputs.problem.value}`.trim();
    try {
      const url = `${this.origin}/api/v1/knowledge-base/suggestions?lang=${locale()}&q=${encodeURIComponent(query.slice(0, 500))}`;
      const response = await fetch(url, { credentials: "omit" });
      if (response.status === 404) this.suggestionsOffered = false;
      this.suggestions = response.ok ? (await response.json()).articles : [];
    } catch {
      this.suggestions = [];
    }
    fill(
      this.suggestionsRegion,
      this.suggestions.length > 0 && [
        h("h3", {}, t("These articles may solve it at once")),
        h("ul", { "data-role": "suggestions" }, this.suggestions.map((a) =>
          h("li", {}, h("a", { href: a.url, target: "_blank", rel: "noopener noreferrer" }, a.title)))),
      ]
    );
  }

  async raise() {
    const diagnostics = Object.fromEntries(this.diagnostics.filter((d) => !d.removed).map((d) => [d.key, d.value]));
    const text = this.inputs.problem.value.trim();
    const payload = { category: this.inputs.category.value, diagnostics, ...(text ? { text } : {}) };
    const answer = await this.send("issue.raise", payload);
    if (!answer.ok) return;
    this.raising = false;
    this.inputs.problem.value = "";
    this.diagnostics = [];
    fill(this.suggestionsRegion);
    if (answer.data.existing) this.notices.announce(t("You already have an open problem in this room: here it is."));
    this.render();
  }

  async sendMessage() {
    const text = this.inputs.chat.value.trim();
    const issue = this.currentIssue();
    if (!text || !issue) return;
    this.inputs.chat.value = "";
    await this.send("issue.message", { issue_id: issue.id, text });
  }

  act(event, payload) {
    if (event === "issue.confirm" || event === "issue.withdraw") this.raising = false;
    return this.send(event, payload);
  }

  /** Send through the room's outbox; a refusal is shown (and announced) with the server's words. */
  async send(event, payload) {
    this.error = "";
    const answer = await this.room.send(event, payload);
    if (!answer.ok) {
      this.error = answer.message || t("Something went wrong. Try again.");
      this.notices.announce(this.error);
    }
    this.render();
    return answer;
  }

  // --- questions to the trainer ------------------------------------------------------------------

  buildQuestions() {
    const question = h("textarea", { id: "sanad-question", rows: "3", maxlength: "1000", "data-key": "question", required: true });
    const hideName = h("input", { type: "checkbox", id: "sanad-hide-name", "data-key": "hide-name" });
    this.inputs = { ...this.inputs, question, hideName };
    this.questionsRegion = h("div", { class: "questions" });
    const form = h("form", { class: "ask", onsubmit: (e) => (e.preventDefault(), this.ask()) },
      h("label", { for: "sanad-question" }, t("Your question to the trainer")),
      question,
      h("div", { class: "check" }, hideName, h("label", { for: "sanad-hide-name" }, t("Ask without showing my name"))),
      h("button", { type: "submit", class: "primary" }, t("Send to the trainer")));
    return [form, this.questionsRegion];
  }

  async ask() {
    const text = this.inputs.question.value.trim();
    if (!text) return;
    this.inputs.question.value = "";
    const answer = await this.send("question.ask", { text, hide_name: this.inputs.hideName.checked });
    if (!answer.ok) this.inputs.question.value ||= text;
  }

  renderQuestions() {
    const room = this.room;
    const order = (q) => (q.state === "asked" ? 0 : 1);
    const questions = [...room.questions.values()].sort(
      (a, b) => order(a) - order(b) || b.upvotes - a.upvotes || a.id - b.id
    );
    const upvoting = new Set(room.pending("question.upvote").map((p) => p.payload.question_id));
    const asking = room.pending("question.ask");
    fill(
      this.questionsRegion,
      h("h3", {}, t("Questions in this room")),
      asking.map((p) => h("p", { class: "pending", "data-role": "pending-question" }, t("Waiting to send…"), " ", h("bdi", {}, p.payload.text))),
      questions.length === 0 && !asking.length && h("p", { class: "muted" }, t("No questions yet.")),
      h("ol", { class: "question-list" }, questions.map((q) => {
        const supported = q.upvoted_by_me || upvoting.has(q.id);
        const asker = q.mine ? t("You") : h("bdi", {}, q.asker?.name || t("A trainee"));
        return h("li", { "data-role": "question", "data-question": q.id },
          h("p", { class: "text", dir: "auto" }, q.text),
          h("p", { class: "meta" }, asker, " · ", formatTime(q.asked_at), " · ",
            h("span", { "data-role": "state" }, questionState(q))),
          q.state === "dismissed" && q.dismiss_reason && h("p", { class: "reason" }, t("Reason:"), " ", h("bdi", {}, q.dismiss_reason)),
          q.answer && h("p", { class: "answer", "data-role": "answer" },
            h("strong", {}, t("Answer from %(name)s:", { name: q.answered_by || t("the trainer") })), " ", h("bdi", {}, q.answer)),
          h("button", {
            type: "button",
            class: "upvote",
            "data-key": `upvote-${q.id}`,
            "aria-pressed": String(supported),
            disabled: q.mine || supported || q.state !== "asked",
            "aria-label": t("Support this question (%(count)s so far)", { count: formatNumber(q.upvotes) }),
            onclick: () => this.send("question.upvote", { question_id: q.id }),
          }, "▲ ", formatNumber(q.upvotes + (upvoting.has(q.id) ? 1 : 0))));
      }))
    );
  }

  // --- everything shown ------------------------------------------------------------------------

  render() {
    const room = this.room;
    if (!room) return;
    this.status.textContent = connectionStatus(room);
    this.status.dataset.state = room.status;
    this.ctx.frame.dataset.connection = room.status;
    const session = room.session;
    const centre = this.contactCentre;
    fill(
      this.noticesRegion,
      this.error && h("p", { class: "notice error", role: "alert" }, this.error),
      session && session.state === "scheduled" && h("p", { class: "notice" }, t("The session has not started yet. You can send when the room manager opens it.")),
      session && session.state === "closed" && h("p", { class: "notice" }, t("The session has ended. The support desk follows up what is still open.")),
      session?.state === "open" && room.presence && room.presence.managers === 0 &&
        h("p", { class: "notice warn", "data-role": "manager-offline" }, t("No room manager is online right now. A technical problem you send will go to the contact centre as a ticket.")),
      centre && h("p", { class: "notice", "data-role": "contact-centre" }, centre.headline, centre.detail ? ` ${centre.detail}` : "")
    );
    const focused = this.ctx.root.activeElement;
    this.renderTechnical();
    this.renderQuestions();
    if (!this.raiseForm.hidden && !this.diagnostics.length) this.refreshDiagnostics();
    // A control that just disappeared (a sent form, a used button) hands the focus to the news.
    if (focused && this.panel.contains(focused) && (!focused.isConnected || !focused.checkVisibility())) {
      (this.issueRegion.querySelector("[data-role=issue-state]") || this.heading).focus();
    }
  }
}
