// The widget once loaded: the panel, the room connection and the notices (see loader.js).
import { fill, h } from "./dom.js";
import { direction, locale, setLocale, t, useCatalogue, useTimeZone } from "./i18n.js";
import { Notices, writeSetting } from "./notices.js";
import { QuestionsTab } from "./questions.js";
import { Room } from "./room.js";
import { TechnicalTab } from "./technical.js";
import { connectionStatus, issueStatus, questionState } from "./words.js";

const CONTACT_CENTRE_EVERY_MS = 5 * 60 * 1000;

// Handed to the loader, which takes it off `window` at once (loader.js).
window.SanadWidgetApp = {
  mount(ctx) {
    useCatalogue(ctx.arabic, ctx.config.timeZone);
    setLocale(ctx.locale());
    return new Widget(ctx).api();
  },
};

class Widget {
  constructor(ctx) {
    this.ctx = ctx;
    this.origin = ctx.config.origin;
    this.isOpen = false;
    this.tab = "technical";
    this.error = "";
    this.contactCentre = null;
    this.technicalTab = new TechnicalTab(this);
    this.questionsTab = new QuestionsTab(this);
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
    this.panel?.remove();
    ctx.labelButton();
    this.heading = h("h2", { id: "sanad-title", tabindex: "-1" }, t("Help"));
    this.status = h("p", { class: "status", "data-role": "connection" });
    this.soundButton = h(
      "button",
      {
        type: "button",
        class: "ghost",
        "aria-pressed": String(this.notices.sound),
        onclick: () => this.toggleSound(),
      },
      t("Sound"),
    );
    const other = locale() === "ar" ? "en" : "ar";
    const languageButton = h(
      "button",
      {
        type: "button",
        class: "ghost",
        lang: other,
        "data-key": "language",
        // Named by what it shows (the other language's name); what it does is its description.
        title: t("Switch language"),
        onclick: () => this.setLanguage(other),
      },
      other === "ar" ? "العربية" : "English",
    );
    const closeButton = h(
      "button",
      {
        type: "button",
        class: "ghost close",
        "aria-label": t("Close"),
        onclick: () => this.close(),
      },
      "×",
    );
    this.noticesRegion = h("div", { class: "notices" });
    this.tabs = {
      technical: h(
        "button",
        {
          type: "button",
          role: "tab",
          id: "sanad-tab-technical",
          "aria-controls": "sanad-technical",
        },
        t("Technical problem"),
      ),
      questions: h(
        "button",
        {
          type: "button",
          role: "tab",
          id: "sanad-tab-questions",
          "aria-controls": "sanad-questions",
        },
        t("Question to the trainer"),
      ),
    };
    for (const [name, tab] of Object.entries(this.tabs))
      tab.addEventListener("click", () => this.showTab(name));
    const tablist = h(
      "div",
      { role: "tablist", "aria-label": t("What do you need?"), onkeydown: (e) => this.tabKeys(e) },
      Object.values(this.tabs),
    );
    this.technical = h(
      "div",
      { role: "tabpanel", id: "sanad-technical", "aria-labelledby": "sanad-tab-technical" },
      this.technicalTab.build(),
    );
    this.questions = h(
      "div",
      { role: "tabpanel", id: "sanad-questions", "aria-labelledby": "sanad-tab-questions" },
      this.questionsTab.build(),
    );
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
      h(
        "div",
        { class: "head" },
        this.heading,
        h("div", { class: "tools" }, this.soundButton, languageButton, closeButton),
      ),
      this.status,
      this.noticesRegion,
      tablist,
      this.technical,
      this.questions,
    );
    ctx.frame.insertBefore(this.panel, ctx.button);
    this.showTab(this.tab, false);
  }

  open() {
    this.ctx.keepOnTop(); // the host may have moved the widget's element since
    this.isOpen = true;
    this.panel.hidden = false;
    this.ctx.button.setAttribute("aria-expanded", "true");
    this.ctx.button.removeAttribute("aria-busy");
    this.heading.focus();
    this.markRead();
    if (this.tab === "technical") this.technicalTab.refreshDiagnostics();
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
    if (name === "technical" && this.isOpen) this.technicalTab.refreshDiagnostics();
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
      message: () =>
        t("New message from %(name)s: %(text)s", { name: data.author?.name, text: data.text }),
      issue: () => issueStatus(data),
      question: () => t("Your question: %(state)s", { state: questionState(data) }),
    };
    this.notices.arrived(texts[kind](), this.isOpen && document.visibilityState === "visible");
  }

  async loadContactCentre() {
    try {
      const response = await fetch(`${this.origin}/api/v1/contact-centre?lang=${locale()}`, {
        credentials: "omit",
      });
      this.contactCentre = response.ok ? await response.json() : null;
      // Times in the institute's zone, as Sanad states it, unless the host page gave one.
      if (!this.ctx.config.timeZoneGiven) useTimeZone(this.contactCentre?.time_zone);
    } catch {
      this.contactCentre = null; // no such endpoint on this server, or no network: no notice
    }
    this.render();
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

  // --- everything shown ------------------------------------------------------------------------

  render() {
    const room = this.room;
    if (!room) return;
    this.status.textContent = connectionStatus(room);
    this.status.dataset.state = room.status;
    this.ctx.frame.dataset.connection = room.status;
    const session = room.session;
    const managerOffline = session?.state === "open" && room.presence?.managers === 0;
    // The contact centre's hours matter when the problem is going to it (or may go to it).
    const toDesk =
      managerOffline || session?.state === "closed" || room.currentIssue()?.ticket_number;
    const centre = toDesk && this.contactCentre;
    fill(
      this.noticesRegion,
      this.error && h("p", { class: "notice error", role: "alert" }, this.error),
      session &&
        session.state === "scheduled" &&
        h(
          "p",
          { class: "notice" },
          t("The session has not started yet. You can send when the room manager opens it."),
        ),
      session &&
        session.state === "closed" &&
        h(
          "p",
          { class: "notice" },
          t("The session has ended. The support desk follows up what is still open."),
        ),
      managerOffline &&
        h(
          "p",
          { class: "notice warn", "data-role": "manager-offline" },
          t(
            "No room manager is online right now. A technical problem you send will go to the contact centre as a ticket.",
          ),
        ),
      centre &&
        h(
          "p",
          { class: "notice hours", "data-role": "contact-centre" },
          centre.headline,
          centre.detail ? ` ${centre.detail}` : "",
        ),
    );
    const focused = this.ctx.root.activeElement;
    this.technicalTab.render();
    this.questionsTab.render();
    // A control that just disappeared (a sent form, a used button) hands the focus to the news.
    if (
      focused &&
      this.panel.contains(focused) &&
      (!focused.isConnected || !focused.checkVisibility())
    ) {
      (
        this.technicalTab.issueRegion.querySelector("[data-role=issue-state]") || this.heading
      ).focus();
    }
  }
}
