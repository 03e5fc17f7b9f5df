// The first load: the Help button in its own Shadow DOM. The rest of the widget (the panel and the
// Socket.IO client) is fetched when the page is idle, or at once when the trainee clicks Help.
/* global SANAD_APP_FILE, SANAD_ARABIC */
import { h } from "./dom.js";
import { chooseLocale, direction, locale, setLocale, t, useCatalogue } from "./i18n.js";
import css from "./styles.css";

const LANGUAGE_KEY = "sanad.widget.lang";

// Found now: document.currentScript is only set while this file first runs.
const SCRIPT =
  document.currentScript ||
  [...document.querySelectorAll("script[src]")].find((s) => /\/widget\.js(\?|$)/.test(s.src));

/** The token's claims, read only to choose the language and show the name (the server checks it). */
export function readClaims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

function savedLanguage() {
  try {
    return localStorage.getItem(LANGUAGE_KEY);
  } catch {
    return null; // storage refused by the host (sandboxed iframe, privacy settings)
  }
}

/** The frame in the top layer, at the size the trainee's browser zoom gives (not the host's `zoom`). */
function keepOnTop(host, frame) {
  const place = () => {
    if (!host.isConnected) return;
    if (typeof frame.showPopover === "function" && !frame.matches(":popover-open")) {
      try {
        frame.showPopover();
      } catch {
        // a browser without the top layer for this element: the fixed frame still shows
      }
    }
    // `zoom` on the host's html or body reaches the shadow tree; undo it (CSSOM, allowed by CSP).
    const zoom = host.currentCSSZoom || 1;
    frame.style.zoom = zoom === 1 ? "" : String(1 / zoom);
  };
  place();
  return place;
}

function boot() {
  if (window.Sanad?.version) return; // the tag was placed twice
  const script = SCRIPT;
  const given = { ...(window.SanadConfig || {}) };
  const data = script?.dataset || {};
  const config = {
    token: given.token || data.token || "",
    room: given.room || data.room || null,
    lang: given.lang || data.lang || null,
    timeZone: given.timeZone || data.timeZone || "Asia/Riyadh",
    timeZoneGiven: Boolean(given.timeZone || data.timeZone),
    origin: given.origin || new URL(script?.src || location.href).origin,
  };
  const appUrl = new URL(SANAD_APP_FILE, script?.src || `${config.origin}/static/`).href;
  useCatalogue(SANAD_ARABIC, config.timeZone);
  setLocale(
    chooseLocale(
      savedLanguage(),
      config.lang,
      readClaims(config.token).locale,
      document.documentElement.lang,
    ),
  );

  const host = h("sanad-widget", { "data-sanad": "" });
  const root = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  root.adoptedStyleSheets = [sheet];

  const badge = h("span", { class: "badge", hidden: true, "aria-hidden": "true" });
  const label = h("span", { class: "label" });
  const button = h(
    "button",
    { type: "button", class: "help", "aria-expanded": "false", "aria-haspopup": "dialog" },
    h("span", { class: "icon", "aria-hidden": "true" }, "?"),
    label,
    badge,
  );
  // A manual popover: shown in the browser's top layer, above every host element and outside the
  // host's transforms, filters, containment and overflow, which would otherwise move or clip it.
  const frame = h("div", { class: "frame", part: "frame", popover: "manual" }, button);
  root.append(frame);

  const ctx = {
    config,
    appUrl,
    root,
    host,
    frame,
    button,
    badge,
    arabic: SANAD_ARABIC,
    languageKey: LANGUAGE_KEY,
    labelButton() {
      host.setAttribute("dir", direction());
      frame.setAttribute("dir", direction());
      frame.setAttribute("lang", locale());
      label.textContent = t("Help");
    },
    locale,
    setLocale, // the loader's words (the button) follow the panel's language switch
  };
  ctx.labelButton();

  let app = null;
  let loading = null;
  let openWhenReady = false;
  const load = () => {
    loading ||= new Promise((resolve, reject) => {
      // A classic script (no CORS needed), inside the shadow root so the host's DOM stays untouched.
      const tag = h("script", { src: appUrl, async: true });
      tag.onload = () => resolve(window.SanadWidgetApp);
      tag.onerror = reject;
      root.append(tag);
    }).then((module) => {
      delete window.SanadWidgetApp;
      app = module.mount(ctx);
      if (openWhenReady) app.open();
      return app;
    });
    loading.catch(() => {
      loading = null;
      button.setAttribute("aria-busy", "false");
    });
    return loading;
  };
  button.addEventListener("click", () => {
    if (app) return app.toggle();
    openWhenReady = true;
    button.setAttribute("aria-busy", "true");
    load();
  });

  // The documented JavaScript API of the host page (docs/widget.md).
  const later =
    (method) =>
    (...args) =>
      load().then((a) => a[method](...args));
  window.Sanad = {
    version: 1,
    setToken(token) {
      config.token = String(token || "");
      return app ? app.setToken(config.token) : load().then(() => undefined);
    },
    open: later("open"),
    close: later("close"),
    setLanguage: later("setLanguage"),
  };

  (document.body || document.documentElement).append(host);
  ctx.keepOnTop = keepOnTop(host, frame);
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 1));
  idle(() => load(), { timeout: 3000 });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
