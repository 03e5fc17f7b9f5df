// Bidi embedding, override and isolate controls in what people wrote would reorder the text
// around it (a name that flips a sentence, a file name that hides its extension): removed when shown.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
export const clean = (text) => String(text ?? "").replace(BIDI_CONTROLS, "");

/** Text a person wrote: its own direction, isolated from the sentence around it. */
export const userText = (text, props = {}) => h("bdi", { dir: "auto", ...props }, clean(text));

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

/** The values of a form's inputs, to keep them when the panel is rebuilt in another language. */
export function valuesOf(inputs) {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, el]) => [k, el.type === "checkbox" ? el.checked : el.value]),
  );
}

export function restoreValues(inputs, values) {
  for (const [k, value] of Object.entries(values)) {
    if (inputs[k].type === "checkbox") inputs[k].checked = value;
    else inputs[k].value = value;
  }
}

/** A form while its text is on its way: the text kept read-only and the button busy (one send). */
export function showSending(form, sending, busyLabel) {
  for (const field of form.querySelectorAll("textarea, input[type=text]")) field.readOnly = sending;
  const button = form.querySelector('button[type="submit"]');
  button.dataset.label ||= button.textContent;
  button.setAttribute("aria-disabled", String(sending));
  button.toggleAttribute("aria-busy", sending);
  button.textContent = sending ? busyLabel : button.dataset.label;
}
