// The Odoo addon's browser glue in headless Chromium, without an Odoo: the four client actions
// (static/src/odoo/client_actions.js) and the loyalty.program field widget
// (static/src/odoo/promo_uplift_field.js) run against a real `shelfcast serve`, with a small
// stand-in for the Odoo side — the addon's proxy route (/shelfcast_planning/api/v1/..., which adds
// the token of the user's role and requires the X-Shelfcast-Client header, as
// controllers/main.py does), the addon's static/lib (the WASM build the wasm build copies there)
// at /shelfcast_planning/static/lib/, and Odoo's own Chart.js path /web/static/lib/Chart/Chart.js.
//
//   node tests/web/addon.test.mjs --binary PATH [--web-root DIR] [--out DIR] [--timeout SECONDS]
//
// --web-root is the WASM build's www/ (for vendor/owl.es.js and the @web/ stand-ins in shims/).
// Exit status: 0 when every check passes, 1 when one fails, 2 on bad usage.

import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

import { REPO_ROOT, api, run, startServer, stopProcess } from "./harness.mjs";

const REPO = REPO_ROOT;
const ADDON = path.join(REPO, "web", "odoo", "shelfcast_planning");
const SRC = path.join(ADDON, "static", "src");
const READY_MS = 60_000;
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

function usage(message) {
  if (message) process.stderr.write(`addon.test.mjs: ${message}\n`);
  process.stderr.write("usage: node tests/web/addon.test.mjs --binary PATH [--web-root DIR] [--out DIR] [--timeout SECONDS]\n");
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { binary: null, webRoot: path.join(REPO, "build", "wasm-release", "www"),
    out: path.resolve("addon-test-out"), timeout: 240 };
  for (let i = 0; i < argv.length; i += 1) {
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${argv[i]} needs a value`));
    if (argv[i] === "--binary") opts.binary = value();
    else if (argv[i] === "--web-root") opts.webRoot = value();
    else if (argv[i] === "--out") opts.out = value();
    else if (argv[i] === "--timeout") opts.timeout = Number(value());
    else usage(`unknown option ${argv[i]}`);
  }
  if (!opts.binary) usage("--binary is required");
  if (!(opts.timeout > 0)) usage("--timeout must be a positive number of seconds");
  return opts;
}

// ---- reporting ----------------------------------------------------------------------------------

let passed = 0;
let failed = 0;
function report(name, ok, detail = "") {
  if (ok) passed += 1;
  else failed += 1;
  process.stdout.write(ok ? `ok      ${name}\n` : `FAIL    ${name}${detail ? `\n        ${detail}` : ""}\n`);
}
async function check(name, fn) {
  try {
    await fn();
    report(name, true);
    return true;
  } catch (err) {
    report(name, false, err && err.message ? err.message.split("\n").slice(0, 6).join("\n        ") : String(err));
    return false;
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// ---- the stand-in for Odoo ----------------------------------------------------------------------

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".wasm": "application/wasm",
  ".html": "text/html", ".json": "application/json" };

function listModules(dir, prefix) {
  const out = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".js")) continue;
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    const rel = path.relative(dir, full).split(path.sep).join("/");
    out[`${prefix}${rel.slice(0, -3)}`] = rel;
  }
  return out;
}

function testPage() {
  const imports = { "@odoo/owl": "/vendor/owl.es.js" };
  for (const [name, rel] of Object.entries(listModules(SRC, "@shelfcast_planning/"))) {
    imports[name] = `/shelfcast_planning/static/src/${rel}`;
  }
  for (const [name, rel] of Object.entries(listModules(path.join(state.webRoot, "shims"), "@"))) {
    imports[name] = `/shims/${rel}`;
  }
  const css = fs.readdirSync(SRC, { recursive: true }).filter((f) => String(f).endsWith(".css"))
    .map((f) => `<link rel="stylesheet" href="/shelfcast_planning/static/src/${String(f).split(path.sep).join("/")}">`).join("");
  // As in Odoo: no Chart.js on the page; the components load Odoo's copy on first use.
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>addon glue</title>
<link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify({ imports })}</script>${css}
<script type="module" src="/test/page.js"></script></head><body data-state="loading"><main id="app"></main></body></html>`;
}

// Mounts a client action (?action=tag) or the uplift widget on a reactive stand-in record
// (?widget=1; window.__record.data.shelfcast_promotion is the field the addon computes).
const PAGE_JS = `
import { App, reactive } from "@odoo/owl";
import { registry } from "@web/core/registry";
import "@shelfcast_planning/odoo/client_actions";
import "@shelfcast_planning/odoo/promo_uplift_field";
const q = new URLSearchParams(location.search);
let Root, props;
if (q.get("action")) {
  Root = registry.category("actions").get(q.get("action"));
  props = { action: { tag: q.get("action"), type: "ir.actions.client" }, actionId: 1 };
} else {
  const field = registry.category("fields").get("shelfcast_promo_uplift");
  window.__record = reactive({ data: { shelfcast_promotion: q.get("value") || false } });
  Root = field.component;
  props = { record: window.__record, name: "shelfcast_promotion", readonly: false, id: "shelfcast_promotion" };
}
try {
  await new App(Root, { props, name: "addon-test", dev: false }).mount(document.getElementById("app"));
  document.body.dataset.state = "ready";
} catch (error) {
  document.body.dataset.state = "error";
  document.body.dataset.error = String(error && error.message);
  throw error;
}
`;

const state = { webRoot: "", base: "", token: "", requests: [] };

function serveFile(res, file) {
  if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("not found");
    return;
  }
  res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream", "Cache-Control": "no-store" });
  fs.createReadStream(file).pipe(res);
}

function inside(root, rel) {
  const full = path.resolve(root, rel);
  return full.startsWith(path.resolve(root) + path.sep) ? full : null;
}

async function proxy(req, res, sub) {
  state.requests.push(`${req.method} ${sub}`);
  if (req.headers["x-shelfcast-client"] !== "1") {
    res.writeHead(400, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ error: { code: "bad_request", message: "missing X-Shelfcast-Client" } }));
    return;
  }
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const upstream = await fetch(`${state.base}/api/v1/${sub}`, {
    method: req.method,
    headers: { Authorization: `Bearer ${state.token}`, Accept: "application/json",
      ...(req.method === "POST" ? { "Content-Type": "application/json" } : {}) },
    body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
  });
  res.writeHead(upstream.status, { "Content-Type": upstream.headers.get("content-type") || "application/json" });
  res.end(Buffer.from(await upstream.arrayBuffer()));
}

function odooStandIn() {
  return http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    const p = decodeURIComponent(url.pathname);
    if (p.startsWith("/shelfcast_planning/api/v1/")) {
      proxy(req, res, p.slice("/shelfcast_planning/api/v1/".length) + url.search).catch((err) => {
        res.writeHead(502, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: { code: "unavailable", message: err.message } }));
      });
      return;
    }
    if (p === "/") {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end(testPage());
    } else if (p === "/test/page.js") {
      res.writeHead(200, { "Content-Type": "text/javascript" });
      res.end(PAGE_JS);
    } else if (p === "/web/static/lib/Chart/Chart.js") {
      serveFile(res, path.join(REPO, "node_modules", "chart.js", "dist", "chart.umd.js"));
    } else if (p.startsWith("/shelfcast_planning/static/")) {
      serveFile(res, inside(path.join(ADDON, "static"), p.slice("/shelfcast_planning/static/".length)));
    } else if (p.startsWith("/vendor/") || p.startsWith("/shims/")) {
      serveFile(res, inside(state.webRoot, p.slice(1)));
    } else {
      serveFile(res, null);
    }
  });
}

// ---- the test -----------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  state.webRoot = path.resolve(opts.webRoot);
  fs.mkdirSync(opts.out, { recursive: true });
  const { chromium } = await import(path.join(REPO, "node_modules", "playwright-core", "index.mjs"));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "shelfcast-addon-"));
  const db = path.join(tmp, "t.db");
  const log = [];
  let server = null;
  let browser = null;
  let odoo = null;
  const problems = [];
  const killer = setTimeout(() => {
    report("the run finishes in time", false, `still running after ${opts.timeout} s`);
    if (server) server.child.kill("SIGKILL");
    process.exit(1);
  }, opts.timeout * 1000);
  try {
    await check("the addon's static/lib holds the WASM build and the web root its stand-ins", async () => {
      for (const f of ["shelfcast_core.js", "shelfcast_core.wasm", "shelfcast.js"]) {
        assert(fs.existsSync(path.join(ADDON, "static", "lib", f)), `static/lib/${f} is missing: build the wasm preset first`);
      }
      for (const f of ["vendor/owl.es.js", "shims/web/core/registry.js", "shims/web/core/assets.js"]) {
        assert(fs.existsSync(path.join(state.webRoot, f)), `${state.webRoot}/${f} is missing`);
      }
    });
    const tokens = {};
    const ready = await check("a demo database, role tokens, a server and a fitted promotion model", async () => {
      await run(opts.binary, ["demo", "--db", db, "--seed", "7", "--stores", "3", "--products", "40",
        "--days", "400", "--customers", "100"]);
      for (const role of ["planner", "approver", "executive"]) {
        const { stdout: out } = await run(opts.binary, ["token", "create", "--db", db, "--role", role, "--name", `addon-${role}`]);
        tokens[role] = out.trim().split("\n").filter(Boolean).pop().trim();
      }
      server = startServer(opts.binary, ["serve", "--db", db, "--host", "127.0.0.1", "--port", "0"], log);
      state.base = await server.base;
      const products = await api(state.base, tokens.planner, "GET", "/api/v1/products");
      assert(products.status === 200, `GET /api/v1/products: ${products.status}`);
      const best = products.json.products[0];
      state.category = best.category_code || best.category;
      state.categoryProducts = products.json.products
        .filter((p) => (p.category_code || p.category) === state.category).map((p) => p.code);
      const fit = await api(state.base, tokens.planner, "POST", "/api/v1/promo/models", { category: state.category });
      assert(fit.status === 201, `POST /api/v1/promo/models ${state.category}: ${fit.status} ${fit.text.slice(0, 200)}`);
    });
    if (!ready) return;

    odoo = odooStandIn();
    await new Promise((resolve) => odoo.listen(0, "127.0.0.1", resolve));
    const site = `http://127.0.0.1:${odoo.address().port}`;
    browser = await chromium.launch({ executablePath: process.env.SHELFCAST_CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS });
    const open = async (role, query) => {
      state.token = tokens[role];
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`[${role} ${query}] console ${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`[${role} ${query}] page error: ${e.message}`));
      page.on("response", (r) => {
        if (r.status() >= 400) problems.push(`[${role} ${query}] HTTP ${r.status()} ${r.url()}`);
      });
      await page.goto(`${site}/?${query}`);
      await page.waitForFunction(() => document.body.dataset.state !== "loading", null, { timeout: READY_MS });
      const err = await page.evaluate(() => document.body.dataset.error);
      assert(!err, `mounting failed: ${err}`);
      return page;
    };
    const viewState = (page, selector, states) => page.waitForFunction(
      ([sel, wanted]) => wanted.includes(document.querySelector(sel)?.dataset.state), [selector, states],
      { timeout: READY_MS, polling: 100 });

    await check("client action shelfcast_planning.explain: the forecast drawn with Odoo's Chart.js path", async () => {
      const page = await open("planner", "action=shelfcast_planning.explain");
      await viewState(page, ".o_shelfcast_action .sc-explain", ["ready"]);
      const chart = await page.evaluate(() => {
        const canvas = document.querySelector('[data-testid="forecast-chart"] canvas');
        const c = canvas && globalThis.Chart && globalThis.Chart.getChart(canvas);
        return c ? c.data.datasets.map((d) => d.key) : null;
      });
      assert(chart && chart.includes("forecast") && chart.some((k) => k.startsWith("part:")), `datasets ${JSON.stringify(chart)}`);
      const version = await page.locator('[data-testid="model-version"]').innerText();
      assert(/^shelfcast-core /.test(version), `model version "${version}"`);
      await page.screenshot({ path: path.join(opts.out, "odoo-explain.png") });
      await page.close();
    });
    await check("client action shelfcast_planning.inbox: an executive reads it without buttons", async () => {
      const page = await open("executive", "action=shelfcast_planning.inbox");
      await viewState(page, ".o_shelfcast_action .sc-inbox", ["ready"]);
      await page.locator('[data-testid="inbox-read-only"]').waitFor({ state: "visible" });
      const buttons = await page.locator('[data-testid="approve"], [data-testid="reject"], [data-testid="exception-act"]').count();
      assert(buttons === 0, `${buttons} action buttons for an executive`);
      await page.close();
    });
    for (const [tag, selector] of [["shelfcast_planning.simulator", '[data-testid="discount-slider"]'],
      ["shelfcast_planning.tradeoff", '[data-testid="tradeoff"]']]) {
      await check(`client action ${tag} mounts its component`, async () => {
        const page = await open("planner", `action=${tag}`);
        await page.locator(`.o_shelfcast_action ${selector}`).first().waitFor({ state: "attached", timeout: READY_MS });
        await page.close();
      });
    }
    await check("every Shelfcast call went through the proxy route with its header", async () => {
      assert(state.requests.length > 0 && state.requests.includes("GET whoami"), `requests: ${state.requests.slice(0, 5)}`);
    });

    await check("the loyalty.program widget simulates the program and again after each edit", async () => {
      const codes = state.categoryProducts.slice(0, 2);
      const spec = (depth, extra = {}) => JSON.stringify({
        name: "Spring", program_type: "promotion", date_from: null, date_to: null, skipped: [],
        promotions: [{ label: "Produce deal", scope: "discounted products", mechanic: "percent_off", depth,
          codes: [...codes, "NOT-IN-SHELFCAST"], products: 3, without_code: 0 }], ...extra });
      const page = await open("planner", `widget=1&value=${encodeURIComponent(spec(0.2))}`);
      const widget = page.locator('[data-testid="promo-uplift"]');
      await viewState(page, '[data-testid="promo-uplift"]', ["ready", "error"]);
      const first = await widget.innerText();
      assert(await widget.getAttribute("data-state") === "ready", `widget: ${first}`);
      const units = async () => (await page.locator(".o_shelfcast_uplift_table tbody td.text-end").first().innerText()).trim();
      const u20 = await units();
      assert(/\d/.test(u20), `no incremental units shown: ${first}`);
      assert(/1 unknown to Shelfcast/.test(first), `the unknown reference is not named: ${first}`);
      const t0 = Date.now();
      await page.evaluate((value) => { window.__record.data.shelfcast_promotion = value; }, spec(0.35));
      await page.waitForFunction((before) => {
        const w = document.querySelector('[data-testid="promo-uplift"]');
        const cell = document.querySelector(".o_shelfcast_uplift_table tbody td.text-end");
        return w.dataset.state === "ready" && cell && cell.innerText.trim() !== before && w.innerText.includes("35%");
      }, u20, { timeout: READY_MS });
      const u35 = await units();
      process.stdout.write(`        20% off: ${u20} incremental units; 35% off: ${u35} (re-simulated in ${Date.now() - t0} ms)\n`);
      await page.screenshot({ path: path.join(opts.out, "odoo-loyalty-uplift.png") });
      await page.evaluate(() => { window.__record.data.shelfcast_promotion = false; });
      await page.waitForFunction(() => !document.querySelector(".o_shelfcast_uplift_table"), null, { timeout: READY_MS });
      await page.close();
    });
    await check("no console errors, page errors or HTTP errors", async () => {
      assert(problems.length === 0, problems.slice(0, 8).join("\n"));
    });
  } finally {
    clearTimeout(killer);
    if (browser) await browser.close().catch(() => {});
    if (odoo) odoo.close();
    if (server) await stopProcess(server.child);
    fs.writeFileSync(path.join(opts.out, "addon-server.log"), log.join(""));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main()
  .catch((err) => report("the test itself", false, err && err.stack ? err.stack : String(err)))
  .finally(() => {
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    process.exit(failed ? 1 : 0);
  });
