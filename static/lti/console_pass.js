// An LTI launch hands the console its room pass in the page (no cookie: the page lives in the
// learning platform's iframe, where third-party cookies may be blocked). The console's script
// reads a pass from the address fragment and then removes it: put it there before it runs.
"use strict";
(() => {
  const token = document.currentScript.dataset.token;
  if (token) history.replaceState(null, "", `${location.pathname}#token=${encodeURIComponent(token)}`);
})();
