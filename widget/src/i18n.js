import { clean } from "./dom.js";

// Words and formats. Message ids are English; Arabic comes from widget.po (bundled by build.mjs).
const state = { locale: "ar", arabic: {}, timeZone: "Asia/Riyadh" };

export const LOCALES = ["ar", "en"];

/** The institute's time zone (the host page's, when it gives one). */
export function useTimeZone(timeZone) {
  if (timeZone) state.timeZone = timeZone;
}

export function useCatalogue(arabic, timeZone) {
  state.arabic = arabic;
  if (timeZone) state.timeZone = timeZone;
}

export function setLocale(locale) {
  state.locale = LOCALES.includes(locale) ? locale : "ar";
}

export const locale = () => state.locale;
export const direction = () => (state.locale === "ar" ? "rtl" : "ltr");

/** t(id, {name: value}): the message in the current language, parameters filled in. */
export function t(id, params = {}) {
  const text = (state.locale === "ar" && state.arabic[id]) || id;
  return text.replace(/%\((\w+)\)s/g, (_, name) => clean(params[name]));
}

export function formatNumber(n) {
  return new Intl.NumberFormat(state.locale).format(n);
}

export function formatTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(state.locale, {
    hour: "numeric",
    minute: "2-digit",
    timeZone: state.timeZone,
  }).format(new Date(iso));
}

/** The language: the trainee's own choice, else the token's locale, else the host page's lang. */
export function chooseLocale(...candidates) {
  for (const candidate of candidates) {
    const short = String(candidate || "")
      .slice(0, 2)
      .toLowerCase();
    if (LOCALES.includes(short)) return short;
  }
  return "ar";
}
