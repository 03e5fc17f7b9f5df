// The web form suggests knowledge-base articles while the person types its subject and details
// (docs/guidance.md). A file, not an inline script: Sanad's pages allow scripts from /static only.
"use strict";

(() => {
  const form = document.querySelector("form[data-suggest]");
  const region = document.getElementById("suggestions");
  if (!form || !region) return;
  const list = region.querySelector("ul");
  const fields = ["subject", "description"].map((name) => form.elements.namedItem(name));
  const category = form.elements.namedItem("category");
  let timer = null;
  let asked = "";

  async function suggest() {
    const text = fields.map((field) => field?.value || "").join(" ").trim().slice(0, 500);
    const query = new URLSearchParams({ q: text, lang: document.documentElement.lang });
    if (category?.value) query.set("category", category.value);
    if (text.length < 3 || query.toString() === asked) {
      if (text.length < 3) region.hidden = true;
      return;
    }
    asked = query.toString();
    const response = await fetch(`/api/v1/knowledge-base/suggestions?${asked}`).catch(() => null);
    const answer = response?.ok ? await response.json().catch(() => null) : null;
    if (!answer || query.toString() !== asked) return; // the person typed on meanwhile
    list.replaceChildren(
      ...answer.articles.map((article) => {
        const link = document.createElement("a");
        link.href = article.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = article.title;
        const item = document.createElement("li");
        item.append(link);
        return item;
      }),
    );
    region.hidden = answer.articles.length === 0;
  }

  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 300);
  };
  for (const field of [...fields, category]) field?.addEventListener("input", soon);
})();
