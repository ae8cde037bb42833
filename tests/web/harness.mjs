// What the web tests and the web bench share: running the shelfcast binary, starting and stopping
// `shelfcast serve` on a free loopback port, the Chromium flags, and ok/FAIL reporting.

import { spawn, execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const SERVER_START_TIMEOUT_MS = 20_000;
export const COMMAND_TIMEOUT_MS = 120_000;

// ---- reporting -----------------------------------------------------------------------------------

export const results = [];

export function report(name, ok, detail = "") {
  results.push({ name, ok, detail });
  const line = ok ? `ok      ${name}` : `FAIL    ${name}${detail ? `\n        ${detail.replace(/\n/g, "\n        ")}` : ""}`;
  process.stdout.write(`${line}\n`);
}

export class StepFailed extends Error {}

/** Runs one check; a failing check stops the flow (later checks depend on it). */
export async function step(name, fn) {
  try {
    await fn();
    report(name, true);
  } catch (err) {
    report(name, false, err && err.message ? err.message : String(err));
    throw new StepFailed(name);
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export function summarize(notRun) {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed + notRun.length;
  for (const name of notRun) process.stdout.write(`skip    ${name} (not run: an earlier check failed)\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

// ---- processes -----------------------------------------------------------------------------------

export function run(binary, args, timeoutMs = COMMAND_TIMEOUT_MS) {
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

export function tail(text, lines = 15) {
  return String(text || "").trimEnd().split("\n").slice(-lines).join("\n");
}

/** Starts `shelfcast serve --port 0` and resolves to its base URL from "listening on http://...". */
export function startServer(binary, args, log) {
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

export function stopProcess(child, graceMs = 5000) {
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

export async function waitForHealth(base) {
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

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]);
}


/** One API call from node with a bearer token -> {status, json (null if not JSON), text}. */
export async function api(base, token, method, route, body) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, json, text };
}
