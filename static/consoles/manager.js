// The room manager console: every technical issue of the room the moment it is raised, with the
// trainee's diagnostics; claim, chat, resolve, turn into a ticket, send to the trainer; incidents.
"use strict";

(() => {
  const { t, el, user, clean, render, when, send, sendField, room, chime, count } = Sanad;
  const issues = new Map();
  const incidents = new Map();
  const OPEN = new Set(["raised", "claimed", "reopened", "resolved"]);

  const category = (name) =>
    ({
      no_audio: t("No audio"),
      no_video: t("No video"),
      no_shared_screen: t("Cannot see the shared screen"),
      connection_drops: t("Connection keeps dropping"),
      cannot_join: t("Cannot log in or reach the session"),
      other: t("Other"),
    })[name] || name;
  const stateName = (name) =>
    ({
      raised: t("Waiting"),
      claimed: t("Being handled"),
      reopened: t("Reopened: still broken"),
      resolved: t("Resolved, waiting for the trainee"),
      confirmed: t("Fixed (confirmed)"),
      withdrawn: t("Withdrawn"),
      escalated: t("Turned into a ticket"),
      rerouted: t("Sent to the trainer"),
    })[name] || name;

  function keep(issue, seq) {
    const known = issues.get(issue.id);
    if (known && known.seq > seq) return; // an older version arriving late
    issues.set(issue.id, { ...issue, seq, messages: issue.messages || known?.messages || [] });
  }

  function onEvent(event) {
    const data = event.data;
    if (event.type === "issue.raised") {
      keep(data.issue, event.seq);
      chime();
    } else if (event.type === "issue.updated") {
      keep(data.issue, event.seq);
    } else if (event.type === "issue.message") {
      const issue = issues.get(data.issue_id);
      if (issue && !issue.messages.some((m) => m.id === data.message.id)) {
        issue.messages.push(data.message);
        issue.messages.sort((a, b) => a.id - b.id);
      }
    } else if (event.type === "incident.updated") {
      const known = incidents.get(data.incident.id);
      if (!known || known.seq < event.seq) incidents.set(data.incident.id, { ...data.incident, seq: event.seq });
    }
    show();
  }

  function onSnapshot(snapshot) {
    issues.clear();
    incidents.clear();
    snapshot.issues.forEach((issue) => keep(issue, room.seq));
    snapshot.incidents.forEach((incident) => incidents.set(incident.id, { ...incident, seq: room.seq }));
    show();
  }

  function onSession() {
    const state = room.session?.state;
    const reopens = state === "closed" && new Date(room.session.scheduled_end) > new Date();
    document.getElementById("open-session").hidden = state !== "scheduled" && !reopens;
    document.getElementById("close-session").hidden = state !== "open";
  }

  // --- drawing -------------------------------------------------------------------------------
  function textForm(key, label, button, onSend, required = true) {
    const input = el("input", { type: "text", "data-key": key, maxlength: 2000, "aria-label": label, placeholder: label, required });
    return el(
      "form",
      {
        class: "inline-form",
        onsubmit: (submitted) => {
          submitted.preventDefault();
          onSend(key, input.value.trim());
        },
      },
      input,
      el("button", { type: "submit", text: button }),
    );
  }

  function incidentCard(incident) {
    const key = `incident-${incident.id}`;
    return el(
      "article",
      { class: "card incident", "aria-labelledby": `${key}-title` },
      el("h3", {
        id: `${key}-title`,
        text: t("%(count)s trainees: %(problem)s", { count: incident.trainees, problem: category(incident.category) }),
      }),
      el("p", { class: "muted", text: t("Since %(time)s", { time: when(incident.opened_at) }) }),
      textForm(`${key}-message`, t("Message to every trainee of this incident"), t("Send to all"), (field, text) =>
        sendField(field, "incident.message", { incident_id: incident.id, text }),
      ),
      textForm(
        `${key}-note`,
        t("Resolution note"),
        t("Resolve all"),
        (field, note) => sendField(field, "incident.resolve", { incident_id: incident.id, note }),
        false,
      ),
    );
  }

  function diagnostics(issue) {
    const entries = Object.entries(issue.diagnostics || {});
    if (!entries.length) return null;
    return el(
      "details",
      {},
      el("summary", { text: t("Diagnostics") }),
      el("dl", {}, entries.map(([name, value]) => [el("dt", {}, user(name)), el("dd", {}, user(String(value)))])),
    );
  }

  function thread(issue) {
    return el(
      "ol",
      { class: "thread", "aria-label": t("Conversation") },
      issue.messages.map((m) =>
        el("li", { class: `from-${m.author.role}` }, el("strong", {}, user(m.author.name), ": "), user(m.text), " ",
          el("time", { class: "muted", datetime: m.at, text: when(m.at) })),
      ),
    );
  }

  function issueCard(issue) {
    const key = `issue-${issue.id}`;
    const live = ["raised", "claimed", "reopened"].includes(issue.state);
    const trainee = issue.trainee;
    const contact = [trainee.email, trainee.phone].filter(Boolean).join(" · ");
    return el(
      "article",
      { class: `card issue state-${issue.state}`, "aria-labelledby": `${key}-title`, "data-issue": issue.id },
      el("h3", { id: `${key}-title` }, `${category(issue.category)} — `, user(trainee.name)),
      el(
        "p",
        { class: "muted" },
        t("Raised at %(time)s", { time: when(issue.raised_at) }),
        " · ",
        el("span", { class: "state", text: stateName(issue.state) }),
        issue.claimed_by ? " · " + t("Handled by %(name)s", { name: issue.claimed_by.name }) : "",
        issue.incident_id ? " · " + t("Part of an incident") : "",
      ),
      contact ? el("p", { class: "muted" }, user(contact)) : null,
      issue.text ? el("p", { class: "issue-text", dir: "auto", text: clean(issue.text) }) : null,
      diagnostics(issue),
      thread(issue),
      issue.ticket_number ? el("p", { class: "ticket", text: t("Ticket %(number)s", { number: issue.ticket_number }) }) : null,
      issue.state === "raised"
        ? el("button", { type: "button", onclick: () => send("issue.claim", { issue_id: issue.id }), text: t("Claim") })
        : null,
      OPEN.has(issue.state)
        ? textForm(`${key}-message`, t("Message to %(name)s", { name: trainee.name }), t("Send"), (field, text) =>
            sendField(field, "issue.message", { issue_id: issue.id, text }),
          )
        : null,
      live
        ? el(
            "div",
            { class: "actions" },
            textForm(`${key}-note`, t("Resolution note"), t("Resolve"), (field, note) => sendField(field, "issue.resolve", { issue_id: issue.id, note }), false),
            el("button", {
              type: "button",
              class: "secondary",
              onclick: () => send("issue.escalate", { issue_id: issue.id }),
              text: t("Turn into a ticket"),
            }),
            el("button", {
              type: "button",
              class: "secondary",
              onclick: () => send("issue.reroute", { issue_id: issue.id }),
              text: t("Send to the trainer"),
            }),
          )
        : null,
    );
  }

  function show() {
    const all = [...issues.values()].sort((a, b) => a.raised_at.localeCompare(b.raised_at) || a.id - b.id);
    const open = all.filter((i) => OPEN.has(i.state));
    const waiting = open.filter((i) => i.state === "raised");
    const closed = all.filter((i) => !OPEN.has(i.state)).reverse();
    const liveIncidents = [...incidents.values()].filter((i) => i.state === "open" && i.open_issues > 0);
    render(document.getElementById("incidents"), () => liveIncidents.map(incidentCard));
    render(document.getElementById("open-issues"), () =>
      open.length ? [...waiting, ...open.filter((i) => i.state !== "raised")].map(issueCard) : [el("p", { class: "muted", text: t("No open issues.") })],
    );
    render(document.getElementById("closed-issues"), () => closed.map(issueCard));
    document.getElementById("waiting-count").textContent = t("%(count)s waiting", { count: waiting.length });
    count(waiting.length);
  }

  document.getElementById("open-session").addEventListener("click", () => send("session.open", {}));
  document.getElementById("close-session").addEventListener("click", () => {
    const question = t("Close the session? Trainees can no longer raise issues or ask questions, and every open issue becomes a helpdesk ticket. You can open it again until its scheduled end, %(end)s.", { end: when(room.session?.scheduled_end) });
    if (confirm(question)) send("session.close", {});
  });
  Sanad.connect({ event: onEvent, snapshot: onSnapshot, session: onSession });
})();
