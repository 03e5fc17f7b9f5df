// The technical-problem tab: raise (category, text, knowledge-base suggestions, diagnostics), then the
// problem's status, queue, claim, chat, fixed / still broken, and its ticket number.
import { collectDiagnostics } from "./diagnostics.js";
import { fill, h, restoreValues, showSending, userText, valuesOf } from "./dom.js";
import { formatNumber, formatTime, locale, t } from "./i18n.js";
import { OPEN_STATES } from "./room.js";
import { categoryLabel, issueStatus, ticketReason, waitText } from "./words.js";

const CATEGORIES = [
  "no_audio",
  "no_video",
  "no_shared_screen",
  "connection_drops",
  "cannot_join",
  "other",
];

export class TechnicalTab {
  constructor(widget) {
    this.widget = widget;
    this.raising = false; // the trainee asked to report another problem after a closed one
    this.diagnostics = [];
    this.suggestions = [];
    this.suggestionsOffered = true; // false once the server says it has no suggestions endpoint
    this.sending = { chat: false, raise: false }; // a form whose text the server has not answered yet
  }

  get room() {
    return this.widget.room;
  }

  build() {
    const values = this.inputs && valuesOf(this.inputs);
    const category = h(
      "select",
      { id: "sanad-category", "data-key": "category", onchange: () => this.suggest() },
      CATEGORIES.map((c) => h("option", { value: c }, categoryLabel(c))),
    );
    const problem = h("textarea", {
      id: "sanad-problem",
      rows: "3",
      maxlength: "2000",
      "data-key": "problem",
      oninput: () => this.suggestSoon(),
    });
    const chat = h("textarea", {
      id: "sanad-chat",
      rows: "2",
      maxlength: "2000",
      "data-key": "chat",
      // Enter sends, Shift+Enter starts a new line (not while an input method composes a word).
      onkeydown: (e) => {
        if (e.key !== "Enter" || e.shiftKey || e.isComposing) return;
        e.preventDefault();
        this.chatForm.requestSubmit();
      },
    });
    this.inputs = { category, problem, chat };
    if (values) restoreValues(this.inputs, values);
    this.issueRegion = h("div", { class: "issue", "data-role": "issue" });
    this.suggestionsRegion = h("div", { class: "suggestions" });
    this.diagnosticsRegion = h("div", { class: "diagnostics" });
    this.raiseSending = h(
      "p",
      { class: "pending", hidden: true },
      t("Waiting for the connection to send your problem…"),
    );
    this.chatForm = h(
      "form",
      { class: "chat", onsubmit: (e) => (e.preventDefault(), this.sendMessage()) },
      h("label", { for: "sanad-chat" }, t("Message to the room manager")),
      chat,
      h("button", { type: "submit", class: "primary" }, t("Send")),
    );
    this.raiseForm = h(
      "form",
      { class: "raise", onsubmit: (e) => (e.preventDefault(), this.raise()) },
      h("label", { for: "sanad-category" }, t("What is wrong?")),
      category,
      h("label", { for: "sanad-problem" }, t("Describe the problem (optional)")),
      problem,
      this.suggestionsRegion,
      this.diagnosticsRegion,
      this.raiseSending,
      h("button", { type: "submit", class: "primary" }, t("Send to the room manager")),
    );
    this.showSending();
    return [this.issueRegion, this.chatForm, this.raiseForm];
  }

  showSending() {
    showSending(this.chatForm, this.sending.chat, t("Sending…"));
    showSending(this.raiseForm, this.sending.raise, t("Sending…"));
  }

  /** One send at a time per form; its text stays until the server has answered yes. */
  async once(form, send) {
    if (this.sending[form]) return null;
    this.sending[form] = true;
    this.showSending();
    try {
      return await send();
    } finally {
      this.sending[form] = false;
      this.showSending();
    }
  }

  currentIssue() {
    const issue = this.room?.currentIssue();
    if (!issue || this.raising) return null;
    return issue;
  }

  render() {
    const room = this.room;
    const issue = this.currentIssue();
    const open = issue && OPEN_STATES.includes(issue.state);
    this.chatForm.hidden = !open;
    this.raiseForm.hidden = Boolean(issue);
    // Shown values are the values sent: collect again whenever the connection's figures change.
    const moment = `${room.status}/${room.reconnects}/${room.rttMs}`;
    if (!issue && this.diagnosticsMoment !== moment) {
      this.diagnosticsMoment = moment;
      this.refreshDiagnostics();
    }
    this.raiseSending.hidden = !room.pending("issue.raise").length;
    if (!issue) return fill(this.issueRegion);
    const place = room.queue.get(issue.id);
    const waiting = open && issue.state !== "claimed" && place;
    const pendingMessages = room
      .pending("issue.message")
      .filter((m) => m.payload.issue_id === issue.id);
    const action = (label, event, extra = {}, kind = "secondary") =>
      h(
        "button",
        {
          type: "button",
          class: kind,
          "data-key": event,
          onclick: () => this.act(event, { issue_id: issue.id, ...extra }),
        },
        label,
      );
    fill(
      this.issueRegion,
      h("h3", {}, t("Your problem")),
      h(
        "p",
        { class: "what" },
        categoryLabel(issue.category),
        issue.text && [": ", userText(issue.text, { class: "text" })],
      ),
      h(
        "p",
        {
          class: `state state-${issue.state}`,
          "data-role": "issue-state",
          "data-key": "issue-state",
          tabindex: "-1",
        },
        issueStatus(issue),
      ),
      waiting &&
        h(
          "dl",
          { class: "queue", "data-role": "queue" },
          h("dt", {}, t("Place in the queue")),
          h("dd", {}, formatNumber(place.position)),
          h("dt", {}, t("Estimated wait")),
          h("dd", {}, waitText(place.estimated_wait_seconds)),
        ),
      issue.ticket_number &&
        h(
          "p",
          { class: "ticket", "data-role": "ticket" },
          t("Ticket number: %(number)s", { number: issue.ticket_number }),
          " ",
          ticketReason(issue.ticket_reason),
        ),
      issue.resolution_note &&
        h("p", {}, t("Note from the room manager:"), " ", userText(issue.resolution_note)),
      issue.messages.length || pendingMessages.length
        ? h(
            "ol",
            { class: "thread", "aria-label": t("Conversation with the room manager") },
            issue.messages.map((m) =>
              h(
                "li",
                { class: m.author.role === "trainee" ? "mine" : "theirs", "data-role": "message" },
                h(
                  "span",
                  { class: "who" },
                  m.author.role === "trainee" ? t("You") : userText(m.author.name),
                  " · ",
                  formatTime(m.at),
                ),
                userText(m.text, { class: "text" }),
              ),
            ),
            pendingMessages.map((m) =>
              h(
                "li",
                { class: "mine pending", "data-role": "pending-message" },
                h("span", { class: "who" }, t("Waiting to send…")),
                userText(m.payload.text, { class: "text" }),
              ),
            ),
          )
        : null,
      h(
        "div",
        { class: "actions" },
        issue.state === "resolved" && [
          action(t("Fixed, thank you"), "issue.confirm", {}, "primary"),
          action(t("Still broken"), "issue.reopen"),
        ],
        open && action(t("Withdraw my problem"), "issue.withdraw"),
        !open &&
          h(
            "button",
            {
              type: "button",
              class: "secondary",
              "data-key": "another",
              onclick: () => this.raiseAnother(),
            },
            t("Report another problem"),
          ),
      ),
    );
  }

  raiseAnother() {
    this.raising = true;
    this.widget.render();
    this.refreshDiagnostics();
    this.inputs.category.focus();
  }

  async refreshDiagnostics() {
    if (!this.room || this.currentIssue()) return;
    const removed = new Set(this.diagnostics.filter((d) => d.removed).map((d) => d.key));
    this.diagnostics = (await collectDiagnostics(this.room)).map((d) => ({
      ...d,
      removed: removed.has(d.key),
    }));
    this.renderDiagnostics();
  }

  renderDiagnostics() {
    // One line until the trainee opens it: in the middle of a class the send button must be in
    // view, and the line still says what goes with the problem.
    const kept = this.diagnostics.filter((d) => !d.removed);
    fill(
      this.diagnosticsRegion,
      h(
        "details",
        // Open as the trainee left it, read from the page: the toggle event comes a moment late.
        { open: this.diagnosticsRegion.querySelector("details")?.open },
        h(
          "summary",
          { id: "sanad-diag-title", "data-key": "diagnostics" },
          t("Sent with your problem to help the room manager (%(count)s)", {
            count: formatNumber(kept.length),
          }),
        ),
        kept.length
          ? h(
              "ul",
              { "aria-labelledby": "sanad-diag-title", "data-role": "diagnostics" },
              kept.map((d) =>
                h(
                  "li",
                  { "data-diagnostic": d.key },
                  h(
                    "span",
                    {},
                    `${d.label}: `,
                    h("bdi", { dir: d.shown === d.value ? "ltr" : null }, String(d.shown)),
                  ),
                  h(
                    "button",
                    {
                      type: "button",
                      class: "remove",
                      "data-key": `remove-${d.key}`,
                      "aria-label": t("Remove: %(item)s", { item: d.label }),
                      onclick: () => this.removeDiagnostic(d.key),
                    },
                    "×",
                  ),
                ),
              ),
            )
          : h("p", { class: "muted" }, t("Nothing about your device will be sent.")),
      ),
    );
  }

  removeDiagnostic(key) {
    const index = this.diagnostics.findIndex((d) => d.key === key);
    this.diagnostics[index].removed = true;
    this.renderDiagnostics();
    // Keep the keyboard on the list: the next line's Remove button, else the send button.
    const next =
      this.diagnostics.slice(index + 1).find((d) => !d.removed) ||
      [...this.diagnostics].reverse().find((d) => !d.removed);
    (next
      ? this.diagnosticsRegion.querySelector(`[data-key="remove-${next.key}"]`)
      : this.raiseForm.querySelector('[type="submit"]')
    )?.focus();
  }

  suggestSoon() {
    clearTimeout(this.suggestTimer);
    this.suggestTimer = setTimeout(() => this.suggest(), 400);
  }

  async suggest() {
    if (!this.suggestionsOffered) return;
    const query =
      `${categoryLabel(this.inputs.category.value)} ${this.inputs.problem.value}`.trim();
    try {
      const url = `${this.widget.origin}/api/v1/knowledge-base/suggestions?lang=${locale()}&q=${encodeURIComponent(query.slice(0, 500))}`;
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
        h(
          "ul",
          { "data-role": "suggestions" },
          this.suggestions.map((a) =>
            h(
              "li",
              {},
              h("a", { href: a.url, target: "_blank", rel: "noopener noreferrer" }, a.title),
            ),
          ),
        ),
      ],
    );
  }

  raise() {
    return this.once("raise", () => this.raiseNow());
  }

  async raiseNow() {
    const diagnostics = Object.fromEntries(
      this.diagnostics.filter((d) => !d.removed).map((d) => [d.key, d.value]),
    );
    const text = this.inputs.problem.value.trim();
    const payload = {
      category: this.inputs.category.value,
      diagnostics,
      ...(text ? { text } : {}),
    };
    const answer = await this.widget.send("issue.raise", payload);
    if (!answer.ok) return;
    this.raising = false;
    this.inputs.problem.value = "";
    this.diagnostics = [];
    fill(this.suggestionsRegion);
    if (answer.data.existing)
      this.widget.notices.announce(t("You already have an open problem in this room: here it is."));
    this.widget.render();
  }

  sendMessage() {
    const text = this.inputs.chat.value.trim();
    const issue = this.currentIssue();
    if (!text || !issue) return null;
    return this.once("chat", async () => {
      const answer = await this.widget.send("issue.message", { issue_id: issue.id, text });
      if (answer.ok) this.inputs.chat.value = "";
      return answer;
    });
  }

  act(event, payload) {
    if (event === "issue.confirm" || event === "issue.withdraw") this.raising = false;
    return this.widget.send(event, payload);
  }
}
