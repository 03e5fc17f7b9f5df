// The helpdesk console, live: when a ticket changes, the queue or the ticket page reloads itself
// (unless the agent is typing; then a notice says so). Saved replies fill the reply box.
(function () {
  "use strict";
  var catalogue = {};
  var t = function (text) { return catalogue[text] || text; };
  var lang = document.documentElement.lang || "ar";
  var status = document.getElementById("live-status");
  fetch("/i18n/" + lang + ".json").then(function (r) { return r.json(); }).then(function (c) {
    catalogue = c;
    // the socket may have connected first: say its status again, now in the reader's language
    if (status && status.textContent) { status.textContent = t(status.textContent); }
  });
  var queue = document.querySelector("[data-live=queue]");
  var ticketPage = document.querySelector("[data-live=ticket]");

  var saved = document.getElementById("saved-reply");
  if (saved) {
    saved.addEventListener("change", function () {
      var reply = document.getElementById("reply");
      if (saved.value) { reply.value = saved.value; reply.focus(); }
    });
  }

  function typing() {
    return Array.prototype.some.call(document.querySelectorAll("textarea, input[type=text], input:not([type])"),
      function (field) { return field.value.trim() !== "" && field.name !== "q"; });
  }

  function changed(event) {
    var mine = queue || (ticketPage && ticketPage.dataset.number === event.number);
    if (!mine) { return; }
    if (typing()) {
      status.textContent = t("This page has changed. Reload it when you are done.");
    } else {
      window.location.reload();
    }
  }

  if (typeof io === "undefined" || (!queue && !ticketPage)) { return; }
  var socket = io("/console", { transports: ["websocket"] });
  socket.on("connect", function () {
    socket.emit("console.follow"); // the server sends ticket changes from then on
    status.textContent = t("Live");
  });
  socket.on("disconnect", function () { status.textContent = t("Reconnecting…"); });
  socket.on("ticket_changed", changed);
})();
