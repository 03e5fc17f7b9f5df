// The trainer console: the room's content questions, most-wanted first; answer in text (to the
// asker or the whole room), mark answered live, dismiss with a reason, send to the room manager;
// export the questions after the session.
"use strict";

(() => {
  const { t, el, clean, render, when, send, sendField, chime, count, pass, say } = Sanad;
  const questions = new Map();
  let onlyOpen = false;

  const stateName = (name) =>
    ({
      asked: t("Waiting for an answer"),
      answered: t("Answered"),
      answered_live: t("Answered live"),
      dismissed: t("Dismissed"),
      rerouted: t("Sent to the room manager"),
    })[name] || name;

  function onEvent(event) {
    if (event.type === "question.asked" || event.type === "question.updated") {
      const known = questions.get(event.data.question.id);
      if (known && known.seq > event.seq) return; // an older version arriving late
      questions.set(event.data.question.id, { ...event.data.question, seq: event.seq });
      if (event.type === "question.asked") chime();
      show();
    }
  }

  function onSnapshot(snapshot) {
    questions.clear();
    snapshot.questions.forEach((q) => questions.set(q.id, { ...q, seq: Sanad.room.seq }));
    show();
  }

  function answerForm(question) {
    const key = `question-${question.id}`;
    const text = el("textarea", { "data-key": `${key}-answer`, maxlength: 2000, rows: 2, required: true, "aria-label": t("Answer"), placeholder: t("Answer") });
    const toRoom = el("input", { type: "radio", name: `${key}-to`, value: "room", checked: true, "data-key": `${key}-to-room` });
    const toAsker = el("input", { type: "radio", name: `${key}-to`, value: "asker", "data-key": `${key}-to-asker` });
    return el(
      "form",
      {
        class: "answer-form",
        onsubmit: (submitted) => {
          submitted.preventDefault();
          const audience = toAsker.checked ? "asker" : "room";
          sendField(`${key}-answer`, "question.answer", { question_id: question.id, text: text.value.trim(), audience });
        },
      },
      text,
      el(
        "fieldset",
        {},
        el("legend", { text: t("Answer to") }),
        el("label", { class: "choice" }, toRoom, " ", t("The whole room")),
        el("label", { class: "choice" }, toAsker, " ", t("The asker only")),
      ),
      el("button", { type: "submit", text: t("Send the answer") }),
    );
  }

  function dismissForm(question) {
    const reason = el("input", {
      type: "text",
      "data-key": `question-${question.id}-reason`,
      maxlength: 500,
      required: true,
      "aria-label": t("Reason (the asker sees it)"),
      placeholder: t("Reason (the asker sees it)"),
    });
    return el(
      "form",
      {
        class: "inline-form",
        onsubmit: (submitted) => {
          submitted.preventDefault();
          sendField(`question-${question.id}-reason`, "question.dismiss", { question_id: question.id, reason: reason.value.trim() });
        },
      },
      reason,
      el("button", { type: "submit", class: "secondary", text: t("Dismiss") }),
    );
  }

  function questionCard(question) {
    const asked = question.state === "asked";
    return el(
      "article",
      { class: `card question state-${question.state}`, "data-question": question.id, "aria-labelledby": `question-${question.id}-text` },
      el("p", { class: "votes", "aria-label": t("%(count)s trainees want this answered", { count: question.upvotes }) }, `▲ ${question.upvotes}`),
      el("h3", { id: `question-${question.id}-text`, class: "question-text", dir: "auto", text: clean(question.text) }),
      el(
        "p",
        { class: "muted" },
        t("%(name)s at %(time)s", { name: question.asker.name, time: when(question.asked_at) }),
        question.name_hidden ? " · " + t("name hidden from trainees") : "",
        " · ",
        el("span", { class: "state", text: stateName(question.state) }),
      ),
      question.answer ? el("p", { class: "answer", dir: "auto", text: clean(question.answer) }) : null,
      question.dismiss_reason ? el("p", { class: "muted", dir: "auto", text: clean(question.dismiss_reason) }) : null,
      asked ? answerForm(question) : null,
      asked
        ? el(
            "div",
            { class: "actions" },
            el("button", { type: "button", onclick: () => send("question.answer_live", { question_id: question.id }), text: t("Answered live") }),
            dismissForm(question),
            el("button", {
              type: "button",
              class: "secondary",
              onclick: () => send("question.reroute", { question_id: question.id }),
              text: t("Send to the room manager"),
            }),
          )
        : null,
    );
  }

  function show() {
    const all = [...questions.values()];
    const open = all
      .filter((q) => q.state === "asked")
      .sort((a, b) => b.upvotes - a.upvotes || a.asked_at.localeCompare(b.asked_at) || a.id - b.id);
    const closed = all.filter((q) => q.state !== "asked").sort((a, b) => (b.closed_at || "").localeCompare(a.closed_at || ""));
    render(document.getElementById("open-questions"), () =>
      open.length ? open.map(questionCard) : [el("p", { class: "muted", text: t("No questions waiting.") })],
    );
    render(document.getElementById("closed-questions"), () => (onlyOpen ? [] : closed.map(questionCard)));
    document.getElementById("closed-block").hidden = onlyOpen;
    document.getElementById("waiting-count").textContent = t("%(count)s waiting", { count: open.length });
    count(open.length);
  }

  async function download(unanswered) {
    const room = document.getElementById("console").dataset.room;
    const response = await fetch(`/api/v1/rooms/${encodeURIComponent(room)}/questions.csv${unanswered ? "?unanswered=1" : ""}`, {
      headers: { Authorization: `Bearer ${pass()}` },
    });
    if (!response.ok) {
      say(t("The export failed."), true);
      return;
    }
    const link = el("a", { href: URL.createObjectURL(await response.blob()), download: `questions-${room}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  }

  document.getElementById("export-all").addEventListener("click", () => download(false));
  document.getElementById("export-unanswered").addEventListener("click", () => download(true));
  document.getElementById("only-open").addEventListener("change", (changed) => {
    onlyOpen = changed.target.checked;
    show();
  });
  Sanad.connect({ event: onEvent, snapshot: onSnapshot });
})();
