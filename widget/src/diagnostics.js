// What a technical issue carries about the trainee's set-up, and nothing else (no cookies, no page
// content). Shown before sending; the trainee can remove any line.
import { t } from "./i18n.js";

const LOADED_AT = performance.timeOrigin;

function browserAndSystem(ua) {
  const browser =
    ua.match(/(Edg|OPR|Firefox|Chrome|Version)\/(\d+)/) || ua.match(/(Safari)\/(\d+)/) || [];
  const names = { Edg: "Edge", OPR: "Opera", Version: "Safari" };
  const system =
    [
      [/Windows NT/, "Windows"],
      [/Android/, "Android"],
      [/iPhone|iPad/, "iOS"],
      [/Mac OS X/, "macOS"],
      [/CrOS/, "ChromeOS"],
      [/Linux/, "Linux"],
    ].find(([pattern]) => pattern.test(ua))?.[1] || "";
  return [browser[1] ? `${names[browser[1]] || browser[1]} ${browser[2]}` : "", system];
}

async function permission(name) {
  try {
    return (await navigator.permissions.query({ name })).state;
  } catch {
    return null; // the browser or the host page does not tell
  }
}

/** [{key, label, value}] for the issue's `diagnostics`; values are strings, numbers or null. */
export async function collectDiagnostics(room) {
  const [browser, system] = browserAndSystem(navigator.userAgent);
  const network = navigator.connection;
  const rows = [
    ["browser", t("Browser"), browser],
    ["os", t("Operating system"), system],
    ["screen", t("Screen size"), `${screen.width}×${screen.height}`],
    ["language", t("Browser language"), navigator.language],
    ["network_type", t("Network type"), network?.effectiveType || null],
    ["transport", t("Connection type"), room.transport],
    ["rtt_ms", t("Round-trip time (ms)"), room.rttMs],
    ["reconnects", t("Reconnections"), room.reconnects],
    [
      "since_load_s",
      t("Seconds since the page loaded"),
      Math.round((Date.now() - LOADED_AT) / 1000),
    ],
    ["camera", t("Camera permission"), await permission("camera")],
    ["microphone", t("Microphone permission"), await permission("microphone")],
  ];
  const permissionWords = {
    granted: t("allowed"),
    denied: t("blocked"),
    prompt: t("not asked yet"),
  };
  return rows
    .filter(([, , value]) => value !== null && value !== "" && value !== undefined)
    .map(([key, label, value]) => ({ key, label, value, shown: permissionWords[value] ?? value }));
}
