/** @odoo-module **/
// Explainability view: one product in one store, forecast in the browser by the WASM core
// (forecastWeekly, the same code as the server's forecast jobs), shown as the parts that make up
// every forecast week (level/trend, season, price, promotion, holiday) stacked under the
// forecast and its 80% / 95% intervals, with the core's one-sentence summary, the model version
// and the accuracy of the same forecaster on this series' own past (rolling-origin backtest) and,
// when a forecast job has run one, over every product-store series.
//
// Props: api (ShelfcastApi), role (whoami's role), product?, store? (codes to open on).
// Test hooks: root [data-state] loading|ready|empty|error, [data-render-count] completed chart
// draws; data-testid forecast-chart (the chart's container; its canvas carries the Chart.js
// instance), explanation-summary, model-version, model-name, backtest-accuracy (with
// [data-backtest] idle|running|done|none|error), job-accuracy, forecast-parts, forecast-table,
// explain-product, explain-store, explain-horizon, explain-method, explain-error.

import { Component, onMounted, onWillUnmount, useRef, useState, xml } from "@odoo/owl";
import { formatNumber, formatPercent, formatSigned } from "@shelfcast_planning/core/format";
import { loadCore } from "@shelfcast_planning/core/wasm";
import { loadChart } from "@shelfcast_planning/core/chart";
import {
  BACKTEST,
  backtestPlan,
  futureWeeks,
  intervalAt,
  prepareSeries,
  runBacktest,
} from "@shelfcast_planning/components/explain/weekly";

const SEASON_LENGTH_WEEKS = 52;
const LEVELS = [80, 95];
const HORIZONS = [13, 26, 52];
/** Forecasting methods offered (the core's `method`; automatic as `shelfcast forecast`). */
const METHODS = [
  { value: "auto", label: "Automatic" },
  { value: "ets", label: "Exponential smoothing (ETS)" },
  { value: "regression", label: "Retail regression" },
  { value: "ses", label: "Simple exponential smoothing" },
  { value: "snaive", label: "Seasonal naive" },
];
/** History weeks drawn before the forecast, for context. */
const HISTORY_SHOWN_WEEKS = 52;

/** The core's component names, in a planner's words, with their colours. */
const PARTS = {
  level_trend: { label: "Baseline (level and trend)", color: "#94a3b8" },
  level: { label: "Baseline (level)", color: "#94a3b8" },
  demand_rate: { label: "Average demand rate", color: "#94a3b8" },
  seasonal_naive: { label: "Same weeks last season", color: "#94a3b8" },
  seasonal: { label: "Season", color: "#0ea5e9" },
  price: { label: "Price", color: "#a855f7" },
  promotion: { label: "Promotions", color: "#f59e0b" },
  holiday: { label: "Holidays", color: "#10b981" },
  floor_at_zero: { label: "Floor at zero", color: "#ef4444" },
};
const BASELINE_PARTS = new Set(["level_trend", "level", "demand_rate", "seasonal_naive"]);

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

const DRIVER_NAMES = {
  price_elasticity: "price elasticity",
  promo_lift_per_depth: "promotion lift per 100% depth",
  feature_log_lift: "feature lift",
  display_log_lift: "display lift",
  holiday_log_lift: "holiday lift",
};

const COLORS = {
  promo: "#d97706",
  divider: "#94a3b8",
  history: "#334155",
  forecast: "#1d4ed8",
  band80: "rgba(37, 99, 235, 0.22)",
  band95: "rgba(37, 99, 235, 0.10)",
  grid: "#e2e8f0",
  text: "#475569",
};

/** Units for humans: one decimal below 10, whole units above. */
function units(x) {
  return formatNumber(x, { digits: Number.isFinite(x) && Math.abs(x) < 10 ? 1 : 0 });
}

function isPromoWeek(row) {
  return Number(row.promo_depth) > 0 || row.feature === true || row.display === true;
}

function describePromo(row) {
  const parts = [];
  if (Number(row.promo_depth) > 0) parts.push(`${formatPercent(Number(row.promo_depth), 0)} off`);
  if (row.feature) parts.push("feature");
  if (row.display) parts.push("display");
  return parts.join(", ");
}

/** A dashed line where the history ends and the forecast begins. */
const forecastStartPlugin = {
  id: "shelfcastExplainStart",
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
    ctx.font = "600 11px sans-serif";
    ctx.textBaseline = "top";
    ctx.fillText("Forecast", xPos + 6, area.top + 4);
    ctx.textAlign = "right";
    ctx.fillText("History", xPos - 6, area.top + 4);
    ctx.restore();
  },
};

function sum(values) {
  return values.reduce((acc, v) => acc + v, 0);
}

function errorText(err) {
  if (!err) return "Unknown error.";
  const status = err.status ? ` (HTTP ${err.status}${err.code ? `, ${err.code}` : ""})` : "";
  const field = err.field ? ` [${err.field}]` : "";
  return `${err.message || String(err)}${field}${status}`;
}

export class ExplainView extends Component {
  static props = {
    api: Object,
    role: { type: String, optional: true },
    product: { type: String, optional: true },
    store: { type: String, optional: true },
    "*": true,
  };

  static template = xml`
<section class="sc-explain" t-att-data-state="state.status" t-att-data-render-count="state.renderCount"
         aria-labelledby="sc-explain-title">
  <form class="sc-controls" t-on-submit.prevent="() => {}" aria-label="Series to explain">
    <div class="sc-field sc-field-wide">
      <label class="sc-label" for="sc-explain-product">Product</label>
      <select id="sc-explain-product" data-testid="explain-product" t-on-change="onProduct"
              t-att-disabled="!state.products.length">
        <t t-foreach="state.products" t-as="p" t-key="p.code">
          <option t-att-value="p.code" t-att-selected="p.code === state.product" t-esc="p.code + ' — ' + p.name"/>
        </t>
      </select>
    </div>
    <div class="sc-field">
      <label class="sc-label" for="sc-explain-store">Store</label>
      <select id="sc-explain-store" data-testid="explain-store" t-on-change="onStore"
              t-att-disabled="!state.stores.length">
        <t t-foreach="state.stores" t-as="s" t-key="s.code">
          <option t-att-value="s.code" t-att-selected="s.code === state.store" t-esc="s.code + ' — ' + s.name"/>
        </t>
      </select>
    </div>
    <div class="sc-field sc-field-narrow">
      <label class="sc-label" for="sc-explain-horizon">Horizon</label>
      <select id="sc-explain-horizon" data-testid="explain-horizon" t-on-change="onHorizon">
        <t t-foreach="horizons" t-as="h" t-key="h">
          <option t-att-value="h" t-att-selected="h === state.horizon" t-esc="h + ' weeks'"/>
        </t>
      </select>
    </div>
    <div class="sc-field">
      <label class="sc-label" for="sc-explain-method">Method</label>
      <select id="sc-explain-method" data-testid="explain-method" t-on-change="onMethod">
        <t t-foreach="methods" t-as="m" t-key="m.value">
          <option t-att-value="m.value" t-att-selected="m.value === state.method" t-esc="m.label"/>
        </t>
      </select>
    </div>
  </form>

  <div class="sc-explain-layout">
    <div class="sc-card sc-explain-chart-card">
      <h2 class="sc-card-title" id="sc-explain-title" t-esc="title"/>
      <p class="sc-muted sc-explain-sub" t-esc="subtitle || '\u00a0'"/>
      <div class="sc-chart-frame" data-testid="forecast-chart" t-att-aria-busy="state.status === 'loading' ? 'true' : 'false'">
        <canvas t-ref="canvas" role="img" t-att-aria-label="chartLabel"/>
        <div t-if="state.status === 'loading'" class="sc-overlay" role="status">
          <span class="sc-spinner" aria-hidden="true"/> <t t-esc="state.loadingText"/>
        </div>
        <div t-if="state.status === 'error'" class="sc-overlay sc-overlay-error" role="alert" data-testid="explain-error">
          <p class="sc-error-title" t-esc="state.errorTitle"/>
          <p t-esc="state.errorText"/>
          <button type="button" class="btn btn-secondary" t-on-click="retry">Try again</button>
        </div>
        <div t-if="state.status === 'empty'" class="sc-overlay" role="status">
          <p t-esc="state.emptyText"/>
        </div>
      </div>
      <p class="sc-note" t-if="state.note" t-esc="state.note"/>
      <details class="sc-table-details" t-if="table.length">
        <summary>Forecast table</summary>
        <div class="sc-table-wrap">
          <table class="sc-forecast-table" data-testid="forecast-table">
            <caption class="sc-sr-only">Weekly forecast with its 80% and 95% intervals</caption>
            <thead><tr><th scope="col">Week</th><th scope="col">Forecast</th><th scope="col">80% interval</th><th scope="col">95% interval</th></tr></thead>
            <tbody>
              <t t-foreach="table" t-as="r" t-key="r.week">
                <tr><th scope="row" t-esc="r.week"/><td t-esc="r.mean"/><td t-esc="r.i80"/><td t-esc="r.i95"/></tr>
              </t>
            </tbody>
          </table>
        </div>
      </details>
    </div>

    <aside class="sc-explain-side" aria-label="Forecast explanation">
      <div class="sc-card">
        <h3 class="sc-card-title">Why this forecast</h3>
        <p class="sc-explanation" data-testid="explanation-summary" aria-live="polite"
           t-esc="state.result ? state.result.summary : ''"/>
        <dl class="sc-facts">
          <div><dt>Model</dt><dd data-testid="model-name" t-esc="modelName"/></div>
          <div><dt>Version</dt><dd data-testid="model-version" t-esc="state.result ? state.result.model_version : '–'"/></div>
        </dl>
        <p class="sc-muted" t-if="driversText" t-esc="driversText"/>
      </div>

      <div class="sc-card" data-testid="forecast-parts">
        <h3 class="sc-card-title" t-esc="'What makes up the next ' + state.horizon + ' weeks'"/>
        <table class="sc-parts-table" t-if="parts.length">
          <caption class="sc-sr-only">Parts of the forecast; they add up to its total</caption>
          <tbody>
            <t t-foreach="parts" t-as="part" t-key="part.name">
              <tr t-att-data-part="part.name">
                <th scope="row">
                  <svg class="sc-swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" t-att-fill="part.color"/></svg>
                  <t t-esc="part.label"/>
                </th>
                <td class="sc-num" t-esc="part.text"/>
                <td class="sc-bar-cell" aria-hidden="true">
                  <svg class="sc-bar" viewBox="0 0 100 10" preserveAspectRatio="none">
                    <rect t-att-width="part.width" height="10" t-att-fill="part.color" t-att-fill-opacity="part.total &lt; 0 ? 0.45 : 1"/>
                  </svg>
                </td>
              </tr>
            </t>
            <tr class="sc-parts-total">
              <th scope="row">Forecast total</th>
              <td class="sc-num" t-esc="totalText"/>
              <td/>
            </tr>
          </tbody>
        </table>
        <p t-else="" class="sc-muted">–</p>
      </div>

      <div class="sc-card" data-testid="backtest-accuracy" t-att-data-backtest="state.backtest.status">
        <h3 class="sc-card-title">Accuracy on this series</h3>
        <t t-if="state.backtest.status === 'done'">
          <dl class="sc-facts">
            <div><dt>WAPE</dt><dd data-testid="backtest-wape" t-esc="pct(state.backtest.metrics.wape)"/></div>
            <div><dt>MASE</dt><dd t-esc="num2(state.backtest.metrics.mase)"/></div>
            <div><dt>Bias</dt><dd t-esc="signedPct(state.backtest.metrics.bias)"/></div>
            <div><dt t-esc="state.backtest.metrics.level + '% interval hit'"/><dd t-esc="pct(state.backtest.metrics.coverage)"/></div>
          </dl>
          <p class="sc-muted" t-esc="backtestNote"/>
        </t>
        <p t-elif="state.backtest.status === 'running'" class="sc-muted" role="status">Backtesting this series in the browser…</p>
        <p t-elif="state.backtest.status === 'error'" class="sc-error" t-esc="'Backtest failed: ' + state.backtest.message"/>
        <p t-elif="state.backtest.status === 'none'" t-esc="state.backtest.message"/>
        <p t-else="" class="sc-muted">–</p>
        <p class="sc-muted" data-testid="job-accuracy" t-esc="state.jobAccuracy"/>
      </div>
    </aside>
  </div>
</section>`;

  setup() {
    this.horizons = HORIZONS;
    this.methods = METHODS;
    this.canvasRef = useRef("canvas");
    this.chart = null;
    this.seq = 0;
    this.state = useState({
      status: "loading",
      loadingText: "Loading products and stores…",
      errorTitle: "",
      errorText: "",
      emptyText: "",
      note: "",
      products: [],
      stores: [],
      product: this.props.product || "",
      store: this.props.store || "",
      horizon: 13,
      method: "auto",
      result: null,
      view: null,
      renderCount: 0,
      backtest: { status: "idle", metrics: null, message: "" },
      jobAccuracy: "",
    });
    onMounted(() => this.loadCatalog());
    onWillUnmount(() => {
      this.seq += 1;
      if (this.chart) this.chart.destroy();
      this.chart = null;
    });
  }

  // ---- derived text -----------------------------------------------------------------------------

  get title() {
    const p = this.state.products.find((x) => x.code === this.state.product);
    return p ? `${p.code} — ${p.name}` : "Forecast explained";
  }

  get subtitle() {
    const parts = [];
    const s = this.state.stores.find((x) => x.code === this.state.store);
    const p = this.state.products.find((x) => x.code === this.state.product);
    if (s) parts.push(`${s.name}${s.region ? ` (${s.region})` : ""}`);
    if (p && p.category) parts.push(p.category);
    const v = this.state.view;
    if (v) parts.push(`${formatNumber(v.rows.length)} weeks of history`, `${v.horizon}-week forecast`);
    return parts.join(" · ");
  }

  get chartLabel() {
    const r = this.state.result;
    return r ? `Forecast of ${this.title} and what it is made of. ${r.summary || ""}` : "Forecast chart";
  }

  get modelName() {
    const r = this.state.result;
    if (!r) return "–";
    const m = String(r.model || "");
    if (MODEL_NAMES[m]) return `${MODEL_NAMES[m]} (${m})`;
    if (m.startsWith("ETS(")) return `Exponential smoothing (${m})`;
    return m || "–";
  }

  get driversText() {
    const r = this.state.result;
    if (!r || !Array.isArray(r.drivers)) return "";
    const said = [];
    for (const d of r.drivers) {
      if (!d.estimated) continue;
      const name = DRIVER_NAMES[d.name] || d.name;
      if (d.name === "price_elasticity") {
        said.push(`${name} ${formatNumber(d.value, { digits: 2 })} ± ${formatNumber(d.std_error, { digits: 2 })}`);
      } else {
        // Log-scale lifts read as multipliers: exp(0.2) = ×1.22.
        said.push(`${name} ×${formatNumber(Math.exp(d.value), { digits: 2 })}`);
      }
    }
    return said.length ? `Estimated from this series: ${said.join("; ")}.` : "";
  }

  /** The parts over the whole horizon; they add up to the forecast total. */
  get parts() {
    const r = this.state.result;
    if (!r) return [];
    const rows = [];
    for (const c of r.components || []) {
      const total = sum(c.values);
      const baseline = BASELINE_PARTS.has(c.name);
      if (!baseline && Math.abs(total) < 0.5) continue;
      rows.push({ name: c.name, total, baseline });
    }
    const scale = Math.max(1e-9, ...rows.map((x) => Math.abs(x.total)));
    return rows.map((x) => {
      const info = PARTS[x.name] || { label: x.name, color: "#64748b" };
      const width = Math.round((Math.abs(x.total) / scale) * 100);
      return {
        ...x,
        label: info.label,
        color: info.color,
        text: x.baseline ? units(x.total) : formatSigned(x.total, { digits: Math.abs(x.total) < 10 ? 1 : 0 }),
        width: Math.max(width, 1),
      };
    });
  }

  /** The forecast week by week, for the table under the chart. */
  get table() {
    const r = this.state.result;
    const v = this.state.view;
    if (!r || !v) return [];
    const iv80 = intervalAt(r, 80);
    const iv95 = intervalAt(r, 95);
    return v.weeks.map((week, i) => ({
      week,
      mean: units(r.mean[i]),
      i80: `${units(iv80.lower[i])} – ${units(iv80.upper[i])}`,
      i95: `${units(iv95.lower[i])} – ${units(iv95.upper[i])}`,
    }));
  }

  get totalText() {
    const r = this.state.result;
    return r ? units(sum(r.mean)) : "–";
  }

  get backtestNote() {
    const m = this.state.backtest.metrics;
    if (!m) return "";
    return `Rolling origin over this series' last weeks: ${m.origins} origins × ${m.horizon} weeks ` +
      `(${formatNumber(m.n)} forecast weeks), each forecast by the same core in this browser with ` +
      `the actual prices and promotions as the plan; model${m.models.length > 1 ? "s" : ""} ` +
      `${m.models.join(", ")}.`;
  }

  pct(x) {
    return formatPercent(x, 0);
  }

  signedPct(x) {
    return formatPercent(x, 0, { signed: true });
  }

  num2(x) {
    return formatNumber(x, { digits: 2 });
  }

  // ---- events -----------------------------------------------------------------------------------

  onProduct(ev) {
    this.state.product = ev.target.value;
    this.refresh();
  }

  onStore(ev) {
    this.state.store = ev.target.value;
    this.refresh();
  }

  onHorizon(ev) {
    this.state.horizon = Number(ev.target.value);
    this.refresh();
  }

  onMethod(ev) {
    this.state.method = ev.target.value;
    this.refresh();
  }

  retry() {
    if (this.state.products.length && this.state.stores.length) this.refresh();
    else this.loadCatalog();
  }

  // ---- flow -------------------------------------------------------------------------------------

  fail(title, err) {
    // Nothing of the previous series stays on screen as if it explained this one.
    this.state.result = null;
    this.state.view = null;
    this.state.note = "";
    this.state.backtest = { status: "idle", metrics: null, message: "" };
    this.clearChart();
    this.state.status = "error";
    this.state.errorTitle = title;
    this.state.errorText = errorText(err);
  }

  async loadCatalog() {
    const seq = ++this.seq;
    this.state.status = "loading";
    this.state.loadingText = "Loading products and stores…";
    let products;
    let stores;
    try {
      [products, stores] = await Promise.all([
        this.props.api.get("/api/v1/products"),
        this.props.api.get("/api/v1/stores"),
      ]);
    } catch (err) {
      if (seq === this.seq) this.fail("Could not load products and stores", err);
      return;
    }
    if (seq !== this.seq) return;
    this.state.products = Array.isArray(products.products) ? products.products : [];
    this.state.stores = Array.isArray(stores.stores) ? stores.stores : [];
    if (!this.state.products.length || !this.state.stores.length) {
      this.state.status = "empty";
      this.state.emptyText = "The server has no products or stores yet: ingest sales data first.";
      return;
    }
    if (!this.state.products.some((p) => p.code === this.state.product)) {
      this.state.product = this.state.products[0].code;
    }
    if (!this.state.stores.some((s) => s.code === this.state.store)) {
      this.state.store = this.state.stores[0].code;
    }
    this.loadJobAccuracy();
    await this.refresh();
  }

  /** The newest finished forecast job with a backtest: its product-store level accuracy. */
  async loadJobAccuracy() {
    try {
      const { jobs } = await this.props.api.get("/api/v1/jobs");
      const job = (jobs || []).find((j) => j.kind === "forecast" && j.status === "done" &&
        Number(j.params && j.params.backtest_origins) > 0);
      if (!job) {
        this.state.jobAccuracy = "No server backtest yet: no finished forecast job ran with backtest origins.";
        return;
      }
      const { accuracy } = await this.props.api.get(`/api/v1/jobs/${job.id}/accuracy`);
      const rows = (accuracy || []).filter((a) => a.level === "sku,store");
      const base = rows.find((a) => a.kind === "base");
      const rec = rows.find((a) => a.kind === "reconciled");
      if (!base && !rec) {
        this.state.jobAccuracy = `Forecast job #${job.id} stored no product-store backtest.`;
        return;
      }
      const said = [];
      if (rec) said.push(`WAPE ${this.pct(rec.metrics.wape)} reconciled`);
      if (base) said.push(`${this.pct(base.metrics.wape)} before reconciliation`);
      const nodes = (rec || base).nodes;
      this.state.jobAccuracy = `Server backtest, forecast job #${job.id} (${job.model_version}), ` +
        `all ${formatNumber(nodes)} product-store series pooled: ${said.join(", ")}.`;
    } catch (err) {
      this.state.jobAccuracy = `Server backtest unavailable: ${errorText(err)}`;
    }
  }

  async refresh() {
    const { product, store, horizon, method } = this.state;
    if (!product || !store) return;
    const seq = ++this.seq;
    const stale = () => seq !== this.seq;
    this.state.status = "loading";
    this.state.loadingText = "Loading sales history…";
    this.state.backtest = { status: "idle", metrics: null, message: "" };

    let series;
    try {
      const query = new URLSearchParams({ product, store });
      series = await this.props.api.get(`/api/v1/series?${query}`);
    } catch (err) {
      if (!stale()) this.fail("Could not load the sales history", err);
      return;
    }
    if (stale()) return;

    let prepared;
    try {
      prepared = prepareSeries(Array.isArray(series.points) ? series.points : []);
    } catch (err) {
      this.fail("The sales history could not be read", err);
      return;
    }
    if (!prepared.rows.length) {
      this.state.result = null;
      this.state.view = null;
      this.clearChart();
      this.state.status = "empty";
      this.state.emptyText = "This product has no recorded sales in this store, so there is nothing to forecast yet.";
      this.state.backtest = { status: "none", metrics: null, message: "No backtest yet: no sales history." };
      return;
    }

    this.state.loadingText = "Computing the forecast…";
    let core;
    let Chart;
    try {
      [core, Chart] = await Promise.all([loadCore(), loadChart()]);
    } catch (err) {
      if (!stale()) this.fail("The forecasting engine (WebAssembly) or the chart library could not be loaded", err);
      return;
    }
    if (stale()) return;

    let result;
    try {
      result = core.forecastWeekly({
        history: prepared.rows,
        horizon,
        season_length: SEASON_LENGTH_WEEKS,
        levels: LEVELS,
        method,
        total_horizon: horizon,
      });
      const ok = (a) => Array.isArray(a) && a.length === horizon && a.every(Number.isFinite);
      if (!ok(result.mean)) throw new Error("The core returned an incomplete forecast.");
      for (const level of LEVELS) {
        const iv = intervalAt(result, level);
        if (!iv || !ok(iv.lower) || !ok(iv.upper)) throw new Error(`The core returned no ${level}% interval.`);
      }
    } catch (err) {
      this.fail("The forecast could not be computed", err);
      return;
    }

    const view = {
      rows: prepared.rows,
      weeks: futureWeeks(prepared.rows[prepared.rows.length - 1].week, horizon),
      horizon,
    };
    const notes = [];
    if (result.fallback_reason) notes.push(String(result.fallback_reason));
    if (prepared.partial) notes.push(`${formatNumber(prepared.partial)} incomplete week(s) at the edge of the data left out.`);
    if (prepared.filled) notes.push(`${formatNumber(prepared.filled)} week(s) without recorded sales counted as zero.`);
    this.state.note = notes.join(" ");
    this.state.result = result;
    this.state.view = view;
    try {
      this.draw(Chart, view, result);
    } catch (err) {
      this.fail("The forecast could not be drawn", err);
      return;
    }
    this.state.status = "ready";
    this.state.renderCount += 1;

    // The backtest runs after the first paint: the chart never waits for it.
    this.state.backtest = { status: "running", metrics: null, message: "" };
    setTimeout(() => {
      if (!stale()) this.backtest(core, prepared.rows, horizon, method, stale);
    }, 0);
  }

  backtest(core, rows, horizon, method, stale) {
    const plan = backtestPlan(rows, horizon);
    if (!plan) {
      this.state.backtest = {
        status: "none",
        metrics: null,
        message: `No backtest yet: this series has ${formatNumber(rows.length)} weeks; a backtest ` +
          `needs ${formatNumber(BACKTEST.minTrainWeeks + Math.min(horizon, BACKTEST.maxHorizon))} ` +
          `(${BACKTEST.minTrainWeeks} to train on, then the weeks to score).`,
      };
      return;
    }
    try {
      const metrics = runBacktest(rows, plan, SEASON_LENGTH_WEEKS, (history, planned, h) =>
        core.forecastWeekly({
          history,
          planned,
          horizon: h,
          season_length: SEASON_LENGTH_WEEKS,
          levels: LEVELS,
          method,
        }));
      if (!stale()) this.state.backtest = { status: "done", metrics, message: "" };
    } catch (err) {
      if (!stale()) this.state.backtest = { status: "error", metrics: null, message: errorText(err) };
    }
  }

  // ---- chart ------------------------------------------------------------------------------------

  clearChart() {
    if (this.chart) {
      this.chart.data = { labels: [], datasets: [] };
      this.chart.update("none");
    }
  }

  chartData(view, result) {
    const shown = view.rows.slice(-HISTORY_SHOWN_WEEKS);
    const n = shown.length;
    const h = view.horizon;
    const pad = (k) => new Array(k).fill(null);
    const past = (arr) => arr.concat(pad(h));
    const future = (arr) => pad(n).concat(arr);
    const iv80 = intervalAt(result, 80);
    const iv95 = intervalAt(result, 95);
    const line = { type: "line", fill: false, tension: 0, pointRadius: 0, pointHoverRadius: 4, borderWidth: 2 };
    const band = { type: "line", tension: 0, pointRadius: 0, pointHoverRadius: 0, pointHitRadius: 0, borderWidth: 0 };
    const datasets = [
      { ...line, key: "history", stack: "history", label: "Actual units", data: past(shown.map((r) => r.units)),
        borderColor: COLORS.history, backgroundColor: COLORS.history, borderWidth: 1.5, order: 0 },
      { ...line, key: "promo", stack: "promo", label: "Promotion week", showLine: false, pointStyle: "triangle",
        pointRadius: 5, pointHoverRadius: 7, data: past(shown.map((r) => (isPromoWeek(r) ? r.units : null))),
        borderColor: COLORS.promo, backgroundColor: COLORS.promo, order: 0 },
      { ...line, key: "forecast", stack: "forecast", label: "Forecast", data: future(result.mean),
        borderColor: COLORS.forecast, backgroundColor: COLORS.forecast, order: 0 },
      { ...band, key: "lo80", stack: "lo80", label: "80% lower", data: future(iv80.lower), fill: false,
        borderColor: "transparent", backgroundColor: COLORS.band80, order: 1 },
      { ...band, key: "hi80", stack: "hi80", label: "80% interval", data: future(iv80.upper), fill: "-1",
        borderColor: "transparent", backgroundColor: COLORS.band80, order: 1 },
      { ...band, key: "lo95", stack: "lo95", label: "95% lower", data: future(iv95.lower), fill: false,
        borderColor: "transparent", backgroundColor: COLORS.band95, order: 1 },
      { ...band, key: "hi95", stack: "hi95", label: "95% interval", data: future(iv95.upper), fill: "-1",
        borderColor: "transparent", backgroundColor: COLORS.band95, order: 1 },
    ];
    for (const c of result.components || []) {
      const info = PARTS[c.name] || { label: c.name, color: "#64748b" };
      if (!BASELINE_PARTS.has(c.name) && c.values.every((v) => Math.abs(v) < 0.05)) continue;
      datasets.push({
        type: "bar", key: `part:${c.name}`, stack: "parts", label: info.label, data: future(c.values),
        backgroundColor: `${info.color}b3`, borderWidth: 0, barPercentage: 0.9, categoryPercentage: 0.9, order: 2,
      });
    }
    this.shownRows = shown;
    return { labels: shown.map((r) => r.week).concat(view.weeks), datasets };
  }

  chartOptions() {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { stacked: true, grid: { display: false }, ticks: { color: COLORS.text, maxRotation: 0, autoSkip: true, autoSkipPadding: 24 } },
        y: {
          stacked: true,
          grid: { color: COLORS.grid },
          title: { display: true, text: "Units per week", color: COLORS.text },
          ticks: { color: COLORS.text, callback: (v) => (Number.isInteger(Number(v)) ? formatNumber(Number(v)) : units(Number(v))) },
        },
      },
      plugins: {
        shelfcastExplainStart: { index: 0 },
        legend: {
          position: "bottom",
          labels: { usePointStyle: true, boxHeight: 8, filter: (item, data) => !String(data.datasets[item.datasetIndex].key).startsWith("lo") },
        },
        tooltip: {
          filter: (item) => item.raw !== null && !String(item.dataset.key).startsWith("lo"),
          callbacks: {
            label: (ctx) => {
              const key = ctx.dataset.key;
              if (key === "hi80" || key === "hi95") {
                const lo = ctx.chart.data.datasets.find((d) => d.key === key.replace("hi", "lo"));
                return `${key === "hi80" ? "80%" : "95%"} interval: ${units(lo ? lo.data[ctx.dataIndex] : NaN)} – ${units(ctx.raw)}`;
              }
              if (key === "promo") {
                const row = this.shownRows && this.shownRows[ctx.dataIndex];
                return row ? `Promotion: ${describePromo(row)} (${units(ctx.raw)} units)` : "Promotion";
              }
              if (key.startsWith("part:") && !BASELINE_PARTS.has(key.slice(5))) {
                return `${ctx.dataset.label}: ${formatSigned(ctx.raw, { digits: 1 })}`;
              }
              return `${ctx.dataset.label}: ${units(ctx.raw)}`;
            },
          },
        },
      },
    };
  }

  draw(Chart, view, result) {
    const data = this.chartData(view, result);
    if (!this.chart) {
      this.chart = new Chart(this.canvasRef.el, {
        type: "bar", data, options: this.chartOptions(), plugins: [forecastStartPlugin],
      });
    } else {
      this.chart.data = data;
    }
    this.chart.options.plugins.shelfcastExplainStart.index = this.shownRows.length;
    this.chart.update("none");
  }
}
