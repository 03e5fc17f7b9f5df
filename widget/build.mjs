// Builds the widget into static/ (or the directory given as the first argument).
//
//   widget.js            the loader: Help button, Shadow DOM, styles, Arabic catalogue (first load)
//   widget-app-HASH.js   everything else with the Socket.IO client, loaded when the page is idle
//
// Reproducible: pinned esbuild and socket.io-client (package-lock.json), no timestamps, no paths in the
// output; the same source gives the same bytes (tests/widget/test_build.py checks static/ against it).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.argv[2] || join(here, "..", "static"));
const catalogue = join(here, "..", "classroom_helper", "locale", "ar", "LC_MESSAGES", "widget.po");
const target = ["chrome100", "firefox100", "safari15.4"];

// The Arabic catalogue is bundled (only the messages the source uses), so the widget needs no
// cross-origin request for its words and one script tag is enough.
function arabicMessages() {
  const po = parsePo(readFileSync(catalogue, "utf8"));
  const used = new Set();
  for (const file of sourceFiles(join(here, "src"))) {
    for (const match of readFileSync(file, "utf8").matchAll(/\bt\(\s*"((?:[^"\\]|\\.)*)"/g)) {
      used.add(JSON.parse(`"${match[1]}"`));
    }
  }
  const missing = [...used].filter((id) => !po.get(id));
  if (missing.length) throw new Error(`widget.po has no Arabic for: ${missing.join(" | ")}`);
  return Object.fromEntries([...used].sort().map((id) => [id, po.get(id)]));
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .filter((f) => f.endsWith(".js"));
}

function parsePo(text) {
  const messages = new Map();
  let entry = {};
  let field = null;
  const flush = () => {
    if (entry.msgid && entry.msgstr) messages.set(entry.msgid, entry.msgstr);
    entry = {};
  };
  for (const line of text.split("\n")) {
    const start = line.match(/^(msgid|msgstr) (".*")$/);
    if (start) {
      if (start[1] === "msgid") flush();
      field = start[1];
      entry[field] = JSON.parse(start[2]);
    } else if (line.startsWith('"') && field) {
      entry[field] += JSON.parse(line);
    } else if (!line.trim()) {
      field = null;
    }
  }
  flush();
  return messages;
}

// CSS files are imported as minified text and adopted by the shadow root (not <style>: a strict
// host Content-Security-Policy without 'unsafe-inline' would block that).
const cssAsText = {
  name: "css-as-text",
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const css = await esbuild.transform(readFileSync(args.path, "utf8"), {
        loader: "css",
        minify: true,
        target,
      });
      return { contents: css.code.trim(), loader: "text" };
    });
  },
};

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target,
  platform: "browser",
  write: false,
  charset: "utf8",
  legalComments: "eof",
  logLevel: "warning",
  plugins: [cssAsText],
};

const app = await esbuild.build({
  ...common,
  entryPoints: [join(here, "src", "app.js")],
  // The bundled client's builds carry no licence comment of their own; MIT asks for the notice.
  banner: {
    js: "/*! Sanad widget. Includes socket.io-client, engine.io-client, socket.io-parser, engine.io-parser and @socket.io/component-emitter: MIT licence, (c) Guillermo Rauch and the Socket.IO contributors. */",
  },
});
const appCode = app.outputFiles[0].contents;
const appName = `widget-app-${createHash("sha256").update(appCode).digest("hex").slice(0, 12)}.js`;

const loader = await esbuild.build({
  ...common,
  entryPoints: [join(here, "src", "loader.js")],
  define: {
    SANAD_APP_FILE: JSON.stringify(appName),
    SANAD_ARABIC: JSON.stringify(arabicMessages()),
  },
});

mkdirSync(outDir, { recursive: true });
for (const old of readdirSync(outDir).filter((f) => /^widget-app-[0-9a-f]+\.js$/.test(f))) {
  rmSync(join(outDir, old));
}
writeFileSync(join(outDir, appName), appCode);
writeFileSync(join(outDir, "widget.js"), loader.outputFiles[0].contents);
console.log(`built widget.js and ${appName} in ${outDir}`);
