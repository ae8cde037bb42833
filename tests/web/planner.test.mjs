#!/usr/bin/env node
// The planner page in headless Chromium against a real `shelfcast serve` on a temporary database.
//
//   node tests/web/planner.test.mjs --binary PATH/shelfcast [--web-root DIR] [--out DIR]
//        [--chromium PATH] [--timeout SECONDS] [--keep-tmp]
//
// Generates a small demo data set, creates a planner token, starts the server on a free loopback
// port, and drives the page: token form, forecast drawn by the WebAssembly core, redraw on a new
// selection, #token= links. Fails on any console error or warning, page error, unexpected HTTP
// status >= 400 or request to another origin. Exit 0 when every check passes, 1 otherwise, 2 on
// bad usage; the last line is "N passed, M failed". See tests/web/README.md.

import { spawn, execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const READY_TIMEOUT_MS = 30_000;
const SERVER_START_TIMEOUT_MS = 20_000;
const COMMAND_TIMEOUT_MS = 120_000;

// ---- command line --------------------------------------------------------------------------------

const USAGE = `usage: node tests/web/planner.test.mjs --binary PATH [--web-root DIR] [--out DIR]
                 [--chromium PATH] [--timeout SECONDS] [--keep-tmp]
  --binary     the shelfcast executable (demo, token create, serve)
  --web-root   the staged page: index.html, app.js, style.css, vendor/, lib/
               (default: build/wasm-release/www in the repository)
  --out        where planner.png, planner-token.png, server.log and console.log go
               (default: ./planner-test-out)
  --chromium   Chromium executable (default: $SHELFCAST_CHROMIUM or /usr/bin/chromium)
  --timeout    bound on the whole run in seconds (default: 180)
  --keep-tmp   keep the temporary database directory`;

function parseArgs(argv) {
  const opts = {
    binary: null,
    webRoot: path.join(REPO_ROOT, "build", "wasm-release", "www"),
    out: path.resolve("planner-test-out"),
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
  process.stderr.write(`planner.test: ${message}\n${USAGE}\n`);
  process.exit(2);
}

// ---- reporting -----------------------------------------------------------------------------------

const results = [];

function report(name, ok, detail = "") {
  results.push({ name, ok, detail });
  const line = ok ? `ok      ${name}` : `FAIL    ${name}${detail ? `\n        ${detail.replace(/\n/g, "\n        ")}` : ""}`;
  process.stdout.write(`${line}\n`);
}

class StepFailed extends Error {}

/** Runs one check; a failing check stops the flow (later checks depend on it). */
async function step(name, fn) {
  try {
    await fn();
    report(name, true);
  } catch (err) {
    report(name, false, err && err.message ? err.message : String(err));
    throw new StepFailed(name);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function summarize(notRun) {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed + notRun.length;
  for (const name of notRun) process.stdout.write(`skip    ${name} (not run: an earlier check failed)\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

// ---- processes -----------------------------------------------------------------------------------

function run(binary, args, timeoutMs = COMMAND_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const why = err.killed ? `timed out after ${timeoutMs / 1000} s` : `exit ${err.code ?? err.signal}`;
        reject(new Error(`${path.basename(binary)} ${args.join(" ")}: ${why}\n${tail(stderr || stdout)}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

function tail(text, lines = 15) {
  return String(text || "").trimEnd().split("\n").slice(-lines).join("\n");
}

/** Starts `shelfcast serve --port 0` and resolves to its base URL from "listening on http://...". */
function startServer(binary, args, log) {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  const base = new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      reject(new Error(`no "listening on http://..." line on stdout within ${SERVER_START_TIMEOUT_MS / 1000} s\n${tail(log.join(""))}`));
    }, SERVER_START_TIMEOUT_MS);
    child.stdout.on("data", (chunk) => {
      const text = chunk.toString();
      log.push(text);
      stdout += text;
      const m = /listening on (https?:\/\/[^\s/]+)/i.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr.on("data", (chunk) => log.push(chunk.toString()));
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${binary}: ${err.message}`));
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (${code ?? signal})\n${tail(log.join(""))}`));
    });
  });
  return { child, base };
}

function stopProcess(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function waitForHealth(base) {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
      const body = await response.json().catch(() => null);
      if (response.ok && body && body.status === "ok") return body;
      last = `HTTP ${response.status} ${JSON.stringify(body)}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`GET /api/v1/health did not answer {"status":"ok"} within ${SERVER_START_TIMEOUT_MS / 1000} s (${last})`);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]);
}

// ---- page helpers --------------------------------------------------------------------------------

/** Waits until the page settles (ready/empty/error/token) and fails unless it is `wanted`. */
async function waitForState(page, wanted, what) {
  try {
    await page.waitForFunction(
      (states) => states.includes(document.body.dataset.state),
      ["ready", "empty", "error", "token"],
      { timeout: READY_TIMEOUT_MS, polling: 100 },
    );
  } catch {
    throw new Error(`${what}: page still "${await bodyState(page)}" after ${READY_TIMEOUT_MS / 1000} s`);
  }
  const stateNow = await bodyState(page);
  if (stateNow !== wanted) {
    const message = await page
      .evaluate(() => {
        const shown = (id) => {
          const el = document.getElementById(id);
          return el && el.checkVisibility() ? el.innerText.trim() : "";
        };
        return [shown("message-title"), shown("message-body"), shown("token-error")].filter(Boolean).join(": ");
      })
      .catch(() => "");
    throw new Error(`${what}: expected data-state="${wanted}", got "${stateNow}"${message ? ` — ${message}` : ""}`);
  }
}

function bodyState(page) {
  return page.evaluate(() => document.body.dataset.state).catch(() => "unknown");
}

/** Reads the forecast chart via Chart.getChart and checks its shape and numbers. */
async function checkChart(page, expectedHorizon) {
  const chart = await page.evaluate(() => {
    const canvas = document.querySelector('canvas[data-testid="forecast-chart"]');
    if (!canvas) return { error: "no canvas[data-testid=forecast-chart]" };
    const c = globalThis.Chart && globalThis.Chart.getChart(canvas);
    if (!c) return { error: "Chart.getChart(canvas) returned nothing" };
    const byKey = {};
    for (const ds of c.data.datasets) byKey[ds.key || ds.label] = ds.data;
    return {
      labels: c.data.labels,
      keys: Object.keys(byKey),
      byKey,
      width: canvas.clientWidth,
      height: canvas.clientHeight,
    };
  });
  assert(!chart.error, chart.error);
  assert(chart.width > 200 && chart.height > 200, `chart is ${chart.width}×${chart.height} px`);
  for (const key of ["history", "forecast", "lo80", "hi80", "lo95", "hi95", "promo"]) {
    assert(chart.byKey[key], `no "${key}" dataset (datasets: ${chart.keys.join(", ")})`);
  }
  const { labels, byKey } = chart;
  assert(labels.every((l) => /^\d{4}-\d{2}-\d{2}$/.test(l)), "x labels are not all YYYY-MM-DD");
  const present = (arr) => arr.map((v, i) => [v, i]).filter(([v]) => v !== null && v !== undefined);
  const history = present(byKey.history);
  const forecast = present(byKey.forecast);
  assert(history.length > 0, "no history points");
  assert(forecast.length === expectedHorizon, `forecast has ${forecast.length} points, horizon is ${expectedHorizon}`);
  assert(labels.length === history.length + expectedHorizon,
    `${labels.length} x labels for ${history.length} history weeks + ${expectedHorizon} forecast weeks`);
  assert(forecast[0][1] === history.length, "the forecast does not start right after the history");
  const eps = 1e-9;
  for (const [mean, i] of forecast) {
    const lo80 = byKey.lo80[i];
    const hi80 = byKey.hi80[i];
    const lo95 = byKey.lo95[i];
    const hi95 = byKey.hi95[i];
    const week = labels[i];
    for (const [name, v] of [["mean", mean], ["lo80", lo80], ["hi80", hi80], ["lo95", lo95], ["hi95", hi95]]) {
      assert(typeof v === "number" && Number.isFinite(v), `${week}: ${name} is ${v}`);
    }
    assert(lo80 <= mean + eps && mean <= hi80 + eps, `${week}: 80% interval [${lo80}, ${hi80}] does not hold mean ${mean}`);
    assert(lo95 <= mean + eps && mean <= hi95 + eps, `${week}: 95% interval [${lo95}, ${hi95}] does not hold mean ${mean}`);
    assert(lo95 <= lo80 + eps && hi80 <= hi95 + eps, `${week}: 80% interval is not inside the 95% interval`);
  }
  for (const [v, i] of history) {
    assert(Number.isFinite(v) && v >= 0, `history ${labels[i]}: ${v}`);
  }
  return { historyWeeks: history.length };
}

function renderCount(page) {
  return page.evaluate(() => Number(document.body.dataset.renderCount || 0));
}

/** Changes a select and waits for the chart to be drawn again. */
async function changeAndWait(page, testid, value, what) {
  const before = await renderCount(page);
  await page.selectOption(`[data-testid="${testid}"]`, value);
  try {
    await page.waitForFunction(
      (n) => Number(document.body.dataset.renderCount || 0) > n || document.body.dataset.state === "error"
        || document.body.dataset.state === "empty",
      before,
      { timeout: READY_TIMEOUT_MS, polling: 100 },
    );
  } catch {
    throw new Error(`${what}: no redraw within ${READY_TIMEOUT_MS / 1000} s (state "${await bodyState(page)}")`);
  }
  await waitForState(page, "ready", what);
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
  let phase = "start"; // "bad-token" is the one phase where 401s are expected
  let server = null;
  let browser = null;
  let cleanupDone = null;
  let timedOut = false;

  // Idempotent: every caller waits for the same cleanup, so none exits before the server is gone.
  const cleanup = () => {
    if (!cleanupDone) {
      cleanupDone = (async () => {
        if (server) await stopProcess(server); // first: it must not outlive a hung browser
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
    "the server starts on a fresh demo database",
    "without a token the page asks for one",
    "a rejected token brings the form back with a message",
    "a valid token loads the planner and draws the forecast",
    "the chart holds history, forecast and nested 80%/95% intervals",
    "the model, its version, the explanation and the KPI are shown",
    "the forecast's parts add up to the KPI total",
    "the selectors are labelled and reachable with Tab",
    "changing the product redraws the chart",
    "changing the horizon to 26 weeks forecasts 26 weeks",
    "a #token= link is stored and removed from the address bar",
  ];
  let nextStep = 0;
  const flowStep = (fn) => step(flow[nextStep++], fn);

  let base = null;
  let token = null;
  let page = null;

  const watch = (p, label) => {
    p.on("console", (msg) => {
      const type = msg.type();
      const loc = msg.location();
      const where = loc && loc.url ? ` (${loc.url}${loc.lineNumber ? `:${loc.lineNumber}` : ""})` : "";
      consoleLog.push(`[${label}] ${type}: ${msg.text()}${where}`);
      if (type !== "error" && type !== "warning") return;
      const expected401 = phase === "bad-token" && /status of 401/.test(msg.text())
        && loc && /\/api\/v1\//.test(loc.url || "");
      if (!expected401) problems.console.push(`${type}: ${msg.text()}${where}`);
    });
    p.on("pageerror", (err) => {
      consoleLog.push(`[${label}] pageerror: ${err.message}`);
      problems.pageErrors.push(err.stack || err.message);
    });
    p.on("response", (response) => {
      const status = response.status();
      if (status < 400) return;
      const url = response.url();
      const expected = status === 401 && phase === "bad-token" && new URL(url).pathname.startsWith("/api/v1/");
      if (!expected) problems.http.push(`${status} ${response.request().method()} ${url}`);
    });
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
      for (const file of ["index.html", "app.js", "style.css", "vendor/chart.umd.js", "lib/shelfcast.js", "lib/shelfcast_core.js"]) {
        assert(fs.existsSync(path.join(opts.webRoot, file)), `web root ${opts.webRoot} has no ${file} (build the wasm-release preset)`);
      }
      assert(fs.existsSync(opts.binary), `no binary at ${opts.binary}`);
      await run(opts.binary, ["demo", "--db", db, "--seed", "7", "--stores", "3", "--products", "40",
        "--days", "400", "--customers", "100"]);
      const created = await run(opts.binary, ["token", "create", "--db", db, "--role", "planner", "--name", "web-test"]);
      const lines = created.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
      token = lines[lines.length - 1];
      assert(token && !/\s/.test(token), `token create printed no token as its last line:\n${created.stdout}`);
      const started = startServer(opts.binary, ["serve", "--db", db, "--host", "127.0.0.1", "--port", "0",
        "--web-root", opts.webRoot], serverLog);
      server = started.child;
      base = await started.base;
      await waitForHealth(base);
    });

    browser = await withTimeout(
      chromium.launch({ executablePath: opts.chromium, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 }),
      40_000,
      "launching Chromium",
    );
    const newContext = async () => {
      const context = await browser.newContext({
        viewport: { width: 1360, height: 860 },
        deviceScaleFactor: 1,
        locale: "en-US",
        timezoneId: "UTC",
        serviceWorkers: "block",
      });
      // Everything the page needs is served locally: refuse and record any other origin.
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(`${base}/`) || url === base) return route.continue();
        problems.external.push(url);
        return route.abort("blockedbyclient");
      });
      return context;
    };
    const context = await newContext();
    page = await context.newPage();
    page.setDefaultTimeout(READY_TIMEOUT_MS);
    watch(page, "main");

    await flowStep(async () => {
      phase = "no-token";
      await page.goto(`${base}/`, { waitUntil: "load" });
      await page.locator('[data-testid="token-form"]').waitFor({ state: "visible" });
      await waitForState(page, "token", "page without a token");
      const input = page.getByLabel("API token");
      assert(await input.isVisible(), "no visible input labelled \"API token\"");
      assert(await page.getByRole("button", { name: "Connect" }).isVisible(), "no visible Connect button");
      assert(!(await page.locator("#main").isVisible()), "the planner is visible without a token");
      await page.screenshot({ path: path.join(opts.out, "planner-token.png") });
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
      await page.getByLabel("API token").fill(token);
      await page.getByLabel("API token").press("Enter"); // submit from the keyboard
      await waitForState(page, "ready", "after entering the token");
      phase = "token"; // from here on a 401 is a failure
      const stored = await page.evaluate(() => localStorage.getItem("shelfcast.token"));
      assert(stored === token, "the token was not stored in localStorage['shelfcast.token']");
    });

    let horizon = 0;
    await flowStep(async () => {
      horizon = Number(await page.locator('[data-testid="horizon-select"]').inputValue());
      assert(horizon > 0, `horizon select value is ${horizon}`);
      await checkChart(page, horizon);
    });

    await flowStep(async () => {
      const explanation = (await page.getByTestId("explanation").innerText()).trim();
      assert(explanation.length > 0, "the explanation is empty");
      const model = (await page.getByTestId("model-name").innerText()).trim();
      assert(model && model !== "–", "no model name shown");
      const version = (await page.getByTestId("model-version").innerText()).trim();
      assert(/shelfcast-core/.test(version), `model version is "${version}"`);
      const kpi = (await page.getByTestId("kpi-next4").innerText()).trim();
      assert(/\d/.test(kpi), `next-4-weeks KPI is "${kpi}"`);
    });

    await flowStep(async () => {
      // Each row is a part of the forecast over the KPI weeks; baseline + signed parts = total.
      const rows = await page.locator('[data-testid="forecast-parts"] tr').evaluateAll((trs) =>
        trs.map((tr) => ({ part: tr.dataset.part || "", total: tr.className === "parts-total", text: tr.cells[0] ? tr.cells[0].textContent : "", value: tr.cells[1] ? tr.cells[1].textContent : "" })));
      assert(rows.length >= 2, `parts table has ${rows.length} row(s)`);
      const num = (s) => Number(String(s).replace(/[^0-9.−-]/g, "").replace("−", "-"));
      const total = rows.find((r) => r.total);
      assert(total, "the parts table has no total row");
      const kpi = num(await page.getByTestId("kpi-next4").innerText());
      assert(Math.abs(num(total.value) - kpi) <= 1, `parts total ${total.value} differs from the KPI ${kpi}`);
      const added = rows.filter((r) => !r.total).reduce((s, r) => s + num(r.value), 0);
      // Each shown value is rounded, and parts under half a unit are left out.
      assert(Math.abs(added - num(total.value)) <= rows.length + 1, `parts add up to ${added}, total ${total.value}`);
    });

    await flowStep(async () => {
      for (const label of ["Product", "Store", "Horizon", "Method"]) {
        const tag = await page.getByLabel(label, { exact: true }).evaluate((el) => el.tagName);
        assert(tag === "SELECT", `the control labelled "${label}" is a ${tag}`);
      }
      await page.evaluate(() => document.activeElement && document.activeElement.blur());
      const wanted = new Set(["product-select", "store-select", "horizon-select", "method-select"]);
      for (let i = 0; i < 25 && wanted.size; i += 1) {
        await page.keyboard.press("Tab");
        wanted.delete(await page.evaluate(() => document.activeElement && document.activeElement.id));
      }
      assert(wanted.size === 0, `not reached with Tab: ${[...wanted].join(", ")}`);
    });

    await flowStep(async () => {
      const options = await page.locator('[data-testid="product-select"] option').evaluateAll(
        (els) => els.map((o) => o.value),
      );
      assert(options.length >= 2, `only ${options.length} product(s) to choose from`);
      const current = await page.locator('[data-testid="product-select"]').inputValue();
      const other = options.find((v) => v !== current);
      await changeAndWait(page, "product-select", other, "after changing the product");
      const title = await page.locator("#series-title").innerText();
      assert(title.includes(other), `the chart title "${title}" does not name ${other}`);
      await checkChart(page, horizon);
    });

    await flowStep(async () => {
      await changeAndWait(page, "horizon-select", "26", "after changing the horizon");
      await checkChart(page, 26);
      await changeAndWait(page, "horizon-select", String(horizon), "after changing the horizon back");
    });

    await flowStep(async () => {
      const context2 = await newContext();
      const page2 = await context2.newPage();
      page2.setDefaultTimeout(READY_TIMEOUT_MS);
      watch(page2, "link");
      await page2.goto(`${base}/#token=${encodeURIComponent(token)}`, { waitUntil: "load" });
      await waitForState(page2, "ready", "page opened with #token=");
      const { hash, href, stored } = await page2.evaluate(() => ({
        hash: location.hash,
        href: location.href,
        stored: localStorage.getItem("shelfcast.token"),
      }));
      assert(hash === "" && !href.includes(token), `the token is still in the address bar: ${href}`);
      assert(stored === token, "the #token= value was not stored in localStorage");
      await context2.close();
    });
  } catch (err) {
    if (!(err instanceof StepFailed)) report("the test itself", false, err && err.stack ? err.stack : String(err));
  }

  if (timedOut) return new Promise(() => {}); // the hard stop prints the summary and exits

  // Always: a screenshot of what the page shows now, then the whole-run checks.
  if (page) {
    await page
      .screenshot({ path: path.join(opts.out, "planner.png") })
      .catch((err) => report("screenshot", false, err.message));
  }
  const notRun = flow.slice(nextStep);
  if (page) {
    // Let late console messages and responses arrive before judging them.
    await page.waitForTimeout(250).catch(() => {});
    const clean = (name, list) => report(name, list.length === 0, list.slice(0, 10).join("\n"));
    clean("no console errors or warnings", problems.console);
    clean("no uncaught page errors", problems.pageErrors);
    clean("no unexpected HTTP status >= 400", problems.http);
    clean("no requests to other origins", problems.external);
  }
  clearTimeout(hardStop);
  await cleanup();
  if (page) process.stdout.write(`screenshots: ${path.join(opts.out, "planner.png")}, ${path.join(opts.out, "planner-token.png")}\n`);
  return summarize(notRun);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stdout.write(`FAIL    the test itself\n        ${err && err.stack ? err.stack : err}\n0 passed, 1 failed\n`);
    process.exit(1);
  },
);
