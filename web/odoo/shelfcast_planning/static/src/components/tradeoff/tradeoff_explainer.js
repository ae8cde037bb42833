/** @odoo-module **/
// TradeoffExplainer: candidate promotions of a category side by side for an executive — the
// best-selling products at two depths, as a multi-buy and as a buy-one-get-one, plus the scenarios
// saved in the simulator — each simulated by the WebAssembly core with the category's fitted
// model. One bubble chart (incremental units across, incremental margin up, bubble size = stockout
// risk), a table ranked by incremental margin and a one-line rationale per candidate.
//
// Test hooks: root data-testid="tradeoff" with data-state (loading | ready | nomodel | error);
// the chart canvas data-testid="tradeoff-chart"; rows data-testid="tradeoff-row".

import { Component, onMounted, onWillStart, onWillUnmount, useRef, useState, xml } from "@odoo/owl";
import { loadCore } from "@shelfcast_planning/core/wasm";
import { loadChart } from "@shelfcast_planning/core/chart";
import { formatCurrency, formatPercent, formatSigned, formatWeek } from "@shelfcast_planning/core/format";
import {
    DRAWS,
    SEED,
    closeQuietly,
    effectiveDepth,
    failureMessage,
    listCategories,
    loadCategory,
    mechanicText,
    savedScenarios,
} from "@shelfcast_planning/components/promo_simulator/promo_data";

/** How many best sellers become candidates, and the mechanics each is tried with. */
const CANDIDATE_PRODUCTS = 5;
const MECHANICS = [
    { mechanic: "percent_off", depth: 0.2 },
    { mechanic: "percent_off", depth: 0.3 },
    { mechanic: "multi_buy", buy: 3, pay: 2 },
    { mechanic: "bogo" },
];
const PROMO_WEEKS = 2;
const RISK_HIGH = 0.1;

const COLORS = {
    candidate: "rgba(29, 78, 216, 0.45)",
    candidateBorder: "#1d4ed8",
    saved: "rgba(217, 119, 6, 0.55)",
    savedBorder: "#b45309",
    grid: "#e2e8f0",
    zero: "#94a3b8",
    text: "#475569",
};

export class TradeoffExplainer extends Component {
    static template = xml`
<div class="sc-tradeoff" data-testid="tradeoff" t-att-data-state="state.status">
  <div class="sc-card sc-tradeoff-controls">
    <div class="sc-field">
      <label class="sc-label" for="sc-to-category">Category</label>
      <select id="sc-to-category" data-testid="tradeoff-category" t-on-change="(ev) => this.load(ev.target.value)" t-att-disabled="!state.categories.length">
        <t t-foreach="state.categories" t-as="c" t-key="c.code">
          <option t-att-value="c.code" t-att-selected="c.code === state.category" t-esc="c.label"/>
        </t>
      </select>
    </div>
    <p class="sc-muted sc-tradeoff-note" t-if="state.window">Candidates run <t t-esc="state.window"/> in every store, simulated in this browser with model <span data-testid="tradeoff-model-version" t-esc="state.modelVersion"/>.</p>
  </div>

  <div class="sc-message" t-if="state.status === 'loading'" role="status"><span class="sc-spinner" aria-hidden="true"/> Simulating the candidates…</div>
  <div class="sc-message sc-error" t-if="state.status === 'error'" role="alert" data-testid="error-message" t-esc="state.message"/>
  <div class="sc-message" t-if="state.status === 'nomodel'">No promotion model has been fitted for this category yet; the Simulator tab offers to fit one.</div>

  <div class="sc-tradeoff-body" t-att-class="{ 'sc-hidden': state.status !== 'ready' }">
    <section class="sc-card sc-chart-card" aria-labelledby="sc-to-chart-title">
      <h2 class="sc-card-title" id="sc-to-chart-title">Incremental margin against incremental units <span class="sc-muted">(bubble size: stockout risk)</span></h2>
      <div class="sc-chart-frame">
        <canvas t-ref="chart" data-testid="tradeoff-chart" role="img" aria-label="Candidate promotions: incremental units across, incremental margin up, bubble size stockout risk"/>
      </div>
    </section>
    <section class="sc-card" aria-labelledby="sc-to-table-title">
      <h2 class="sc-card-title" id="sc-to-table-title">Candidates ranked by incremental margin</h2>
      <div class="sc-table-wrap">
        <table class="sc-table sc-tradeoff-table" data-testid="tradeoff-table">
          <thead><tr>
            <th scope="col">Rank</th><th scope="col">Promotion</th><th scope="col">Units</th><th scope="col">Margin</th>
            <th scope="col">Margin per extra unit</th><th scope="col">Stockout risk</th><th scope="col">Why</th>
          </tr></thead>
          <tbody>
            <tr t-foreach="state.rows" t-as="r" t-key="r.key" data-testid="tradeoff-row" t-att-class="{ 'sc-row-saved': r.saved }">
              <td t-esc="r.rank"/>
              <th scope="row"><t t-esc="r.name"/><span t-if="r.saved" class="sc-badge">saved</span></th>
              <td t-esc="r.units"/><td t-esc="r.margin"/><td t-esc="r.perUnit"/><td t-esc="r.risk"/>
              <td class="sc-rationale" t-esc="r.rationale"/>
            </tr>
          </tbody>
        </table>
      </div>
      <p class="sc-warning" t-foreach="state.failures" t-as="f" t-key="f_index" t-esc="f"/>
    </section>
  </div>
</div>`;

    static props = { api: Object, role: String, "*": true };

    setup() {
        this.chartRef = useRef("chart");
        this.state = useState({
            status: "loading",
            message: "",
            categories: [],
            category: "",
            rows: [],
            failures: [],
            modelVersion: "",
            window: "",
        });
        this.session = null;
        this.chart = null;
        onWillStart(async () => {
            [this.core, this.Chart] = await Promise.all([loadCore(), loadChart()]);
        });
        onMounted(() => {
            this.createChart();
            this.init();
        });
        onWillUnmount(() => {
            this.closeSession();
            if (this.chart) this.chart.destroy();
        });
    }

    async init() {
        try {
            const categories = await listCategories(this.props.api);
            this.state.categories = categories;
            if (!categories.length) {
                this.state.status = "error";
                this.state.message = "There are no products with a category.";
                return;
            }
            // The first category with a model, best sellers first.
            for (const c of categories) {
                if (await this.load(c.code)) return;
            }
        } catch (error) {
            this.fail(error);
        }
    }

    fail(error) {
        this.state.status = "error";
        this.state.message = failureMessage(error);
    }

    closeSession() {
        closeQuietly(this.session);
        this.session = null;
    }

    /** Loads a category and simulates its candidates; -> false when it has no model. */
    async load(code) {
        this.state.category = code;
        this.state.status = "loading";
        try {
            const data = await loadCategory(this.props.api, code);
            if (this.state.category !== code) return true;
            if (!data) {
                this.state.status = "nomodel";
                return false;
            }
            this.closeSession();
            this.session = this.core.openPromoSession(data.model, data.context);
            this.state.modelVersion = data.modelVersion;
            this.evaluate(data);
            this.state.status = "ready";
            return true;
        } catch (error) {
            this.fail(error);
            return true;
        }
    }

    candidates(data) {
        const start = data.firstPlanWeek + 2;
        const end = start + PROMO_WEEKS - 1;
        this.state.window = `${formatWeek(start)} to ${formatWeek(end)} (${PROMO_WEEKS} weeks)`;
        const list = [];
        for (const product of data.products.slice(0, CANDIDATE_PRODUCTS)) {
            for (const m of MECHANICS) {
                const promo = { products: [product.id], start_week: start, end_week: end, ...m };
                promo.id = mechanicText(promo);
                list.push({
                    key: `${product.id}-${m.mechanic}-${m.depth || m.buy || ""}`,
                    name: `${product.label}, ${promo.id}`,
                    promotions: [promo],
                    saved: false,
                });
            }
        }
        for (const s of savedScenarios()) {
            if (s.category !== data.category || !s.scenario) continue;
            list.push({ key: s.id, name: s.name, promotions: s.scenario.promotions, saved: true });
        }
        return list;
    }

    evaluate(data) {
        const results = [];
        const failures = [];
        for (const c of this.candidates(data)) {
            let r;
            try {
                r = this.session.simulate({
                    promotions: c.promotions,
                    draws: DRAWS,
                    seed: SEED,
                    detail: "totals",
                    alternative_depths: [],
                });
            } catch (error) {
                failures.push(`${c.name}: not simulated (${error.message})`);
                continue;
            }
            const units = r.totals.incremental;
            const margin = r.totals.incremental_margin;
            results.push({
                ...c,
                unitsValue: units,
                marginValue: margin,
                riskValue: r.max_stockout_probability,
                depth: effectiveDepth(c.promotions[0], data),
                rationale: rationale(r),
            });
        }
        results.sort((a, b) => b.marginValue - a.marginValue);
        this.state.rows = results.map((r, i) => ({
            key: r.key,
            rank: i + 1,
            name: r.name,
            saved: r.saved,
            units: formatSigned(r.unitsValue),
            margin: formatCurrency(r.marginValue, "EUR", { signed: true }),
            perUnit: r.unitsValue > 0 ? formatCurrency(r.marginValue / r.unitsValue) : "–",
            risk: typeof r.riskValue === "number" ? formatPercent(r.riskValue) : "no stock data",
            rationale: r.rationale,
        }));
        this.state.failures = failures;
        this.updateChart(results);
    }

    createChart() {
        this.chart = new this.Chart(this.chartRef.el, {
            type: "bubble",
            data: {
                datasets: [
                    {
                        key: "candidates",
                        label: "Candidates",
                        data: [],
                        backgroundColor: COLORS.candidate,
                        borderColor: COLORS.candidateBorder,
                    },
                    {
                        key: "saved",
                        label: "Saved scenarios",
                        data: [],
                        backgroundColor: COLORS.saved,
                        borderColor: COLORS.savedBorder,
                    },
                ],
            },
            options: {
                animation: false,
                responsive: true,
                maintainAspectRatio: false,
                plugins: {
                    legend: { position: "bottom", labels: { color: COLORS.text } },
                    tooltip: {
                        callbacks: {
                            label: (ctx) => {
                                const p = ctx.raw;
                                return `${p.name}: ${formatSigned(p.x)} units, ${formatCurrency(p.y, "EUR", {
                                    signed: true,
                                })} margin, stockout risk ${p.risk === null ? "unknown" : formatPercent(p.risk)}`;
                            },
                        },
                    },
                },
                scales: {
                    x: {
                        title: { display: true, text: "incremental units", color: COLORS.text },
                        grid: { color: COLORS.grid },
                        ticks: { color: COLORS.text, callback: (v) => formatSigned(v) },
                    },
                    y: {
                        title: { display: true, text: "incremental margin (EUR)", color: COLORS.text },
                        grid: { color: (ctx) => (ctx.tick && ctx.tick.value === 0 ? COLORS.zero : COLORS.grid) },
                        ticks: { color: COLORS.text, callback: (v) => formatCurrency(v, "EUR", { digits: 0 }) },
                        afterFit: (axis) => {
                            axis.width = 84;
                        },
                    },
                },
            },
        });
    }

    updateChart(results) {
        const point = (r) => ({
            x: r.unitsValue,
            y: r.marginValue,
            // Area grows with the risk: 4 px with none, 28 px at certain stockout.
            r: 4 + 24 * Math.sqrt(typeof r.riskValue === "number" ? r.riskValue : 0),
            risk: typeof r.riskValue === "number" ? r.riskValue : null,
            name: r.name,
        });
        const [candidates, saved] = this.chart.data.datasets;
        candidates.data = results.filter((r) => !r.saved).map(point);
        saved.data = results.filter((r) => r.saved).map(point);
        this.chart.update("none");
    }
}

/** One line: what the promotion earns or costs and what drives it, from the core's figures. */
function rationale(r) {
    const units = r.totals.incremental;
    const margin = r.totals.incremental_margin;
    const top = [...r.drivers].sort((a, b) => Math.abs(b.units) - Math.abs(a.units))[0];
    const parts = [];
    if (margin >= 0) parts.push(`adds ${formatCurrency(margin)} margin`);
    else parts.push(`costs ${formatCurrency(-margin)} margin`);
    parts.push(`for ${formatSigned(units)} units`);
    if (top) parts.push(`mostly ${top.label} (${formatSigned(top.units)})`);
    const risk = r.max_stockout_probability;
    if (typeof risk === "number" && risk > RISK_HIGH) parts.push(`stock short in a store (${formatPercent(risk)} risk)`);
    if (r.low_confidence) parts.push("low confidence");
    const line = parts.join(", ");
    return line.charAt(0).toUpperCase() + line.slice(1) + ".";
}
