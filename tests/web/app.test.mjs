#!/usr/bin/env node
// The standalone app (web/standalone/ mounting the Odoo addon's OWL components) in headless
// Chromium against a real `shelfcast serve` on a temporary database.
//
//   node tests/web/app.test.mjs --binary PATH/shelfcast [--web-root DIR] [--out DIR]
//        [--chromium PATH] [--timeout SECONDS] [--keep-tmp]
//
// Generates a small demo data set, creates planner, approver, executive and admin tokens, fits
// every category's promotion model through the API, and drives the page: token form, the
// promotion simulator (first result, chart, keyboard, slider → KPIs and chart), save and submit
// for approval, the inbox as the planner (no approve on its own submission; the API refuses) and
// as an approver (approve with a comment), the Explain and Trade-off views, an executive's
// read-only view. Screenshots of each view go to --out. Fails on any console error or warning,
// page error, unexpected HTTP status >= 400 or request to another origin. Exit 0 when every check
// passes, 1 otherwise, 2 on bad usage; the last line is "N passed, M failed". See README.md here.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  CHROMIUM_ARGS,
  REPO_ROOT,
  StepFailed,
  api,
  assert,
  report,
  results,
  run,
  startServer,
  step,
  stopProcess,
  summarize,
  waitForHealth,
  withTimeout,
} from "./harness.mjs";

const READY_TIMEOUT_MS = 30_000;

const USAGE = `usage: node tests/web/app.test.mjs --binary PATH [--web-root DIR] [--out DIR]
                 [--chromium PATH] [--timeout SECONDS] [--keep-tmp]
  --binary     the shelfcast executable (demo, token create, serve)
  --web-root   the staged page: index.html, main.js, vendor/, lib/, shelfcast_planning/, shims/
               (default: build/wasm-release/www in the repository)
  --out        where the screenshots (token.png, simulator.png, inbox.png, explain.png,
               tradeoff.png, executive.png, executive-inbox.png), server.log and console.log go (default: ./web-test-out)
  --chromium   Chromium executable (default: $SHELFCAST_CHROMIUM or /usr/bin/chromium)
  --timeout    bound on the whole run in seconds (default: 180)
  --keep-tmp   keep the temporary database directory`;

function parseArgs(argv) {
  const opts = {
    binary: null,
    webRoot: path.join(REPO_ROOT, "build", "wasm-release", "www"),
    out: path.resolve("web-test-out"),
    chromium: process.env.SHELFCAST_CHROMIUM || "/usr/bin/chromium",
    timeoutSeconds: 180,
    keepTmp: false,
  };
  const valueOf = (i) => {
    if (i + 1 >= argv.length) usageError(`${argv[i]} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (arg === "--binary") opts.binary = path.resolve(valueOf(i++));
    else if (arg === "--web-root") opts.webRoot = path.resolve(valueOf(i++));
    else if (arg === "--out") opts.out = path.resolve(valueOf(i++));
    else if (arg === "--chromium") opts.chromium = valueOf(i++);
    else if (arg === "--timeout") {
      opts.timeoutSeconds = Number(valueOf(i++));
      if (!(opts.timeoutSeconds > 0)) usageError("--timeout must be a positive number of seconds");
    } else if (arg === "--keep-tmp") opts.keepTmp = true;
    else usageError(`unknown argument '${arg}'`);
  }
  if (!opts.binary) usageError("--binary is required");
  return opts;
}

function usageError(message) {
  process.stderr.write(`app.test: ${message}\n${USAGE}\n`);
  process.exit(2);
}

// ---- API from node -------------------------------------------------------------------------------

async function createToken(binary, db, role, name) {
  const created = await run(binary, ["token", "create", "--db", db, "--role", role, "--name", name]);
  const lines = created.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
  const token = lines[lines.length - 1];
  assert(token && !/\s/.test(token), `token create printed no token as its last line:\n${created.stdout}`);
  return token;
}

// ---- page helpers --------------------------------------------------------------------------------

function bodyState(page) {
  return page.evaluate(() => document.body.dataset.state).catch(() => "unknown");
}

/** Waits for <body data-state> to settle and fails unless it is `wanted`. */
async function waitForBody(page, wanted, what) {
  try {
    await page.waitForFunction(
      (states) => states.includes(document.body.dataset.state),
      ["ready", "error", "token"],
      { timeout: READY_TIMEOUT_MS, polling: 100 },
    );
  } catch {
    throw new Error(`${what}: page still "${await bodyState(page)}" after ${READY_TIMEOUT_MS / 1000} s`);
  }
  const now = await bodyState(page);
  if (now !== wanted) {
    const message = await page.evaluate(() => {
      const shown = [...document.querySelectorAll('[data-testid="error-message"], #token-error')]
        .filter((e) => e.checkVisibility()).map((e) => e.innerText.trim());
      return shown.join(": ");
    }).catch(() => "");
    throw new Error(`${what}: expected data-state="${wanted}", got "${now}"${message ? ` — ${message}` : ""}`);
  }
}

/** Waits until the element of `selector` has data-state in `settled`; fails unless it is `wanted`. */
async function waitForView(page, selector, wanted, what, settled = ["ready", "error", "empty", "nomodel"]) {
  try {
    await page.waitForFunction(
      ([sel, states]) => {
        const el = document.querySelector(sel);
        return el && states.includes(el.dataset.state);
      },
      [selector, settled],
      { timeout: READY_TIMEOUT_MS, polling: 50 },
    );
  } catch {
    const now = await page.evaluate((sel) => document.querySelector(sel)?.dataset.state, selector).catch(() => "?");
    throw new Error(`${what}: ${selector} still "${now}" after ${READY_TIMEOUT_MS / 1000} s`);
  }
  const now = await page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const error = el.querySelector('[role="alert"]');
    return { state: el.dataset.state, error: error ? error.innerText.trim() : "" };
  }, selector);
  assert(now.state === wanted, `${what}: ${selector} is "${now.state}", expected "${wanted}"${now.error ? ` — ${now.error}` : ""}`);
}

const SIM = '[data-testid="promo-simulator"]';

function simCount(page) {
  return page.evaluate((sel) => Number(document.querySelector(sel)?.dataset.simCount || 0), SIM);
}

async function waitForSimulation(page, after, what) {
  try {
    await page.waitForFunction(
      ([sel, n]) => Number(document.querySelector(sel)?.dataset.simCount || 0) > n,
      [SIM, after],
      { timeout: 10_000, polling: "raf" },
    );
  } catch {
    throw new Error(`${what}: no new simulation within 10 s`);
  }
  // One more frame: OWL patches the DOM in the next animation frame.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** The KPI tiles' text and the simulator chart's data. */
async function simSnapshot(page) {
  return page.evaluate(() => {
    const text = (id) => document.querySelector(`[data-testid="${id}"] .sc-kpi-value`)?.innerText.trim();
    const range = (id) => document.querySelector(`[data-testid="${id}"] .sc-kpi-range`)?.innerText.trim();
    const canvas = document.querySelector('canvas[data-testid="promo-chart"]');
    const chart = canvas && globalThis.Chart && globalThis.Chart.getChart(canvas);
    const data = {};
    if (chart) for (const ds of chart.data.datasets) data[ds.key] = ds.data.slice();
    const box = (sel) => {
      const r = document.querySelector(sel)?.getBoundingClientRect();
      return r ? [r.x, r.y, r.width, r.height].map(Math.round).join(",") : "";
    };
    return {
      units: text("kpi-incremental-units"),
      unitsRange: range("kpi-incremental-units"),
      revenue: text("kpi-revenue"),
      margin: text("kpi-incremental-margin"),
      marginRange: range("kpi-incremental-margin"),
      cover: text("kpi-stock-cover"),
      risk: text("kpi-stockout-risk"),
      explanation: document.querySelector('[data-testid="explanation"]')?.innerText.trim(),
      version: document.querySelector('[data-testid="sim-model-version"]')?.innerText.trim(),
      labels: chart ? chart.data.labels.slice() : null,
      data,
      canvas: canvas ? [canvas.clientWidth, canvas.clientHeight] : null,
      layout: [
        box('[data-testid="kpi-incremental-units"]'),
        box('[data-testid="kpi-incremental-margin"]'),
        box('[data-testid="kpi-stockout-risk"]'),
        box('canvas[data-testid="promo-chart"]'),
        box('[data-testid="explanation"]'),
      ],
    };
  });
}

async function setSlider(page, percent) {
  const before = await simCount(page);
  await page.locator('[data-testid="discount-slider"]').fill(String(percent));
  await waitForSimulation(page, before, `after moving the discount slider to ${percent}%`);
}

async function chartHasData(page, containerSelector) {
  return page.evaluate((sel) => {
    const canvas = document.querySelector(`${sel} canvas`) || document.querySelector(`canvas${sel}`);
    const chart = canvas && globalThis.Chart && globalThis.Chart.getChart(canvas);
    if (!chart) return { ok: false, why: "no Chart.js chart" };
    const points = chart.data.datasets.reduce(
      (n, ds) => n + ds.data.filter((v) => v !== null && v !== undefined).length, 0);
    return { ok: points > 0, why: `${points} points`, width: canvas.clientWidth, height: canvas.clientHeight };
  }, containerSelector);
}

// ---- the test ------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  fs.mkdirSync(opts.out, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "shelfcast-web-"));
  const db = path.join(tmp, "t.db");
  const serverLog = [];
  const consoleLog = [];
  const problems = { console: [], pageErrors: [], http: [], external: [] };
  const shots = [];
  let phase = "start"; // "bad-token" is the one phase where 401s are expected
  let server = null;
  let browser = null;
  let cleanupDone = null;
  let timedOut = false;

  const cleanup = () => {
    if (!cleanupDone) {
      cleanupDone = (async () => {
        if (server) await stopProcess(server);
        if (browser) await withTimeout(browser.close(), 10_000, "closing Chromium").catch(() => {});
        fs.writeFileSync(path.join(opts.out, "server.log"), serverLog.join(""));
        fs.writeFileSync(path.join(opts.out, "console.log"), consoleLog.join("\n") + (consoleLog.length ? "\n" : ""));
        if (!opts.keepTmp) fs.rmSync(tmp, { recursive: true, force: true });
      })();
    }
    return cleanupDone;
  };

  const hardStop = setTimeout(async () => {
    timedOut = true;
    process.stdout.write(`FAIL    the run did not finish within ${opts.timeoutSeconds} s\n`);
    await withTimeout(cleanup(), 15_000, "cleanup").catch(() => {});
    process.stdout.write(`${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed\n`);
    process.exit(1);
  }, opts.timeoutSeconds * 1000);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, async () => {
      await withTimeout(cleanup(), 15_000, "cleanup").catch(() => {});
      process.exit(1);
    });
  }

  const flow = [
    "the server starts on a fresh demo database and every category's promotion model but one is fitted",
    "without a token the page asks for one",
    "a rejected token brings the form back with a message",
    "a planner's token loads the app; the simulator offers to fit the missing model, and fits it",
    "the simulator shows its first simulated result",
    "the simulator's chart holds baseline, promoted units, cannibalization and dip by week",
    "the simulator's controls are labelled and reachable with the keyboard",
    "moving the discount slider changes the KPIs and the chart, and nothing moves on the page",
    "the planner saves the scenario and submits it for approval",
    "the planner has no approve button on its own submission, and the API refuses it",
    "an approver opens a #token= link and approves the submission with a comment",
    "the Explain view draws forecast-chart",
    "the Trade-off view ranks the candidates and the saved scenario on one bubble chart",
    "an executive sees the simulator without a submit button and the inbox read-only",
    "when the WASM core cannot be fetched, the simulator shows an error instead of figures",
  ];
  let nextStep = 0;
  const flowStep = (fn) => step(flow[nextStep++], fn);

  let base = null;
  const tokens = {};
  let page = null;
  let approvalId = null;
  let newContext = null;
  let unfitted = null; // the category whose model the planner fits from the page

  const watch = (p, label) => {
    p.on("console", (msg) => {
      const type = msg.type();
      const loc = msg.location();
      const where = loc && loc.url ? ` (${loc.url}${loc.lineNumber ? `:${loc.lineNumber}` : ""})` : "";
      consoleLog.push(`[${label}] ${type}: ${msg.text()}${where}`);
      if (type !== "error" && type !== "warning") return;
      const expected401 = phase === "bad-token" && /status of 401/.test(msg.text())
        && loc && /\/api\/v1\//.test(loc.url || "");
      const expected404 = phase === "no-model" && /status of 404/.test(msg.text())
        && loc && (loc.url || "").endsWith(`/api/v1/promo/models/${unfitted}`);
      // (the WASM core's own complaints when its module cannot be fetched)
      const expectedNoCore = phase === "no-core" && /wasm|Aborted|preload/i.test(`${msg.text()} ${loc && loc.url}`);
      if (!expected401 && !expected404 && !expectedNoCore) problems.console.push(`[${label}] ${type}: ${msg.text()}${where}`);
    });
    p.on("pageerror", (err) => {
      consoleLog.push(`[${label}] pageerror: ${err.message}`);
      problems.pageErrors.push(`[${label}] ${err.stack || err.message}`);
    });
    p.on("response", (response) => {
      const status = response.status();
      if (status < 400) return;
      const url = response.url();
      const pathname = new URL(url).pathname;
      const expected = (status === 401 && phase === "bad-token" && pathname.startsWith("/api/v1/"))
        || (status === 404 && phase === "no-model" && pathname === `/api/v1/promo/models/${unfitted}`);
      if (!expected) problems.http.push(`[${label}] ${status} ${response.request().method()} ${url}`);
    });
  };

  const shoot = async (p, name) => {
    const file = path.join(opts.out, name);
    await p.screenshot({ path: file, fullPage: true });
    shots.push(file);
  };

  const openPage = async (label, url) => {
    const context = await newContext();
    const p = await context.newPage();
    p.setDefaultTimeout(READY_TIMEOUT_MS);
    watch(p, label);
    await p.goto(url, { waitUntil: "load" });
    return p;
  };

  let chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch (err) {
    report("playwright-core is installed", false, `${err.message}\nrun "npm ci" in ${REPO_ROOT} (scripts/bootstrap does this)`);
    clearTimeout(hardStop);
    await cleanup();
    return summarize(flow);
  }

  try {
    await flowStep(async () => {
      for (const file of ["index.html", "main.js", "style.css", "vendor/chart.umd.js", "vendor/owl.es.js",
        "lib/shelfcast.js", "lib/shelfcast_core.js", "lib/shelfcast_core.wasm",
        "shelfcast_planning/static/src/components/app/shelfcast_app.js", "shims/web/core/assets.js"]) {
        assert(fs.existsSync(path.join(opts.webRoot, file)), `web root ${opts.webRoot} has no ${file} (build the wasm-release preset)`);
      }
      assert(fs.existsSync(opts.binary), `no binary at ${opts.binary}`);
      await run(opts.binary, ["demo", "--db", db, "--seed", "7", "--stores", "3", "--products", "40",
        "--days", "400", "--customers", "100"]);
      for (const role of ["planner", "approver", "executive", "admin"]) {
        tokens[role] = await createToken(opts.binary, db, role, `web-${role}`);
      }
      const started = startServer(opts.binary, ["serve", "--db", db, "--host", "127.0.0.1", "--port", "0",
        "--web-root", opts.webRoot], serverLog);
      server = started.child;
      base = await started.base;
      await waitForHealth(base);
      const products = await api(base, tokens.planner, "GET", "/api/v1/products");
      assert(products.status === 200, `GET /api/v1/products: ${products.status} ${products.text}`);
      // Every category but the best-selling one, which the page opens first: a planner fits that
      // one from the simulator.
      const units = new Map();
      for (const p of products.json.products) {
        if (p.category_code) units.set(p.category_code, (units.get(p.category_code) || 0) + p.units);
      }
      const categories = [...units.entries()].sort((a, b) => b[1] - a[1]).map(([code]) => code);
      assert(categories.length > 1, "the demo data has fewer than two categories");
      unfitted = categories[0];
      for (const category of categories.slice(1)) {
        const fit = await api(base, tokens.planner, "POST", "/api/v1/promo/models", { category });
        assert(fit.status === 201, `POST /api/v1/promo/models ${category}: ${fit.status} ${fit.text}`);
      }
    });

    browser = await withTimeout(
      chromium.launch({ executablePath: opts.chromium, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 }),
      40_000,
      "launching Chromium",
    );
    newContext = async () => {
      const context = await browser.newContext({
        viewport: { width: 1360, height: 900 },
        deviceScaleFactor: 1,
        locale: "en-US",
        timezoneId: "UTC",
        serviceWorkers: "block",
      });
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(`${base}/`) || url === base) return route.continue();
        problems.external.push(url);
        return route.abort("blockedbyclient");
      });
      return context;
    };

    await flowStep(async () => {
      phase = "no-token";
      page = await openPage("planner", `${base}/`);
      await page.locator('[data-testid="token-form"]').waitFor({ state: "visible" });
      await waitForBody(page, "token", "page without a token");
      assert(await page.getByLabel("API token").isVisible(), "no visible input labelled \"API token\"");
      assert(await page.getByRole("button", { name: "Connect" }).isVisible(), "no visible Connect button");
      assert(!(await page.locator('[data-testid="shelfcast-app"]').count()), "the app is mounted without a token");
      await shoot(page, "token.png");
    });

    await flowStep(async () => {
      phase = "bad-token";
      await page.getByLabel("API token").fill("not-a-valid-token");
      await page.getByRole("button", { name: "Connect" }).click();
      await page.waitForFunction(() => {
        const e = document.getElementById("token-error");
        return document.body.dataset.state === "token" && e && !e.hidden && e.textContent.trim() !== "";
      }, null, { timeout: READY_TIMEOUT_MS });
      const stored = await page.evaluate(() => localStorage.getItem("shelfcast.token"));
      assert(stored === null, `a rejected token stayed in localStorage (${stored})`);
    });

    await flowStep(async () => {
      phase = "no-model";
      await page.getByLabel("API token").fill(tokens.planner);
      await page.getByLabel("API token").press("Enter");
      await waitForBody(page, "ready", "after a valid token");
      const stored = await page.evaluate(() => localStorage.getItem("shelfcast.token"));
      assert(stored === tokens.planner, "the token was not stored in localStorage['shelfcast.token']");
      await waitForView(page, SIM, "nomodel", `the simulator on ${unfitted}, which has no model`);
      const selected = await page.locator('[data-testid="category-select"]').inputValue();
      assert(selected === unfitted, `the simulator opened ${selected}, not the best-selling ${unfitted}`);
      await page.locator('[data-testid="fit-model"]').click();
      await waitForView(page, SIM, "ready", "the simulator after fitting the model", ["ready", "error"]);
      phase = "planner";
      const fitted = await api(base, tokens.planner, "GET", `/api/v1/promo/models/${unfitted}`);
      assert(fitted.status === 200 && /web-planner/.test(fitted.json.created_by), `the model of ${unfitted}: ${fitted.status} ${fitted.json && fitted.json.created_by}`);
    });

    await flowStep(async () => {
      const t0 = Date.now();
      await page.reload({ waitUntil: "load" });
      await waitForBody(page, "ready", "after reloading");
      await waitForView(page, SIM, "ready", "the simulator");
      await waitForSimulation(page, 0, "the first simulation");
      const s = await simSnapshot(page);
      process.stdout.write(`        first simulated result ${Date.now() - t0} ms after reloading the page\n`);
      for (const [name, value] of Object.entries({ units: s.units, revenue: s.revenue, margin: s.margin, risk: s.risk })) {
        assert(value && value !== "–", `KPI ${name} shows "${value}"`);
      }
      assert(/P10–P90/.test(s.unitsRange) && /P10–P90/.test(s.marginRange), `no P10–P90 ranges: "${s.unitsRange}", "${s.marginRange}"`);
      // The point figures come first; the Monte Carlo bands follow once the form is still.
      await page.waitForFunction(
        () => !/updating/.test(document.querySelector('[data-testid="kpi-incremental-margin"] .sc-kpi-range')?.innerText ?? "updating"),
        null,
        { timeout: 15000 },
      );
      const banded = await simSnapshot(page);
      assert(/^P10–P90 \S+ to \S+/.test(banded.unitsRange) && /^P10–P90 \S+ to \S+/.test(banded.marginRange), `bands never arrived: "${banded.unitsRange}", "${banded.marginRange}"`);
      assert(/P10–P90/.test(banded.explanation), `the margin sentence quotes no band: "${banded.explanation}"`);
      assert(s.explanation && s.explanation.length > 20, `explanation is "${s.explanation}"`);
      assert(s.version && s.version.includes("promo"), `model version is "${s.version}"`);
      const role = await page.locator('[data-testid="role"]').innerText();
      assert(/planner/i.test(role), `the app names the role "${role}"`);
    });

    await flowStep(async () => {
      const s = await simSnapshot(page);
      assert(s.labels && s.labels.length >= 3, `chart has ${s.labels && s.labels.length} weeks`);
      assert(s.labels.every((l) => /^\d{4}-\d{2}-\d{2}$/.test(l)), "x labels are not all YYYY-MM-DD");
      for (const key of ["baseline", "units", "cannibalized", "dip"]) {
        const d = s.data[key];
        assert(d && d.length === s.labels.length, `dataset "${key}" has ${d && d.length} points for ${s.labels.length} weeks`);
        assert(d.every((v) => typeof v === "number" && Number.isFinite(v)), `dataset "${key}" has a non-finite value`);
      }
      assert(s.data.baseline.every((v) => v >= 0) && s.data.units.every((v) => v >= 0), "negative units");
      assert(s.data.dip.every((v) => v <= 1e-9), "the dip is drawn as a gain");
      assert(s.data.units.some((v, i) => v > s.data.baseline[i]), "no week sells more with the promotion than without");
      assert(s.canvas[0] > 300 && s.canvas[1] > 200, `chart is ${s.canvas.join("×")} px`);
    });

    await flowStep(async () => {
      const unlabelled = await page.evaluate((sel) => {
        const root = document.querySelector(sel);
        return [...root.querySelectorAll("select, input, textarea")]
          .filter((el) => el.checkVisibility() && el.labels.length === 0 && !el.getAttribute("aria-label"))
          .map((el) => el.outerHTML.slice(0, 80));
      }, SIM);
      assert(unlabelled.length === 0, `controls without a label: ${unlabelled.join(" | ")}`);
      await page.getByLabel("Category", { exact: true }).focus();
      let reached = false;
      for (let i = 0; i < 20 && !reached; i += 1) {
        await page.keyboard.press("Tab");
        reached = await page.evaluate(() => document.activeElement?.dataset.testid === "discount-slider");
      }
      assert(reached, "Tab from the category never reaches the discount slider");
      const before = await simCount(page);
      const value = Number(await page.locator('[data-testid="discount-slider"]').inputValue());
      await page.keyboard.press("ArrowRight");
      await waitForSimulation(page, before, "after ArrowRight on the slider");
      const after = Number(await page.locator('[data-testid="discount-slider"]').inputValue());
      assert(after === value + 1, `ArrowRight moved the slider from ${value} to ${after}`);
    });

    await flowStep(async () => {
      await setSlider(page, 10);
      const low = await simSnapshot(page);
      await setSlider(page, 40);
      const high = await simSnapshot(page);
      assert(low.units !== high.units, `incremental units did not change: ${low.units} at 10% and 40%`);
      assert(low.margin !== high.margin, `incremental margin did not change: ${low.margin}`);
      const unitsLow = low.data.units.reduce((a, b) => a + b, 0);
      const unitsHigh = high.data.units.reduce((a, b) => a + b, 0);
      assert(unitsHigh > unitsLow, `the chart's promoted units did not grow with the discount (${unitsLow} → ${unitsHigh})`);
      assert(low.explanation !== high.explanation, "the explanation did not change");
      assert(JSON.stringify(low.layout) === JSON.stringify(high.layout),
        `the layout moved while sliding: ${JSON.stringify(low.layout)} → ${JSON.stringify(high.layout)}`);
    });

    await flowStep(async () => {
      await page.getByLabel("Name", { exact: true }).fill("Web test: 40% off");
      await page.locator('[data-testid="save-scenario"]').click();
      await page.locator('[data-testid="save-status"]').waitFor({ state: "visible" });
      await page.locator('[data-testid="submit-for-approval"]').click();
      const status = page.locator('[data-testid="submission-status"]');
      await status.waitFor({ state: "visible" });
      approvalId = Number(await status.getAttribute("data-approval-id"));
      const shown = await status.getAttribute("data-approval-status");
      assert(approvalId > 0, "no approval id shown after submitting");
      assert(shown === "pending", `a 40% discount came back "${shown}" (the default rule sends > 30% to an approver)`);
      const got = await api(base, tokens.planner, "GET", `/api/v1/approvals/${approvalId}`);
      assert(got.status === 200, `GET /api/v1/approvals/${approvalId}: ${got.status}`);
      const a = got.json.approval || got.json;
      assert(a.kind === "promotion" && a.status === "pending", `stored as ${a.kind}/${a.status}`);
      assert(Math.abs(a.payload.promotion.depth - 0.4) < 1e-9, `stored depth ${a.payload.promotion.depth}`);
      assert(Number.isFinite(a.payload.incremental_margin), "no incremental margin in the payload");
      assert(a.reasons.some((r) => /discount depth/.test(r)), `reasons: ${JSON.stringify(a.reasons)}`);
      await shoot(page, "simulator.png");
    });

    await flowStep(async () => {
      await page.locator('[data-testid="tab-inbox"]').click();
      const row = page.locator(`[data-testid="approval-list"] li[data-approval-id="${approvalId}"]`);
      await row.waitFor({ state: "visible" });
      assert((await row.locator('[data-testid="approve"]').count()) === 0, "the planner sees an approve button on its own submission");
      assert((await row.locator('[data-testid="reject"]').count()) === 0, "the planner sees a reject button on its own submission");
      const refused = await api(base, tokens.planner, "POST", `/api/v1/approvals/${approvalId}/approve`, { comment: "mine" });
      assert(refused.status === 403, `the planner's own approve answered ${refused.status}`);
      // The rule itself, not just the role: an admin may approve, but never its own submission.
      const own = await api(base, tokens.admin, "POST", "/api/v1/approvals", {
        kind: "promotion", title: "admin's own", payload: { product: "x", depth: 0.5, incremental_margin: 1 } });
      assert(own.status === 201, `admin submission: ${own.status} ${own.text}`);
      const ownId = own.json.approvals[0].id;
      const ownApprove = await api(base, tokens.admin, "POST", `/api/v1/approvals/${ownId}/approve`, { comment: "mine" });
      assert(ownApprove.status === 403, `an admin approving its own submission got ${ownApprove.status}`);
    });

    await flowStep(async () => {
      phase = "approver";
      const p2 = await openPage("approver", `${base}/#token=${encodeURIComponent(tokens.approver)}&tab=inbox`);
      await waitForBody(p2, "ready", "approver page");
      const { href, stored } = await p2.evaluate(() => ({ href: location.href, stored: localStorage.getItem("shelfcast.token") }));
      assert(!href.includes(tokens.approver), `the token is still in the address bar: ${href}`);
      assert(stored === tokens.approver, "the #token= value was not stored in localStorage");
      const row = p2.locator(`[data-testid="approval-list"] li[data-approval-id="${approvalId}"]`);
      await row.waitFor({ state: "visible" });
      await row.locator('[data-testid="approval-comment"]').fill("Margin holds up at 40%: approved for the leaflet week.");
      await row.locator('[data-testid="approve"]').click();
      await p2.waitForFunction(
        (id) => document.querySelector(`li[data-approval-id="${id}"]`)?.dataset.status === "approved",
        approvalId, { timeout: READY_TIMEOUT_MS });
      const got = await api(base, tokens.approver, "GET", `/api/v1/approvals/${approvalId}`);
      const a = got.json.approval || got.json;
      assert(a.status === "approved", `the API says ${a.status}`);
      assert(/leaflet week/.test(a.comment || ""), `the comment was not stored: ${JSON.stringify(a.comment)}`);
      assert(/web-approver/.test(a.decided_by || ""), `decided by ${a.decided_by}`);
      await shoot(p2, "inbox.png");
      await p2.context().close();
    });

    await flowStep(async () => {
      phase = "planner";
      await page.locator('[data-testid="tab-explain"]').click();
      await waitForView(page, ".sc-explain", "ready", "the Explain view");
      const chart = await chartHasData(page, '[data-testid="forecast-chart"]');
      assert(chart.ok, `forecast-chart: ${chart.why}`);
      assert(chart.width > 300 && chart.height > 200, `forecast-chart is ${chart.width}×${chart.height} px`);
      await shoot(page, "explain.png");
    });

    await flowStep(async () => {
      await page.locator('[data-testid="tab-tradeoff"]').click();
      await waitForView(page, '[data-testid="tradeoff"]', "ready", "the Trade-off view");
      const view = await page.evaluate(() => {
        const rows = [...document.querySelectorAll('[data-testid="tradeoff-row"]')].map((r) => ({
          rank: Number(r.cells[0].innerText),
          name: r.cells[1].innerText,
          rationale: r.cells[6].innerText,
        }));
        const canvas = document.querySelector('canvas[data-testid="tradeoff-chart"]');
        const chart = globalThis.Chart.getChart(canvas);
        const points = chart.data.datasets.flatMap((ds) => ds.data);
        return { rows, points, type: chart.config.type };
      });
      assert(view.type === "bubble", `the trade-off chart is a ${view.type} chart`);
      assert(view.rows.length >= 4, `${view.rows.length} candidates`);
      assert(view.points.length === view.rows.length, `${view.points.length} bubbles for ${view.rows.length} rows`);
      assert(view.rows.every((r, i) => r.rank === i + 1), "ranks are not 1..n in order");
      assert(view.rows.every((r) => r.rationale.length > 10), "a candidate has no rationale");
      assert(view.rows.some((r) => r.name.includes("Web test: 40% off")), "the saved scenario is not among the candidates");
      assert(view.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.r >= 4), "a bubble is not finite");
      const margins = view.points.map((p) => p.y);
      assert(new Set(margins.map((m) => m.toFixed(2))).size > 1, "every candidate has the same margin");
      await shoot(page, "tradeoff.png");
    });

    await flowStep(async () => {
      phase = "executive";
      const p3 = await openPage("executive", `${base}/#token=${encodeURIComponent(tokens.executive)}`);
      await waitForBody(p3, "ready", "executive page");
      await waitForView(p3, SIM, "ready", "the executive's simulator");
      await waitForSimulation(p3, 0, "the executive's first simulation");
      assert((await p3.locator('[data-testid="submit-for-approval"]').count()) === 0, "an executive sees Submit for approval");
      await shoot(p3, "executive.png");
      await p3.locator('[data-testid="tab-inbox"]').click();
      await p3.locator('[data-testid="inbox-read-only"]').waitFor({ state: "visible" });
      assert((await p3.locator('[data-testid="approve"]').count()) === 0, "an executive sees an approve button");
      await shoot(p3, "executive-inbox.png");
      await p3.context().close();
    });

    await flowStep(async () => {
      // The simulator mounts before the WASM core is in and waits for it with the category's
      // data: a core that cannot load must show as the simulator's error, not a blank page.
      phase = "no-core";
      const context = await newContext();
      await context.route("**/lib/shelfcast_core.wasm", (route) => route.abort("failed"));
      const p4 = await context.newPage();
      p4.setDefaultTimeout(READY_TIMEOUT_MS);
      watch(p4, "no-core");
      await p4.goto(`${base}/#token=${encodeURIComponent(tokens.planner)}`, { waitUntil: "load" });
      await waitForBody(p4, "ready", "page whose WASM core cannot be fetched");
      await waitForView(p4, SIM, "error", "the simulator without its WASM core", ["ready", "error"]);
      const message = await p4.locator(`${SIM} [data-testid="error-message"]`).innerText();
      assert(/simulation engine/.test(message), `the simulator's error says "${message}"`);
      await shoot(p4, "no-core.png");
      await context.close();
    });
  } catch (err) {
    if (!(err instanceof StepFailed)) report("the test itself", false, err && err.stack ? err.stack : String(err));
  }

  if (timedOut) return new Promise(() => {});

  if (page) {
    await page.screenshot({ path: path.join(opts.out, "last.png"), fullPage: true }).catch(() => {});
  }
  const notRun = flow.slice(nextStep);
  if (page) {
    await page.waitForTimeout(250).catch(() => {});
    const clean = (name, list) => report(name, list.length === 0, list.slice(0, 10).join("\n"));
    clean("no console errors or warnings", problems.console);
    clean("no uncaught page errors", problems.pageErrors);
    clean("no unexpected HTTP status >= 400", problems.http);
    clean("no requests to other origins", problems.external);
  }
  clearTimeout(hardStop);
  await cleanup();
  if (shots.length) process.stdout.write(`screenshots: ${shots.join(", ")}\n`);
  return summarize(notRun);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stdout.write(`FAIL    the test itself\n        ${err && err.stack ? err.stack : err}\n0 passed, 1 failed\n`);
    process.exit(1);
  },
);
