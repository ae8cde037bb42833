// Shelfcast planner page: picks a product and store, fetches the weekly series from the REST API,
// forecasts it in the browser with the WebAssembly core and draws it with Chart.js.
//
// Test hooks (tests/web/README.md): <body data-state> is "token" (asking for a token), "loading",
// "ready" (chart drawn), "empty" (no history to forecast) or "error"; <body data-render-count>
// counts completed chart draws; elements that tests drive carry data-testid.

const TOKEN_KEY = "shelfcast.token";
const SEASON_LENGTH_WEEKS = 52;
const KPI_WEEKS = 4;
const LEVELS = [80, 95];
const HORIZONS = ["13", "26", "52"];
const METHODS = ["auto", "ets", "regression", "ses", "snaive"];

const MODEL_NAMES = {
  SES: "Simple exponential smoothing",
  SNaive: "Seasonal naive",
  Naive: "Naive (last value)",
  Mean: "Historical mean",
  "ETS-Regression": "Retail regression",
  "Mean-Regression": "Retail regression (too little history: priors)",
  Constant: "Constant",
  SBA: "Intermittent demand (SBA)",
  Croston: "Intermittent demand (Croston)",
  TSB: "Intermittent demand (TSB)",
  Drift: "Random walk with drift",
};

// The parts a forecast is made of (the core's components), in the words a planner uses.
const PART_NAMES = {
  level_trend: "Baseline (level and trend)",
  level: "Baseline (level)",
  seasonal: "Season",
  seasonal_naive: "Same weeks last season",
  demand_rate: "Average demand rate",
  price: "Price",
  promotion: "Promotions",
  holiday: "Holidays",
  floor_at_zero: "Floor at zero",
};

// The fitted effects of the retail regression, with how to read them.
const DRIVER_NAMES = {
  price_elasticity: "price elasticity",
  promo_lift_per_depth: "extra promotion lift per 100% depth",
  feature_log_lift: "feature lift",
  display_log_lift: "display lift",
  holiday_log_lift: "holiday lift",
};

const COLORS = {
  history: "#334155",
  forecast: "#1d4ed8",
  band80: "rgba(37, 99, 235, 0.28)",
  band95: "rgba(37, 99, 235, 0.12)",
  promo: "#d97706",
  fitted: "#94a3b8",
  grid: "#e2e8f0",
  text: "#475569",
  divider: "#94a3b8",
};

// ---- small helpers ------------------------------------------------------------------------------

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`planner: missing element #${id}`);
  return el;
};

const locale = navigator.language || "en-US";
const fmtInt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const fmtOne = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
const fmtPrice = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const fmtPct = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
const fmtSignedPct = new Intl.NumberFormat(locale, {
  style: "percent",
  maximumFractionDigits: 0,
  signDisplay: "exceptZero",
});
const fmtParam = new Intl.NumberFormat(locale, { maximumSignificantDigits: 3 });

/** Units for humans: thousands separators, one decimal only for small numbers. */
function fmtUnits(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return Math.abs(value) < 10 ? fmtOne.format(value) : fmtInt.format(value);
}

const DAY_MS = 86400000;

/** "YYYY-MM-DD" → UTC milliseconds, or NaN. */
function parseDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text));
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
}

function formatDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function sum(values) {
  return values.reduce((acc, v) => acc + v, 0);
}

function isPromoWeek(point) {
  return Number(point.promo_depth) > 0 || point.feature === true || point.display === true;
}

function describePromo(point) {
  const parts = [];
  if (Number(point.promo_depth) > 0) parts.push(`${fmtPct.format(point.promo_depth)} off`);
  if (point.feature) parts.push("feature");
  if (point.display) parts.push("display");
  return parts.join(", ");
}

// ---- state --------------------------------------------------------------------------------------

const state = {
  token: null,
  products: [],
  stores: [],
  chart: null,
  renderCount: 0,
  requestSeq: 0,
  abort: null,
  engine: null, // Promise of the loaded core
  engineVersion: null,
  serverVersion: null,
  serverModelVersion: null, // "shelfcast-core X.Y.Z" of the server's core
  view: null, // what the chart shows: selection, weekly rows, forecast
};

function setState(name) {
  document.body.dataset.state = name;
  $("chart-frame").setAttribute("aria-busy", name === "loading" ? "true" : "false");
}

// ---- token --------------------------------------------------------------------------------------

function readStoredToken() {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function storeToken(token) {
  state.token = token;
  try {
    if (token) window.localStorage.setItem(TOKEN_KEY, token);
    else window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled; the token then lives for this page only.
  }
}

/** Accepts `#token=...` in the address, stores it and removes it from the address bar. */
function takeTokenFromHash() {
  const hash = window.location.hash.replace(/^#/, "");
  if (!hash) return;
  const params = new URLSearchParams(hash);
  const token = params.get("token");
  if (token === null) return;
  if (token.trim()) storeToken(token.trim());
  params.delete("token");
  const rest = params.toString();
  const url = window.location.pathname + window.location.search + (rest ? `#${rest}` : "");
  window.history.replaceState(window.history.state, "", url);
}

function showTokenForm(message) {
  // Whatever is in flight belongs to the previous token.
  state.requestSeq += 1;
  if (state.abort) state.abort.abort();
  setState("token");
  $("main").hidden = true;
  $("change-token").hidden = true;
  $("token-panel").hidden = false;
  const error = $("token-error");
  error.textContent = message || "";
  error.hidden = !message;
  const input = $("token-input");
  input.value = "";
  input.setAttribute("aria-invalid", message ? "true" : "false");
  $("token-submit").disabled = false;
  input.focus();
}

function hideTokenForm() {
  $("token-panel").hidden = true;
  $("main").hidden = false;
  $("change-token").hidden = false;
}

// ---- API ----------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

async function api(path, { signal } = {}) {
  const headers = { Accept: "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  let response;
  try {
    response = await fetch(path, { headers, signal, cache: "no-store" });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, "network", "The Shelfcast server could not be reached.", "");
  }
  let body = null;
  const text = await response.text();
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    const e = (body && body.error) || {};
    throw new ApiError(
      response.status,
      e.code || `http_${response.status}`,
      e.message || `The server answered ${response.status} ${response.statusText}.`.trim(),
      e.field || "",
    );
  }
  if (body === null) {
    throw new ApiError(response.status, "bad_response", `The server sent an unreadable answer for ${path}.`, "");
  }
  return body;
}

// ---- the WebAssembly core ------------------------------------------------------------------------

function loadClassicScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.addEventListener("load", () => resolve());
    script.addEventListener("error", () => reject(new Error(`could not load ${src}`)));
    document.head.appendChild(script);
  });
}

async function loadEngine() {
  await loadClassicScript("lib/shelfcast_core.js");
  if (typeof globalThis.createShelfcastCore !== "function") {
    throw new Error("lib/shelfcast_core.js did not define createShelfcastCore");
  }
  const { loadShelfcast } = await import("./lib/shelfcast.js");
  const core = await loadShelfcast({
    factory: globalThis.createShelfcastCore,
    locateFile: (path) => `lib/${path}`,
  });
  state.engineVersion = core.version();
  renderVersions();
  return core;
}

function engine() {
  if (!state.engine) {
    const loading = loadEngine();
    state.engine = loading;
    // Handled here (callers that await it still see the failure); "Try again" loads it afresh.
    loading.catch(() => {
      if (state.engine === loading) state.engine = null;
    });
  }
  return state.engine;
}

// ---- rendering: header, selectors ----------------------------------------------------------------

function renderVersions() {
  const parts = [];
  if (state.serverVersion) parts.push(`server ${state.serverVersion}`);
  if (state.engineVersion) {
    parts.push(/^shelfcast-core\b/.test(state.engineVersion) ? `${state.engineVersion} (WebAssembly)` : `core ${state.engineVersion}`);
  }
  let text = parts.length ? `Shelfcast · ${parts.join(" · ")}` : "Shelfcast";
  // The browser and the server must compute the same numbers: say so when their cores differ.
  if (state.serverModelVersion && state.engineVersion && /^shelfcast-core\b/.test(state.engineVersion)
      && state.serverModelVersion !== state.engineVersion) {
    text += ` · differs from the server's ${state.serverModelVersion}`;
  }
  $("footer-versions").textContent = text;
  $("conn-status").textContent = state.serverVersion ? `Server ${state.serverVersion}` : "";
}

function fillSelect(select, items, valueOf, labelOf) {
  const fragment = document.createDocumentFragment();
  for (const item of items) {
    const option = document.createElement("option");
    option.value = valueOf(item);
    option.textContent = labelOf(item);
    fragment.appendChild(option);
  }
  select.replaceChildren(fragment);
}

function selectValue(select, wanted, allowed) {
  if (wanted && allowed.includes(wanted)) select.value = wanted;
  else if (allowed.length) select.value = allowed[0];
}

function currentSelection() {
  return {
    product: $("product-select").value,
    store: $("store-select").value,
    horizon: Number($("horizon-select").value),
    method: $("method-select").value,
  };
}

/** Keeps the selection in the query string so a reload or a shared link shows the same view. */
function writeSelectionToUrl(sel) {
  const params = new URLSearchParams(window.location.search);
  params.set("product", sel.product);
  params.set("store", sel.store);
  params.set("horizon", String(sel.horizon));
  params.set("method", sel.method);
  const url = `${window.location.pathname}?${params.toString()}${window.location.hash}`;
  window.history.replaceState(window.history.state, "", url);
}

function applySelectionFromUrl() {
  const params = new URLSearchParams(window.location.search);
  selectValue($("product-select"), params.get("product"), state.products.map((p) => p.code));
  selectValue($("store-select"), params.get("store"), state.stores.map((s) => s.code));
  selectValue($("horizon-select"), params.get("horizon"), HORIZONS);
  selectValue($("method-select"), params.get("method"), METHODS);
}

// ---- rendering: messages ------------------------------------------------------------------------

function showMessage(title, body, { retry = false } = {}) {
  $("message-title").textContent = title;
  $("message-body").textContent = body;
  $("retry").hidden = !retry;
  $("overlay-message").hidden = false;
}

function hideMessage() {
  $("overlay-message").hidden = true;
}

function setLoading(text) {
  $("loading-text").textContent = text;
  hideMessage();
  setState("loading");
}

function clearDetails() {
  $("kpi-next4").textContent = "–";
  $("kpi-range").textContent = "\u00a0";
  $("kpi-compare").textContent = "\u00a0";
  $("model-name").textContent = "–";
  $("model-version").textContent = "–";
  $("model-params-row").hidden = true;
  $("explanation").textContent = "";
  $("data-note").hidden = true;
  $("forecast-table").tBodies[0].replaceChildren();
}

function showError(title, err) {
  const detail = err instanceof ApiError && err.status
    ? `${err.message} (HTTP ${err.status}${err.code ? `, ${err.code}` : ""}${err.field ? `, field “${err.field}”` : ""})`
    : err && err.message
      ? `${err.message}${err.code ? ` (${err.code}${err.field ? `, field “${err.field}”` : ""})` : ""}`
      : String(err);
  showMessage(title, detail, { retry: true });
  setState("error");
}

// ---- data preparation -----------------------------------------------------------------------------

/**
 * Checks the API points and makes the weekly series gap-free. The server lists every week, zeros
 * included; should a week be missing anyway it counts as zero sales and the page says so.
 */
function prepareSeries(allPoints) {
  // A week the data covers only partly (`complete: false`, at either end) would look like a
  // collapse in demand and drag the forecast down: leave it out and say so.
  let first = 0;
  let last = allPoints.length;
  while (first < last && allPoints[first].complete === false) first += 1;
  while (last > first && allPoints[last - 1].complete === false) last -= 1;
  const points = allPoints.slice(first, last);
  const partial = allPoints.length - points.length;
  const rows = [];
  let filled = 0;
  let prev = NaN;
  for (const point of points) {
    const t = parseDay(point.week);
    const units = Number(point.units);
    if (!Number.isFinite(t) || !Number.isFinite(units)) {
      throw new Error(`The series has an unreadable week: ${JSON.stringify(point)}`);
    }
    if (Number.isFinite(prev)) {
      if (t <= prev) throw new Error(`The series is not in chronological order at ${point.week}.`);
      for (let gap = prev + 7 * DAY_MS; gap < t; gap += 7 * DAY_MS) {
        rows.push({ week: formatDay(gap), units: 0, avg_price: 0, promo_depth: 0, feature: false, display: false, holiday: false });
        filled += 1;
      }
    }
    rows.push({ ...point, units });
    prev = t;
  }
  return { rows, filled, partial };
}

function futureWeeks(lastWeek, horizon) {
  const start = parseDay(lastWeek);
  const weeks = [];
  for (let k = 1; k <= horizon; k += 1) weeks.push(formatDay(start + k * 7 * DAY_MS));
  return weeks;
}

function intervalAt(result, level) {
  return (result.intervals || []).find((iv) => Number(iv.level) === level) || null;
}

function checkForecast(result, horizon) {
  const ok = (arr) => Array.isArray(arr) && arr.length === horizon && arr.every(Number.isFinite);
  if (!ok(result.mean)) throw new Error("The forecast engine returned an incomplete forecast.");
  for (const level of LEVELS) {
    const iv = intervalAt(result, level);
    if (!iv || !ok(iv.lower) || !ok(iv.upper)) {
      throw new Error(`The forecast engine returned no ${level}% interval.`);
    }
  }
}

// ---- rendering: chart -----------------------------------------------------------------------------

/** Draws a dashed line where history ends and the forecast begins. */
const forecastStartPlugin = {
  id: "shelfcastForecastStart",
  afterDatasetsDraw(chart, _args, options) {
    const index = options.index;
    if (!Number.isInteger(index) || index <= 0) return;
    const x = chart.scales.x;
    const area = chart.chartArea;
    const xPos = (x.getPixelForValue(index - 1) + x.getPixelForValue(index)) / 2;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = COLORS.divider;
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(xPos, area.top);
    ctx.lineTo(xPos, area.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = COLORS.text;
    ctx.font = `600 11px ${globalThis.Chart.defaults.font.family}`;
    ctx.textBaseline = "top";
    ctx.fillText("Forecast", xPos + 6, area.top + 4);
    ctx.textAlign = "right";
    ctx.fillText("History", xPos - 6, area.top + 4);
    ctx.restore();
  },
};

function buildChartData(view) {
  const { rows, weeks, result, horizon } = view;
  const n = rows.length;
  const labels = rows.map((r) => r.week).concat(weeks);
  const pad = (k) => new Array(k).fill(null);
  const histPart = (arr) => arr.concat(pad(horizon));
  const futurePart = (arr) => pad(n).concat(arr);
  const iv80 = intervalAt(result, 80);
  const iv95 = intervalAt(result, 95);
  const fitted = Array.isArray(result.fitted) && result.fitted.length === n
    ? result.fitted.map((v) => (Number.isFinite(v) ? v : null))
    : pad(n);

  const line = {
    type: "line",
    fill: false,
    tension: 0,
    spanGaps: false,
    pointRadius: 0,
    pointHoverRadius: 4,
    borderWidth: 2,
  };
  const band = {
    type: "line",
    tension: 0,
    spanGaps: false,
    pointRadius: 0,
    pointHoverRadius: 0,
    pointHitRadius: 0,
    borderWidth: 0,
  };
  return {
    labels,
    datasets: [
      {
        ...line,
        key: "history",
        label: "Actual units",
        data: histPart(rows.map((r) => r.units)),
        borderColor: COLORS.history,
        backgroundColor: COLORS.history,
        borderWidth: 1.75,
      },
      {
        ...line,
        key: "promo",
        label: "Promotion week",
        data: histPart(rows.map((r) => (isPromoWeek(r) ? r.units : null))),
        showLine: false,
        pointStyle: "triangle",
        pointRadius: 5,
        pointHoverRadius: 7,
        borderColor: COLORS.promo,
        backgroundColor: COLORS.promo,
      },
      {
        ...line,
        key: "forecast",
        label: "Forecast",
        data: futurePart(result.mean),
        borderColor: COLORS.forecast,
        backgroundColor: COLORS.forecast,
        borderWidth: 2.25,
      },
      {
        ...line,
        key: "fitted",
        label: "Model fit (history)",
        data: histPart(fitted),
        borderColor: COLORS.fitted,
        backgroundColor: COLORS.fitted,
        borderDash: [3, 3],
        borderWidth: 1.5,
        hidden: true,
      },
      { ...band, key: "lo80", label: "80% lower", data: futurePart(iv80.lower), fill: false,
        borderColor: "transparent", backgroundColor: COLORS.band80 },
      { ...band, key: "hi80", label: "80% interval", data: futurePart(iv80.upper), fill: "-1",
        borderColor: "transparent", backgroundColor: COLORS.band80 },
      { ...band, key: "lo95", label: "95% lower", data: futurePart(iv95.lower), fill: false,
        borderColor: "transparent", backgroundColor: COLORS.band95 },
      { ...band, key: "hi95", label: "95% interval", data: futurePart(iv95.upper), fill: "-1",
        borderColor: "transparent", backgroundColor: COLORS.band95 },
    ],
  };
}

function datasetByKey(chart, key) {
  return chart.data.datasets.findIndex((ds) => ds.key === key);
}

function chartOptions() {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    normalized: true,
    interaction: { mode: "index", intersect: false },
    layout: { padding: { top: 4, right: 8 } },
    scales: {
      x: {
        type: "category",
        grid: { display: false },
        border: { color: COLORS.grid },
        ticks: { color: COLORS.text, maxRotation: 0, autoSkip: true, autoSkipPadding: 24 },
      },
      y: {
        beginAtZero: true,
        grid: { color: COLORS.grid },
        border: { display: false },
        title: { display: true, text: "Units per week", color: COLORS.text },
        ticks: { color: COLORS.text, callback: (value) => fmtUnits(Number(value)) },
      },
    },
    plugins: {
      shelfcastForecastStart: { index: 0 },
      legend: {
        position: "bottom",
        labels: {
          usePointStyle: true,
          boxHeight: 8,
          color: COLORS.text,
          filter: (item, data) => !String(data.datasets[item.datasetIndex].key).startsWith("lo"),
        },
        onClick: (_event, item, legend) => {
          const chart = legend.chart;
          const key = chart.data.datasets[item.datasetIndex].key;
          const indices = [item.datasetIndex];
          if (key === "hi80" || key === "hi95") indices.push(datasetByKey(chart, key.replace("hi", "lo")));
          const visible = chart.isDatasetVisible(item.datasetIndex);
          for (const i of indices) chart.setDatasetVisibility(i, !visible);
          chart.update();
        },
      },
      tooltip: {
        filter: (item) => item.raw !== null && !String(item.dataset.key).startsWith("lo"),
        callbacks: {
          label: (ctx) => {
            const key = ctx.dataset.key;
            if (key === "hi80" || key === "hi95") {
              const lo = ctx.chart.data.datasets[datasetByKey(ctx.chart, key.replace("hi", "lo"))];
              const lower = lo ? lo.data[ctx.dataIndex] : null;
              return `${key === "hi80" ? "80%" : "95%"} interval: ${fmtUnits(lower)} – ${fmtUnits(ctx.raw)}`;
            }
            if (key === "promo") {
              const row = state.view && state.view.rows[ctx.dataIndex];
              return row ? `Promotion: ${describePromo(row)}` : "Promotion";
            }
            if (key === "history") {
              const row = state.view && state.view.rows[ctx.dataIndex];
              return `${ctx.dataset.label}: ${fmtUnits(ctx.raw)}${row && row.holiday ? " (holiday week)" : ""}`;
            }
            return `${ctx.dataset.label}: ${fmtUnits(ctx.raw)}`;
          },
        },
      },
    },
  };
}

function drawChart(view) {
  const data = buildChartData(view);
  const canvas = $("forecast-chart");
  if (!state.chart) {
    state.chart = new globalThis.Chart(canvas, {
      type: "line",
      data,
      options: chartOptions(),
      plugins: [forecastStartPlugin],
    });
  } else {
    // Keep the user's legend choices (e.g. the model fit shown) across redraws.
    const previous = new Map(
      state.chart.data.datasets.map((ds, i) => [ds.key, !state.chart.isDatasetVisible(i)]),
    );
    for (const ds of data.datasets) {
      if (previous.has(ds.key)) ds.hidden = previous.get(ds.key);
    }
    state.chart.data = data;
  }
  state.chart.options.plugins.shelfcastForecastStart.index = view.rows.length;
  state.chart.update("none");
  const productLabel = $("product-select").selectedOptions[0]?.textContent || view.sel.product;
  canvas.setAttribute(
    "aria-label",
    `Weekly units of ${productLabel}: ${view.rows.length} weeks of history and a ${view.horizon}-week forecast. ${view.result.summary || ""}`.trim(),
  );
}

// ---- rendering: side panel and table ---------------------------------------------------------------

/** Names the selected product and store above the chart; `extra` adds facts about the view. */
function renderTitle(sel, extra = []) {
  const product = state.products.find((p) => p.code === sel.product);
  const store = state.stores.find((s) => s.code === sel.store);
  $("series-title").textContent = product ? `${product.code} — ${product.name}` : sel.product;
  const sub = [];
  if (store) sub.push(`${store.name}${store.region ? ` (${store.region})` : ""}`);
  if (product && product.category) sub.push(product.category);
  if (product && Number.isFinite(product.list_price)) sub.push(`list price ${fmtPrice.format(product.list_price)}`);
  $("series-sub").textContent = sub.concat(extra).join(" · ") || "\u00a0";
}

function renderDetails(view) {
  const { rows, result, horizon, filled, partial, sel } = view;
  renderTitle(sel, [`${fmtInt.format(rows.length)} weeks of history`, `${horizon}-week forecast`]);

  // KPI: the next four weeks, with the core's interval of the total (it accounts for the
  // correlation of weekly errors; summing weekly bounds would overstate the range).
  const k = result.total_horizon;
  const total80 = (result.total_intervals || []).find((iv) => iv.level === 80);
  const next = result.total_mean;
  $("kpi-title").textContent = `Next ${k} weeks`;
  $("kpi-next4").textContent = fmtUnits(next);
  $("kpi-range").textContent = total80
    ? `80% range ${fmtUnits(total80.lower[0])} – ${fmtUnits(total80.upper[0])} units`
    : "\u00a0";
  $("kpi-range").title = `80% prediction interval of the ${k}-week total`;
  if (rows.length >= k) {
    const last = sum(rows.slice(-k).map((r) => r.units));
    const change = last > 0 ? next / last - 1 : NaN;
    $("kpi-compare").textContent = Number.isFinite(change)
      ? `${fmtSignedPct.format(change)} vs the last ${k} weeks (${fmtUnits(last)} units)`
      : `Last ${k} weeks: ${fmtUnits(last)} units`;
  } else {
    $("kpi-compare").textContent = "\u00a0";
  }

  const model = String(result.model || "");
  $("model-name").textContent = MODEL_NAMES[model] ? `${MODEL_NAMES[model]} (${model})` : model || "–";
  $("model-version").textContent = result.model_version || "–";
  const params = result.params && typeof result.params === "object" ? result.params : {};
  const shown = Object.entries(params).filter(([, v]) => typeof v === "number" && Number.isFinite(v));
  $("model-params-row").hidden = shown.length === 0;
  const symbol = { alpha: "α", sigma: "σ" };
  $("model-params").textContent = shown.map(([name, v]) => `${symbol[name] || name} = ${fmtParam.format(v)}`).join(", ");

  $("explanation").textContent = result.summary || "";
  const notes = [];
  if (result.fallback_reason) notes.push(String(result.fallback_reason));
  if (partial > 0) {
    notes.push(`${fmtInt.format(partial)} incomplete week${partial === 1 ? "" : "s"} at the edge of the data left out.`);
  }
  if (filled > 0) {
    notes.push(`${fmtInt.format(filled)} week${filled === 1 ? "" : "s"} without recorded sales counted as zero.`);
  }
  $("data-note").textContent = notes.join(" ");
  $("data-note").hidden = notes.length === 0;

  renderParts(result, k);

  const iv80 = intervalAt(result, 80);
  const iv95 = intervalAt(result, 95);
  const body = document.createDocumentFragment();
  view.weeks.forEach((week, i) => {
    const tr = document.createElement("tr");
    const cells = [
      week,
      fmtUnits(result.mean[i]),
      `${fmtUnits(iv80.lower[i])} – ${fmtUnits(iv80.upper[i])}`,
      `${fmtUnits(iv95.lower[i])} – ${fmtUnits(iv95.upper[i])}`,
    ];
    cells.forEach((text, c) => {
      const td = document.createElement(c === 0 ? "th" : "td");
      if (c === 0) td.scope = "row";
      td.textContent = text;
      tr.appendChild(td);
    });
    body.appendChild(tr);
  });
  $("forecast-table").tBodies[0].replaceChildren(body);
}

/**
 * The forecast's parts over the KPI weeks: the core's components add up to the mean at every
 * step, so their sums add up to the KPI total shown above. Then the fitted driver effects.
 */
function renderParts(result, k) {
  $("parts-title").textContent = `What makes up the next ${k} weeks`;
  const rows = document.createDocumentFragment();
  for (const part of result.components || []) {
    const total = sum(part.values.slice(0, k));
    const baseline = part.name === "level_trend" || part.name === "level" || part.name === "demand_rate" || part.name === "seasonal_naive";
    if (!baseline && Math.abs(total) < 0.5) continue; // nothing worth a line
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = PART_NAMES[part.name] || part.name;
    const td = document.createElement("td");
    td.textContent = baseline ? fmtUnits(total) : `${total >= 0 ? "+" : "−"}${fmtUnits(Math.abs(total))}`;
    tr.dataset.part = part.name;
    tr.append(th, td);
    rows.appendChild(tr);
  }
  const totalRow = document.createElement("tr");
  totalRow.className = "parts-total";
  const th = document.createElement("th");
  th.scope = "row";
  th.textContent = "Forecast";
  const td = document.createElement("td");
  td.textContent = fmtUnits(result.total_mean);
  totalRow.append(th, td);
  rows.appendChild(totalRow);
  $("parts-table").tBodies[0].replaceChildren(rows);

  const said = [];
  for (const d of result.drivers || []) {
    if (!d.estimated) continue;
    const name = DRIVER_NAMES[d.name] || d.name;
    if (d.name === "price_elasticity") {
      said.push(`${name} ${fmtParam.format(d.value)} ± ${fmtParam.format(d.std_error)}`);
    } else {
      // Log-scale lifts read as multipliers: exp(0.2) = ×1.22.
      said.push(`${name} ×${fmtParam.format(Math.exp(d.value))}`);
    }
  }
  $("parts-drivers").textContent = said.length ? `Estimated from this series: ${said.join("; ")}.` : "";
}

// ---- the flow -------------------------------------------------------------------------------------

function handleAuthError(err) {
  if (err instanceof ApiError && err.status === 401) {
    storeToken(null);
    showTokenForm("The server did not accept this token. Check it and try again.");
    return true;
  }
  return false;
}

/** Fetches the series for the current selection, forecasts it and draws it. */
async function refresh() {
  const sel = currentSelection();
  if (!sel.product || !sel.store) return;
  writeSelectionToUrl(sel);
  if (state.abort) state.abort.abort();
  const abort = new AbortController();
  state.abort = abort;
  const seq = ++state.requestSeq;
  const stale = () => seq !== state.requestSeq;

  renderTitle(sel);
  setLoading("Loading sales history…");
  let series;
  try {
    const query = new URLSearchParams({ product: sel.product, store: sel.store });
    series = await api(`/api/v1/series?${query}`, { signal: abort.signal });
  } catch (err) {
    if (stale() || (err && err.name === "AbortError")) return;
    if (handleAuthError(err)) return;
    showError("Could not load the sales history", err);
    return;
  }
  if (stale()) return;

  let prepared;
  try {
    prepared = prepareSeries(Array.isArray(series.points) ? series.points : []);
  } catch (err) {
    showError("The sales history could not be read", err);
    return;
  }
  if (prepared.rows.length === 0) {
    clearDetails();
    if (state.chart) {
      state.chart.data = { labels: [], datasets: [] };
      state.chart.update("none");
    }
    showMessage("No sales history", "This product has no recorded sales in this store, so there is nothing to forecast yet.");
    setState("empty");
    return;
  }

  $("loading-text").textContent = "Computing forecast…";
  let core;
  try {
    core = await engine();
  } catch (err) {
    if (stale()) return;
    showError("The forecasting engine (WebAssembly) could not be loaded", err);
    return;
  }
  if (stale()) return;

  let result;
  try {
    // Weeks with their prices, promotions and holidays: the core turns them into the drivers of
    // the retail regression (and picks ETS or SBA when they carry no information).
    result = core.forecastWeekly({
      history: prepared.rows,
      horizon: sel.horizon,
      season_length: SEASON_LENGTH_WEEKS,
      levels: LEVELS,
      method: sel.method,
      total_horizon: Math.min(KPI_WEEKS, sel.horizon),
    });
    if (result && typeof result.then === "function") result = await result;
    checkForecast(result, sel.horizon);
  } catch (err) {
    if (stale()) return;
    showError("The forecast could not be computed", err);
    return;
  }
  if (stale()) return;

  const view = {
    sel,
    rows: prepared.rows,
    filled: prepared.filled,
    partial: prepared.partial,
    weeks: futureWeeks(prepared.rows[prepared.rows.length - 1].week, sel.horizon),
    result,
    horizon: sel.horizon,
  };
  state.view = view;
  try {
    drawChart(view);
    renderDetails(view);
  } catch (err) {
    showError("The forecast could not be drawn", err);
    return;
  }
  hideMessage();
  state.renderCount += 1;
  document.body.dataset.renderCount = String(state.renderCount);
  setState("ready");
}

/** Loads stores and products (needs a token), fills the selectors and draws the first forecast. */
async function loadCatalog() {
  const seq = ++state.requestSeq;
  hideTokenForm();
  setLoading("Loading products and stores…");
  let stores;
  let products;
  try {
    [stores, products] = await Promise.all([api("/api/v1/stores"), api("/api/v1/products")]);
  } catch (err) {
    if (seq !== state.requestSeq) return;
    if (handleAuthError(err)) return;
    clearDetails();
    showError("Could not load products and stores", err);
    return;
  }
  if (seq !== state.requestSeq) return;
  state.stores = Array.isArray(stores.stores) ? stores.stores : [];
  state.products = Array.isArray(products.products) ? products.products : [];
  fillSelect($("store-select"), state.stores, (s) => s.code, (s) => `${s.code} — ${s.name}`);
  fillSelect($("product-select"), state.products, (p) => p.code, (p) => `${p.code} — ${p.name}`);
  applySelectionFromUrl();
  if (!state.products.length || !state.stores.length) {
    clearDetails();
    showMessage("No data yet", "The server has no products or stores. Ingest sales data first (shelfcast ingest).");
    setState("empty");
    return;
  }
  await refresh();
}

async function loadHealth() {
  try {
    const health = await api("/api/v1/health");
    state.serverVersion = health.version || null;
    state.serverModelVersion = health.model_version || null;
    renderVersions();
  } catch {
    // Not fatal: the data requests report their own errors.
  }
}

function wireEvents() {
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token-input").value.trim();
    if (!token) {
      $("token-error").textContent = "Enter a token.";
      $("token-error").hidden = false;
      $("token-input").setAttribute("aria-invalid", "true");
      $("token-input").focus();
      return;
    }
    $("token-submit").disabled = true;
    storeToken(token);
    loadCatalog();
  });
  $("change-token").addEventListener("click", () => {
    storeToken(null);
    showTokenForm("");
  });
  $("controls").addEventListener("submit", (event) => event.preventDefault());
  for (const id of ["product-select", "store-select", "horizon-select", "method-select"]) {
    $(id).addEventListener("change", () => refresh());
  }
  $("retry").addEventListener("click", () => {
    if (state.products.length && state.stores.length) refresh();
    else loadCatalog();
  });
  window.addEventListener("storage", (event) => {
    // Another tab signed in or out.
    if (event.key === TOKEN_KEY && event.newValue && event.newValue !== state.token) {
      state.token = event.newValue;
      if (document.body.dataset.state === "token") loadCatalog();
    }
  });
}

function main() {
  if (typeof globalThis.Chart !== "function") {
    document.body.dataset.state = "error";
    $("main").hidden = false;
    showMessage("The chart library could not be loaded", "vendor/chart.umd.js is missing from the web root.");
    return;
  }
  // The chart speaks in the page's font.
  globalThis.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  globalThis.Chart.defaults.color = COLORS.text;
  wireEvents();
  takeTokenFromHash();
  state.token = state.token || readStoredToken();
  engine(); // start fetching the WebAssembly core while the data loads
  loadHealth();
  if (!state.token) {
    showTokenForm("");
    return;
  }
  loadCatalog();
}

main();
