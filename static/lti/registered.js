// LTI Dynamic Registration 1.0, section 3.6: tell the platform that registration is over, so that
// it closes this window (or its iframe) and shows the new tool. On a click: the administrator
// reads first that the registration waits for approval.
"use strict";
(() => {
  const done = () => (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  document.getElementById("lti-close").addEventListener("click", done);
})();
