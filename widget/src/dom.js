// A small element builder. Children given as strings become text nodes: user text is never HTML.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "value" || key === "checked") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  el.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

/** Replace a region's content, keeping the keyboard focus on the element with the same data-key. */
export function fill(region, ...nodes) {
  const focused = region.getRootNode().activeElement;
  const key = focused && region.contains(focused) ? focused.dataset.key : null;
  region.replaceChildren(...nodes.flat(Infinity).filter((c) => c != null && c !== false));
  if (key) region.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
}
