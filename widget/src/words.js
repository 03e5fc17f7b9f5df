// The words for the server's codes and states (each a t() literal, so the catalogue test finds it).
import { formatNumber, t } from "./i18n.js";

export function categoryLabel(category) {
  const labels = {
    no_audio: t("I cannot hear the class"),
    no_video: t("I cannot see the video"),
    no_shared_screen: t("I cannot see the shared screen"),
    connection_drops: t("My connection keeps dropping"),
    cannot_join: t("I cannot join the session"),
    other: t("Something else"),
  };
  return labels[category] || category;
}

export function issueStatus(issue) {
  const name = issue.claimed_by?.name || "";
  const texts = {
    raised: t("Waiting for the room manager"),
    claimed: t("%(name)s is working on it", { name }),
    reopened: t("Reopened: waiting for the room manager"),
    resolved: t("The room manager says it is fixed. Is it fixed for you?"),
    confirmed: t("Fixed. Thank you for confirming."),
    withdrawn: t("You withdrew this problem."),
    escalated: t("Sent to the support desk as a ticket."),
    rerouted: t("Sent to the trainer as a question."),
  };
  return texts[issue.state] || issue.state;
}

export function ticketReason(reason) {
  const texts = {
    manager: t("The room manager passed it to the support desk."),
    unclaimed_timeout: t(
      "No room manager could take it in time, so the support desk will follow it up.",
    ),
    no_manager_online: t("No room manager was online, so the support desk will follow it up."),
    session_ended: t(
      "The session ended before it was solved, so the support desk will follow it up.",
    ),
  };
  return texts[reason] || "";
}

export function questionState(question) {
  const texts = {
    asked: t("Waiting for an answer"),
    answered: t("Answered"),
    answered_live: t("Answered live in the class"),
    dismissed: t("Not answered"),
    rerouted: t("Sent to the room manager as a technical problem"),
  };
  return texts[question.state] || question.state;
}

export function waitText(seconds) {
  if (seconds == null) return t("No estimate yet");
  const minutes = Math.max(1, Math.round(seconds / 60));
  return t("About %(minutes)s min", { minutes: formatNumber(minutes) });
}

export function connectionStatus(room) {
  if (room.status === "online") return t("Connected");
  if (room.status === "connecting") return t("Connecting…");
  if (room.status === "reconnecting")
    return t("Reconnecting… What you send now is kept and sent when the connection is back.");
  const refusals = {
    token_expired: t(
      "Your room pass has expired. The page will give you a new one; if not, reload it.",
    ),
    token_missing: t("The room could not sign you in. Reload the page."),
  };
  return (
    refusals[room.refusal?.code] || room.refusal?.message || t("The room refused the connection.")
  );
}
