// A host platform's link carries its token in the fragment, which the server never sees: the
// helpdesk log-in of this browser refused the console, but the token may admit its person.
"use strict";

function openWithHostToken() {
  if (!new URLSearchParams(location.hash.slice(1)).get("token")) return;
  const url = new URL(location.href);
  url.searchParams.set("with", "host-token");
  location.replace(url);
}
openWithHostToken();
addEventListener("hashchange", openWithHostToken); // the link followed from this very page
