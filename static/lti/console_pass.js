// An LTI launch hands the console its room pass in the page (no cookie: the page lives in the
// learning platform's iframe, where third-party cookies may be blocked). The console's script
// reads a pass from the address fragment and then removes it: put it there before it runs.
"use strict";
(() => {
  const token = document.currentScript.dataset.token;
  if (token) history.replaceState(null, "", `${location.pathname}#token=${encodeURIComponent(token)}`);
  // A browser that blocks third-party cookies also refuses storage to this cross-site frame
  // (reading `localStorage` throws): the console's preferences then last as long as the page.
  try {
    void window.localStorage;
  } catch {
    const kept = new Map();
    const storage = {
      getItem: (key) => (kept.has(String(key)) ? kept.get(String(key)) : null),
      setItem: (key, value) => void kept.set(String(key), String(value)),
      removeItem: (key) => void kept.delete(String(key)),
      clear: () => kept.clear(),
      key: (index) => [...kept.keys()][index] ?? null,
      get length() {
        return kept.size;
      },
    };
    Object.defineProperty(window, "localStorage", { value: storage, configurable: true });
  }
})();
