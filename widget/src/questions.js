// The questions tab: ask the trainer (optionally without one's name), the room's questions, upvotes,
// answers (to the room or to the asker alone) and the reasons for questions not answered.
import { fill, h, restoreValues, showSending, userText, valuesOf } from "./dom.js";
import { formatNumber, formatTime, t } from "./i18n.js";
import { questionState } from "./words.js";

export class QuestionsTab {
  constructor(widget) {
    this.widget = widget;
    this.sending = false; // the question is on its way: kept in the box, the button busy
  }

  get room() {
    return this.widget.room;
  }

  build() {
    const values = this.inputs && valuesOf(this.inputs);
    const question = h("textarea", {
      id: "sanad-question",
      rows: "3",
      maxlength: "1000",
      "data-key": "question",
      required: true,
    });
    const hideName = h("input", {
      type: "checkbox",
      id: "sanad-hide-name",
      "data-key": "hide-name",
    });
    this.inputs = { question, hideName };
    if (values) restoreValues(this.inputs, values);
    this.questionsRegion = h("div", { class: "questions" });
    this.form = h(
      "form",
      { class: "ask", onsubmit: (e) => (e.preventDefault(), this.ask()) },
      h("label", { for: "sanad-question" }, t("Your question to the trainer")),
      question,
      h(
        "div",
        { class: "check" },
        hideName,
        h("label", { for: "sanad-hide-name" }, t("Ask without showing my name")),
      ),
      h("button", { type: "submit", class: "primary" }, t("Send to the trainer")),
    );
    showSending(this.form, this.sending, t("Sending…"));
    return [this.form, this.questionsRegion];
  }

  async ask() {
    const text = this.inputs.question.value.trim();
    if (!text || this.sending) return;
    this.sending = true;
    showSending(this.form, true, t("Sending…"));
    try {
      const answer = await this.widget.send("question.ask", {
        text,
        hide_name: this.inputs.hideName.checked,
      });
      if (answer.ok) this.inputs.question.value = "";
    } finally {
      this.sending = false;
      showSending(this.form, false, t("Sending…"));
    }
  }

  render() {
    const room = this.room;
    const order = (q) => (q.state === "asked" ? 0 : 1);
    const questions = [...room.questions.values()].sort(
      (a, b) => order(a) - order(b) || b.upvotes - a.upvotes || a.id - b.id,
    );
    const upvoting = new Set(room.pending("question.upvote").map((p) => p.payload.question_id));
    const asking = room.pending("question.ask");
    fill(
      this.questionsRegion,
      h("h3", {}, t("Questions in this room")),
      asking.map((p) =>
        h(
          "p",
          { class: "pending", "data-role": "pending-question" },
          t("Waiting to send…"),
          " ",
          userText(p.payload.text),
        ),
      ),
      questions.length === 0 &&
        !asking.length &&
        h("p", { class: "muted" }, t("No questions yet.")),
      h(
        "ol",
        { class: "question-list" },
        questions.map((q) => {
          const supported = q.upvoted_by_me || upvoting.has(q.id);
          const asker = q.mine ? t("You") : q.asker?.name ? userText(q.asker.name) : t("A trainee");
          return h(
            "li",
            { "data-role": "question", "data-question": q.id },
            h("p", { class: "text" }, userText(q.text)),
            h(
              "p",
              { class: "meta" },
              asker,
              " · ",
              formatTime(q.asked_at),
              " · ",
              h("span", { "data-role": "state" }, questionState(q)),
            ),
            q.state === "dismissed" &&
              q.dismiss_reason &&
              h("p", { class: "reason" }, t("Reason:"), " ", userText(q.dismiss_reason)),
            q.answer &&
              h(
                "p",
                { class: "answer", "data-role": "answer" },
                h(
                  "strong",
                  {},
                  t("Answer from %(name)s:", { name: q.answered_by || t("the trainer") }),
                ),
                " ",
                userText(q.answer),
              ),
            h(
              "button",
              {
                type: "button",
                class: "upvote",
                "data-key": `upvote-${q.id}`,
                "aria-pressed": String(supported),
                disabled: q.mine || supported || q.state !== "asked",
                onclick: () => this.widget.send("question.upvote", { question_id: q.id }),
              },
              // The name contains what is seen (the count), as speech input users say it.
              h("span", { "aria-hidden": "true" }, "▲ "),
              h("span", { class: "sr-only" }, t("Support this question, trainees so far:"), " "),
              formatNumber(q.upvotes + (upvoting.has(q.id) ? 1 : 0)),
            ),
          );
        }),
      ),
    );
  }
}
