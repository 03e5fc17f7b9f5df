// News while the trainee looks elsewhere: the unread badge on the Help button, a count in the
// document title, an optional short sound, and a polite live region for screen readers.
import { formatNumber, t } from "./i18n.js";

const SOUND_KEY = "sanad.widget.sound";

export class Notices {
  constructor({ badge, liveRegion }) {
    this.badge = badge;
    this.liveRegion = liveRegion;
    this.unread = 0;
    this.baseTitle = null;
    this.sound = readSetting(SOUND_KEY) === "on";
    if (this.sound) startAudioAtFirstGesture();
  }

  /** Something new arrived; `seen` is true when the panel is open on a visible page. */
  arrived(text, seen) {
    this.announce(text);
    if (seen) return;
    this.unread += 1;
    this.show();
    if (this.sound) beep();
  }

  announce(text) {
    // A fresh node each time so that assistive technology reads repeated texts again.
    this.liveRegion.replaceChildren(
      Object.assign(document.createElement("p"), { textContent: text }),
    );
  }

  read() {
    if (!this.unread) return;
    this.unread = 0;
    this.show();
  }

  show() {
    const count = this.unread;
    this.badge.hidden = count === 0;
    this.badge.textContent = count ? formatNumber(count) : "";
    const button = this.badge.closest("button");
    button.setAttribute(
      "aria-label",
      count ? t("Help: %(count)s new", { count: formatNumber(count) }) : t("Help"),
    );
    // The host may change its own title meanwhile: keep its latest title under our count.
    const current = document.title.replace(/^\(\d+\) /, "");
    if (this.baseTitle === null || current !== this.baseTitle) this.baseTitle = current;
    document.title = count ? `(${count}) ${this.baseTitle}` : this.baseTitle;
  }

  toggleSound() {
    this.sound = !this.sound;
    writeSetting(SOUND_KEY, this.sound ? "on" : "off");
    if (this.sound) {
      startAudio(); // in the click: a gesture
      beep();
    }
    return this.sound;
  }
}

function readSetting(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeSetting(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage refused by the host page: the choice lasts for this page only
  }
}

// A browser lets a page sound only after a gesture of the person: the AudioContext is made in one
// (the sound toggle, or the first click or key on the page when the choice was remembered), never
// before, which the browser would refuse and warn about.
let audio = null;
function startAudio() {
  try {
    audio ||= new AudioContext();
    if (audio.state === "suspended") audio.resume();
  } catch {
    audio = null; // no audio in this browser or page: the badge and the title still tell
  }
}

function startAudioAtFirstGesture() {
  for (const gesture of ["pointerdown", "keydown"]) {
    document.addEventListener(gesture, startAudio, { once: true, capture: true, passive: true });
  }
}

function beep() {
  if (audio?.state !== "running") return;
  try {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.25);
  } catch {
    // no audio in this browser or page: the badge and the title still tell
  }
}
