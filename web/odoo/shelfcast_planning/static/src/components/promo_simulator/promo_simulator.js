/** @odoo-module **/
// PromoSimulator: a promotion what-if that runs in the browser. The category's fitted model and
// its context (prices, costs, stock, affinity) are fetched once; every input event is simulated by
// the WebAssembly core through one openPromoSession(model, context) — at most one simulation per
// animation frame, no server round trip. The chart is updated in place (no animation), the tiles
// keep fixed sizes, so nothing jumps while the slider moves.
//
// Test hooks: the root carries data-testid="promo-simulator", data-state (loading | ready |
// nomodel | error) and data-sim-count (simulations shown so far).

import { Component, onMounted, onPatched, onWillStart, onWillUnmount, useRef, useState, xml } from "@odoo/owl";
import { loadCore } from "@shelfcast_planning/core/wasm";
import { loadChart } from "@shelfcast_planning/core/chart";
import {
    formatCurrency,
    formatNumber,
    formatPercent,
    formatSigned,
    formatWeek,
    weekToIso,
} from "@shelfcast_planning/core/format";
import {
    DRAWS,
    buildScenario,
    closeQuietly,
    effectiveDepth,
    failureMessage,
    listCategories,
    loadCategory,
    openPlanSession,
    saveScenario,
    savedScenarios,
    sessionScenario,
    stockByProduct,
    submissionPayload,
    summarize,
} from "@shelfcast_planning/components/promo_simulator/promo_data";
import { OptionSelect } from "@shelfcast_planning/components/promo_simulator/option_select";

const SUBMIT_ROLES = ["planner", "admin", "batch"];
const FIT_ROLES = ["planner", "admin", "batch"];
const PLAN_WEEKS_AHEAD = 52;
/** Stillness after which the P10-P90 bands are simulated (the draws cost more than a frame). */
const BANDS_DELAY_MS = 150;

const COLORS = {
    baseline: "#64748b",
    units: "#1d4ed8",
    cannibalized: "#d97706",
    dip: "#b91c1c",
    grid: "#e2e8f0",
    text: "#475569",
};

/** The chart's series: key, label, kind (line, dashed line or bar) and colour (its legend swatch's
 * colour is in promo_simulator.css: the page's CSP allows no inline styles). */
const SERIES = [
    { key: "units", label: "With the promotion", kind: "line", color: COLORS.units },
    { key: "baseline", label: "Baseline", kind: "dashed", color: COLORS.baseline },
    { key: "cannibalized", label: "Taken from other products", kind: "bar", color: COLORS.cannibalized },
    { key: "dip", label: "Pull-forward and post-promotion dip", kind: "bar", color: COLORS.dip },
];

/** A performance mark, the first time only (where the first load's time goes: tests/bench). */
const marked = new Set();
function markOnce(name) {
    if (marked.has(name)) return;
    marked.add(name);
    performance.mark(name);
}

export class PromoSimulator extends Component {
    static template = xml`
<div class="sc-sim" data-testid="promo-simulator" t-att-data-state="state.status" t-att-data-sim-count="state.simCount">
  <form class="sc-card sc-sim-controls" aria-label="Promotion" t-on-submit.prevent="() => {}">
    <div class="sc-field">
      <label class="sc-label" for="sc-sim-category">Category</label>
      <select id="sc-sim-category" data-testid="category-select" t-on-change="onCategory" t-att-disabled="state.categories.length === 0">
        <t t-foreach="state.categories" t-as="c" t-key="c.code">
          <option t-att-value="c.code" t-att-selected="c.code === state.category" t-esc="c.label"/>
        </t>
      </select>
    </div>
    <t t-if="state.status === 'ready'">
      <div class="sc-field sc-field-wide">
        <label class="sc-label" for="sc-sim-products">Products <span class="sc-muted">(Ctrl/Shift for several)</span></label>
        <OptionSelect id="'sc-sim-products'" testid="'product-select'" options="state.products" selected="state.form.products"
                      multiple="true" size="4" onChange="onProductsChange"/>
      </div>
      <div class="sc-field">
        <label class="sc-label" for="sc-sim-stores">Stores</label>
        <OptionSelect id="'sc-sim-stores'" testid="'store-select'" options="state.whereOptions" selected="state.form.where" onChange="onWhereChange"/>
      </div>
      <div class="sc-field">
        <label class="sc-label" for="sc-sim-start">Start week</label>
        <OptionSelect id="'sc-sim-start'" testid="'start-week'" options="state.weeks" selected="state.form.startWeek" onChange="onStartChange"/>
      </div>
      <div class="sc-field">
        <label class="sc-label" for="sc-sim-end">End week</label>
        <OptionSelect id="'sc-sim-end'" testid="'end-week'" options="endWeeks" selected="state.form.endWeek" onChange="onEndChange"/>
      </div>
      <div class="sc-field">
        <label class="sc-label" for="sc-sim-mechanic">Mechanic</label>
        <select id="sc-sim-mechanic" data-testid="mechanic-select" t-on-change="(ev) => this.setField('mechanic', ev.target.value)">
          <option value="percent_off" t-att-selected="state.form.mechanic === 'percent_off'">Percent off</option>
          <option value="price_point" t-att-selected="state.form.mechanic === 'price_point'">Price point</option>
          <option value="multi_buy" t-att-selected="state.form.mechanic === 'multi_buy'">Multi-buy</option>
          <option value="bogo" t-att-selected="state.form.mechanic === 'bogo'">Buy one, get one</option>
        </select>
      </div>
      <div class="sc-field sc-field-slider" t-if="state.form.mechanic === 'percent_off' or state.form.mechanic === 'price_point'">
        <label class="sc-label" for="sc-sim-depth">
          <t t-if="state.form.mechanic === 'percent_off'">Discount <strong class="sc-slider-value" t-esc="depthText"/></t>
          <t t-else="">Promoted price <strong class="sc-slider-value" t-esc="priceText"/></t>
        </label>
        <input id="sc-sim-depth" type="range" min="5" max="70" step="1" data-testid="discount-slider"
               t-att-value="state.form.depthPct" t-on-input="onDepth"
               t-att-aria-valuetext="state.form.mechanic === 'percent_off' ? depthText + ' off' : priceText"/>
      </div>
      <div class="sc-field sc-field-multibuy" t-if="state.form.mechanic === 'multi_buy'">
        <span class="sc-label" id="sc-sim-multibuy-label">Buy … pay …</span>
        <div class="sc-inline" role="group" aria-labelledby="sc-sim-multibuy-label">
          <label class="sc-sr-only" for="sc-sim-buy">Buy</label>
          <select id="sc-sim-buy" data-testid="multibuy-buy" t-on-change="(ev) => this.setField('buy', Number(ev.target.value))">
            <t t-foreach="[2, 3, 4, 5]" t-as="n" t-key="n"><option t-att-value="n" t-att-selected="n === state.form.buy" t-esc="'Buy ' + n"/></t>
          </select>
          <label class="sc-sr-only" for="sc-sim-pay">Pay</label>
          <select id="sc-sim-pay" data-testid="multibuy-pay" t-on-change="(ev) => this.setField('pay', Number(ev.target.value))">
            <t t-foreach="[1, 2, 3, 4]" t-as="n" t-key="n"><option t-if="n &lt; state.form.buy" t-att-value="n" t-att-selected="n === state.form.pay" t-esc="'pay ' + n"/></t>
          </select>
        </div>
      </div>
      <fieldset class="sc-field sc-checks">
        <legend class="sc-label">Support</legend>
        <label><input type="checkbox" data-testid="feature-check" t-att-checked="state.form.feature" t-on-change="(ev) => this.setField('feature', ev.target.checked)"/> Leaflet feature</label>
        <label><input type="checkbox" data-testid="display-check" t-att-checked="state.form.display" t-on-change="(ev) => this.setField('display', ev.target.checked)"/> Secondary display</label>
      </fieldset>
    </t>
  </form>

  <div class="sc-message" t-if="state.status === 'loading'" role="status"><span class="sc-spinner" aria-hidden="true"/> <t t-esc="state.message or 'Loading the promotion model…'"/></div>
  <div class="sc-message sc-error" t-if="state.status === 'error'" role="alert" data-testid="error-message"><t t-esc="state.message"/>
    <button type="button" class="btn btn-secondary" t-on-click="() => this.selectCategory(state.category)">Try again</button>
  </div>
  <div class="sc-message" t-if="state.status === 'nomodel'" data-testid="no-model">
    <p>No promotion model has been fitted for this category yet.</p>
    <p t-if="canFit"><button type="button" class="btn btn-primary" data-testid="fit-model" t-on-click="onFit" t-att-disabled="state.fitting">
      <t t-if="state.fitting">Fitting… </t><t t-else="">Fit the model now</t></button></p>
    <p t-else="" class="sc-muted">A planner can fit it (Promotion models).</p>
  </div>

  <div class="sc-sim-body" t-att-class="{ 'sc-hidden': state.status !== 'ready' }">
    <div class="sc-kpis" role="group" aria-label="Simulated promotion figures">
      <div class="sc-kpi" data-testid="kpi-incremental-units">
        <span class="sc-kpi-label">Incremental units</span>
        <span class="sc-kpi-value" t-esc="state.kpi.units"/>
        <span class="sc-kpi-range" t-esc="state.kpi.unitsRange"/>
      </div>
      <div class="sc-kpi" data-testid="kpi-revenue">
        <span class="sc-kpi-label">Incremental revenue</span>
        <span class="sc-kpi-value" t-esc="state.kpi.revenue"/>
        <span class="sc-kpi-range" t-esc="state.kpi.revenueRange"/>
      </div>
      <div class="sc-kpi" data-testid="kpi-incremental-margin" t-att-class="{ 'sc-kpi-negative': state.kpi.marginNegative }">
        <span class="sc-kpi-label">Incremental margin</span>
        <span class="sc-kpi-value" t-esc="state.kpi.margin"/>
        <span class="sc-kpi-range" t-esc="state.kpi.marginRange"/>
      </div>
      <div class="sc-kpi" data-testid="kpi-stock-cover">
        <span class="sc-kpi-label">Stock cover</span>
        <span class="sc-kpi-value" t-esc="state.kpi.cover"/>
        <span class="sc-kpi-range" t-esc="state.kpi.coverNote"/>
      </div>
      <div class="sc-kpi" data-testid="kpi-stockout-risk" t-att-class="{ 'sc-kpi-negative': state.kpi.riskHigh }">
        <span class="sc-kpi-label">Stockout risk</span>
        <span class="sc-kpi-value" t-esc="state.kpi.risk"/>
        <span class="sc-kpi-range" t-esc="state.kpi.riskNote"/>
      </div>
    </div>

    <div class="sc-sim-main">
      <section class="sc-card sc-chart-card" aria-labelledby="sc-sim-chart-title">
        <h2 class="sc-card-title" id="sc-sim-chart-title">Units by week, all products of the category</h2>
        <div class="sc-chart-frame">
          <canvas t-ref="chart" data-testid="promo-chart" role="img"
                  aria-label="Weekly units: baseline, with the promotion, taken from other products, and the dip after it"/>
        </div>
        <ul class="sc-legend" aria-hidden="true">
          <li t-foreach="series" t-as="item" t-key="item.key">
            <span t-attf-class="sc-swatch sc-swatch-{{ item.kind }} sc-swatch-{{ item.key }}"/>
            <t t-esc="item.label"/>
          </li>
        </ul>
      </section>
      <aside class="sc-card sc-why" aria-labelledby="sc-sim-why-title">
        <h2 class="sc-card-title" id="sc-sim-why-title">Why</h2>
        <p class="sc-explanation" data-testid="explanation" aria-live="polite" t-esc="state.sentences"/>
        <p class="sc-warning" t-if="state.simError" role="alert" data-testid="simulation-error" t-esc="state.simError"/>
        <p class="sc-warning" t-if="state.lowConfidence">Low confidence: a promoted product has little price or promotion history.</p>
        <table class="sc-table sc-drivers">
          <caption class="sc-sr-only">Drivers that add up to the incremental units and margin</caption>
          <thead><tr><th scope="col">Driver</th><th scope="col">Units</th><th scope="col">Margin</th></tr></thead>
          <tbody>
            <tr t-foreach="state.drivers" t-as="d" t-key="d_index">
              <th scope="row" t-esc="d.label"/><td t-esc="d.units"/><td t-esc="d.margin"/>
            </tr>
          </tbody>
        </table>
        <p class="sc-muted sc-version">Model <span data-testid="sim-model-version" t-esc="state.modelVersion"/></p>
      </aside>
    </div>

    <div class="sc-sim-bottom">
      <section class="sc-card" aria-labelledby="sc-sim-depths-title">
        <h2 class="sc-card-title" id="sc-sim-depths-title">Other depths, ranked by incremental margin</h2>
        <table class="sc-table" data-testid="depth-ranking">
          <thead><tr><th scope="col">Rank</th><th scope="col">Depth</th><th scope="col">Units</th><th scope="col">Margin</th></tr></thead>
          <tbody>
            <tr t-foreach="state.depthOptions" t-as="o" t-key="o.depth">
              <td t-esc="o.rank"/><td t-esc="o.depthText"/><td t-esc="o.units"/><td t-esc="o.margin"/>
            </tr>
          </tbody>
        </table>
      </section>
      <section class="sc-card sc-actions" aria-labelledby="sc-sim-actions-title">
        <h2 class="sc-card-title" id="sc-sim-actions-title">Scenario</h2>
        <div class="sc-field">
          <label class="sc-label" for="sc-sim-name">Name</label>
          <input id="sc-sim-name" type="text" data-testid="scenario-name" t-att-value="state.form.name" t-on-input="onName" maxlength="120"/>
        </div>
        <div class="sc-buttons">
          <button type="button" class="btn btn-secondary" data-testid="save-scenario" t-on-click="onSave" t-att-disabled="!state.hasResult">Save scenario</button>
          <button t-if="canSubmit" type="button" class="btn btn-primary" data-testid="submit-for-approval" t-on-click="onSubmit" t-att-disabled="!state.hasResult or state.submitting">Submit for approval</button>
        </div>
        <p class="sc-muted" t-if="!canSubmit">Your role (<t t-esc="props.role"/>) reads scenarios; planners submit them.</p>
        <p class="sc-status" t-if="state.saved" role="status" data-testid="save-status" t-esc="state.saved"/>
        <div class="sc-status" t-if="state.submission" role="status" data-testid="submission-status" t-att-data-approval-id="state.submission.id" t-att-data-approval-status="state.submission.status">
          <strong t-esc="state.submission.headline"/>
          <ul t-if="state.submission.reasons.length"><li t-foreach="state.submission.reasons" t-as="r" t-key="r_index" t-esc="r"/></ul>
        </div>
        <p class="sc-warning" t-if="state.submitError" role="alert" data-testid="submission-error" t-esc="state.submitError"/>
      </section>
    </div>
  </div>
</div>`;

    static props = { api: Object, role: String, "*": true };
    static components = { OptionSelect };

    setup() {
        // Stable handlers: OptionSelect re-renders only when its props change.
        this.onProductsChange = (ids) => {
            this.state.form.products = ids;
            this.pendingRanking = true;
            this.requestSimulation(false);
        };
        this.onWhereChange = (value) => this.setField("where", value);
        this.onStartChange = (week) => this.setWeeks(week, null);
        this.onEndChange = (week) => this.setWeeks(null, week);
        this.endWeeksFor = null;
        this.endWeeksList = [];
        // The category list loads while the WebAssembly core does.
        this.categoriesPromise = listCategories(this.props.api);
        this.categoriesPromise.catch(() => {});
        this.chartRef = useRef("chart");
        this.series = SERIES;
        this.state = useState({
            status: "loading",
            message: "",
            categories: [],
            category: "",
            products: [],
            whereOptions: [],
            weeks: [],
            form: {
                products: [],
                where: "all",
                startWeek: 0,
                endWeek: 0,
                mechanic: "percent_off",
                depthPct: 25,
                buy: 3,
                pay: 2,
                feature: false,
                display: false,
                name: "",
            },
            kpi: summarize(null, null),
            sentences: "",
            drivers: [],
            depthOptions: [],
            modelVersion: "",
            lowConfidence: false,
            simError: "",
            simCount: 0,
            hasResult: false,
            fitting: false,
            submitting: false,
            submission: null,
            submitError: "",
            saved: "",
        });
        // Large, non-reactive: the category's record, context, session and the last result.
        this.data = null;
        this.session = null;
        this.chart = null;
        this.frame = 0;
        this.bandsTimer = 0;
        this.pendingRanking = true;
        this.lastResult = null;
        this.lastScenario = null;
        this.hooks = null;
        this.inputTime = null;
        this.work = null;
        this.firstMarked = false;

        // Mounted once Chart.js is in: the chart is made while the WASM core still compiles
        // (selectCategory waits for the core with the category's data).
        onWillStart(async () => {
            this.Chart = await loadChart();
        });
        onMounted(() => {
            this.createChart();
            markOnce("shelfcast:chart");
            this.init();
            if (globalThis.__shelfcastTestHooks) {
                this.hooks = { timings: [], inject: (m, c, s) => this.inject(m, c, s) };
                globalThis.__shelfcastSimulator = this.hooks;
            }
        });
        onPatched(() => {
            if (this.state.simCount > 0 && !this.firstMarked) {
                // Navigation to the first simulated result on screen (tests/bench/bench_web.mjs).
                this.firstMarked = true;
                performance.mark("shelfcast:first-simulation");
            }
            if (this.hooks && this.inputTime !== null && this.inputTime !== undefined) {
                // Slider input -> DOM patched -> the frame rendered (a task posted now runs after it).
                const record = { input: this.inputTime, patched: performance.now(), ...this.work };
                this.inputTime = null;
                const channel = new MessageChannel();
                channel.port1.onmessage = () => {
                    record.painted = performance.now();
                    this.hooks.timings.push(record);
                    channel.port1.close();
                };
                channel.port2.postMessage(0);
            }
        });
        onWillUnmount(() => {
            if (this.frame) cancelAnimationFrame(this.frame);
            clearTimeout(this.bandsTimer);
            this.closeSession();
            if (this.chart) this.chart.destroy();
            if (globalThis.__shelfcastSimulator) delete globalThis.__shelfcastSimulator;
        });
    }

    /** The end-week choices: the weeks from the start week on (one list per start week). */
    get endWeeks() {
        const start = this.state.form.startWeek;
        if (this.endWeeksFor !== start || this.endWeeksSource !== this.state.weeks) {
            this.endWeeksFor = start;
            this.endWeeksSource = this.state.weeks;
            this.endWeeksList = this.state.weeks.filter((w) => w.value >= start);
        }
        return this.endWeeksList;
    }

    get canSubmit() {
        return SUBMIT_ROLES.includes(this.props.role);
    }
    get canFit() {
        return FIT_ROLES.includes(this.props.role);
    }
    get depthText() {
        return formatPercent(this.state.form.depthPct / 100);
    }
    get priceText() {
        const price = this.pricePoint();
        return Number.isFinite(price) ? formatCurrency(price) : "–";
    }

    /** Price point mechanic: the slider's depth off the lowest regular price of the products. */
    pricePoint() {
        if (!this.data) return NaN;
        const regular = this.state.form.products
            .map((id) => this.data.priceOf.get(id))
            .filter((p) => p > 0);
        if (!regular.length) return NaN;
        return Math.round(Math.min(...regular) * (1 - this.state.form.depthPct / 100) * 100) / 100;
    }

    // ---- loading ----------------------------------------------------------------------------

    async init() {
        try {
            const categories = await this.categoriesPromise;
            this.state.categories = categories;
            if (!categories.length) {
                this.state.status = "error";
                this.state.message = "There are no products with a category to plan promotions for.";
                return;
            }
            await this.selectCategory(categories[0].code);
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

    async selectCategory(code) {
        this.state.category = code;
        this.state.status = "loading";
        this.state.message = "Loading the promotion model…";
        this.state.hasResult = false;
        this.state.submission = null;
        this.state.submitError = "";
        this.state.saved = "";
        this.closeSession();
        try {
            const [data] = await Promise.all([loadCategory(this.props.api, code), this.loadCoreOnce()]);
            markOnce("shelfcast:data");
            if (this.state.category !== code) return;
            if (!data) {
                this.state.status = "nomodel";
                return;
            }
            this.openSession(data);
            markOnce("shelfcast:session-open");
            this.pendingRanking = true;
            this.state.status = "ready";
            this.requestSimulation(true);
        } catch (error) {
            if (this.state.category === code) this.fail(error);
        }
    }

    async loadCoreOnce() {
        if (this.core) return;
        try {
            this.core = await loadCore();
        } catch (error) {
            throw new Error(`the in-browser simulation engine (WebAssembly) did not load (${error.message})`);
        }
        markOnce("shelfcast:core-ready");
    }

    openSession(data) {
        this.data = data;
        this.session = openPlanSession(this.core, data);
        this.state.modelVersion = data.modelVersion;
        this.state.products = data.products.map((p) => ({ value: p.id, label: p.label }));
        this.state.whereOptions = [
            { value: "all", label: "All stores" },
            ...data.clusters.map((c) => ({ value: `cluster:${c.name}`, label: c.label })),
            ...data.stores.map((s) => ({ value: `store:${s.id}`, label: s.label })),
        ];
        const weeks = [];
        for (let w = data.firstPlanWeek; w < data.firstPlanWeek + PLAN_WEEKS_AHEAD; w += 1) {
            weeks.push({ value: w, label: formatWeek(w) });
        }
        this.state.weeks = weeks;
        const form = this.state.form;
        form.products = data.products.length ? [data.products[0].id] : [];
        form.where = "all";
        form.startWeek = data.firstPlanWeek + 2;
        form.endWeek = data.firstPlanWeek + 3;
        form.name = "";
    }

    /**
     * Bench and test hook (only with globalThis.__shelfcastTestHooks set before the page loads): a
     * model, context and scenario built elsewhere (tests/bench/bench_web.mjs). The form drives the
     * scenario's first promotion; the others stay in the plan as they are.
     */
    inject(model, context, scenario) {
        const promo = scenario.promotions[0];
        const products = model.products.map((p) => ({ id: p.product, code: String(p.product), label: `Product ${p.product}` }));
        const storeIds = [...new Set(model.levels.map((l) => l.store))].sort((a, b) => a - b);
        const data = {
            category: model.category || "bench",
            model,
            context,
            modelVersion: model.model_version,
            products,
            productCode: new Map(products.map((p) => [p.id, p.code])),
            priceOf: new Map((context.products || []).map((p) => [p.product, p.regular_price])),
            stores: storeIds.map((id) => ({ id, code: String(id), label: `Store ${id}` })),
            storeCode: new Map(storeIds.map((id) => [id, String(id)])),
            clusters: [],
            stockByProduct: stockByProduct(context.stock || []),
            otherPromotions: scenario.promotions.slice(1),
            firstPlanWeek: promo.start_week - 2,
        };
        this.closeSession();
        this.openSession(data);
        const form = this.state.form;
        form.products = promo.products.slice();
        form.startWeek = promo.start_week;
        form.endWeek = promo.end_week;
        form.mechanic = promo.mechanic || "percent_off";
        form.depthPct = Math.round((promo.depth || 0.25) * 100);
        form.where = "all";
        this.pendingRanking = true;
        this.state.status = "ready";
        this.requestSimulation(true);
        return data.products.length;
    }

    async onCategory(ev) {
        await this.selectCategory(ev.target.value);
    }

    async onFit() {
        this.state.fitting = true;
        try {
            await this.props.api.post("/api/v1/promo/models", { category: this.state.category });
            this.state.fitting = false;
            await this.selectCategory(this.state.category);
        } catch (error) {
            this.state.fitting = false;
            this.fail(error);
        }
    }

    // ---- inputs -----------------------------------------------------------------------------

    onName(ev) {
        this.state.form.name = ev.target.value;
    }

    onDepth(ev) {
        if (this.hooks && this.inputTime === null) this.inputTime = ev.timeStamp;
        this.state.form.depthPct = Number(ev.target.value);
        this.requestSimulation(false);
    }

    setField(name, value) {
        const form = this.state.form;
        form[name] = value;
        if (name === "buy" && form.pay >= value) form.pay = value - 1;
        this.pendingRanking = true;
        this.requestSimulation(false);
    }

    setWeeks(start, end) {
        const form = this.state.form;
        if (start !== null) {
            const length = form.endWeek - form.startWeek;
            form.startWeek = start;
            form.endWeek = start + Math.max(0, length);
        }
        if (end !== null) form.endWeek = Math.max(end, form.startWeek);
        this.pendingRanking = true;
        this.requestSimulation(false);
    }

    /**
     * One simulation per animation frame: the first input of a frame simulates at once (so its
     * result is painted in the next frame); later inputs of the same frame are folded into one
     * simulation when the frame comes.
     */
    requestSimulation(now) {
        if (!this.session) return;
        if (this.frame) {
            this.dirty = true;
            return;
        }
        this.runSimulation(false);
        this.frame = requestAnimationFrame(() => this.onFrame());
        if (now) this.dirty = false;
    }

    onFrame() {
        this.frame = 0;
        if (this.dirty) {
            this.dirty = false;
            this.runSimulation(false);
            this.frame = requestAnimationFrame(() => this.onFrame());
        }
    }

    /**
     * While the planner drags, each frame gets the point figures only (chart, tiles, drivers);
     * the Monte Carlo bands follow once the input has been still for BANDS_DELAY_MS, so the
     * repaint never waits for the draws. A still form is always simulated in full.
     */
    scheduleBands() {
        clearTimeout(this.bandsTimer);
        this.bandsTimer = setTimeout(() => {
            this.bandsTimer = 0;
            if (this.frame || !this.session) {
                this.scheduleBands();  // still moving: wait for the next still moment
                return;
            }
            this.runSimulation(true);
        }, BANDS_DELAY_MS);
    }

    /** The figures with their bands, now (before a save or a submission). */
    ensureBands() {
        if (this.lastScenario && this.lastScenario.draws === 0 && this.session) {
            clearTimeout(this.bandsTimer);
            this.bandsTimer = 0;
            this.runSimulation(true);
        }
    }

    runSimulation(withBands) {
        const form = this.state.form;
        const withRanking = this.pendingRanking;
        const scenario = buildScenario(this.data, form, {
            pricePoint: this.pricePoint(),
            withRanking,
            draws: withBands ? DRAWS : 0,
        });
        if (!scenario) {
            this.state.simError = "Choose at least one product.";
            return;
        }
        let result;
        const t0 = performance.now();
        try {
            result = this.session.simulate(sessionScenario(scenario, this.data));
        } catch (error) {
            this.state.simError = error.message;
            this.state.hasResult = false;
            return;
        }
        const t1 = performance.now();
        markOnce("shelfcast:first-simulate");
        this.pendingRanking = false;
        this.lastResult = result;
        this.lastScenario = scenario;
        this.updateChart(result);
        this.work = { simulateMs: t1 - t0, chartMs: performance.now() - t1 };
        const s = this.state;
        s.simError = "";
        s.kpi = summarize(result, this.data, scenario);
        s.sentences = result.sentences.join(" ");
        s.drivers = result.drivers.map((d) => ({
            label: d.label,
            units: formatSigned(d.units),
            margin: formatCurrency(d.margin, "EUR", { signed: true }),
        }));
        if (withRanking) {
            s.depthOptions = result.depth_options.map((o) => ({
                depth: o.depth,
                rank: o.rank,
                depthText: formatPercent(o.depth),
                units: formatSigned(o.incremental_units),
                margin: formatCurrency(o.incremental_margin, "EUR", { signed: true }),
            }));
            this.lastRanking = result.depth_options;
        }
        s.modelVersion = result.model_version;
        s.lowConfidence = result.low_confidence;
        s.hasResult = true;
        s.simCount += 1;
        if (!withBands) this.scheduleBands();
    }

    // ---- chart ------------------------------------------------------------------------------

    createChart() {
        const Chart = this.Chart;
        // The legend is the page's own list under the canvas (SERIES), not Chart.js's: drawn once,
        // instead of measured and painted on the canvas at every slider event.
        const dataset = (key, label, type, color, extra = {}) => ({
            key,
            label,
            type,
            data: [],
            borderColor: color,
            backgroundColor: type === "bar" ? color : "transparent",
            borderWidth: type === "bar" ? 0 : 2,
            pointRadius: 0,
            tension: 0,
            ...extra,
        });
        this.chart = new Chart(this.chartRef.el, {
            type: "bar",
            data: {
                labels: [],
                datasets: SERIES.map((s, order) =>
                    dataset(s.key, s.label, s.kind === "bar" ? "bar" : "line", s.color, {
                        order,
                        ...(s.kind === "dashed" ? { borderDash: [6, 4] } : {}),
                        ...(s.kind === "bar" ? { stack: "lost" } : {}),
                    })
                ),
            },
            options: {
                animation: false,
                responsive: true,
                maintainAspectRatio: false,
                interaction: { mode: "index", intersect: false },
                plugins: {
                    // Off: each plugin is asked for its options at every update of every slider
                    // event, and this chart uses none of them.
                    title: false,
                    subtitle: false,
                    decimation: false,
                    filler: false,
                    colors: false,
                    legend: false,
                    tooltip: {
                        callbacks: {
                            label: (ctx) => `${ctx.dataset.label}: ${formatNumber(ctx.parsed.y)}`,
                        },
                    },
                },
                scales: {
                    // sampleSize 1: the labels (ISO dates, a fixed-width axis) all measure the
                    // same, so measuring one at each update places them as measuring all would.
                    // Upright labels, thinned to fit: no rotation to fit at every update.
                    x: {
                        stacked: true,
                        grid: { display: false },
                        ticks: { color: COLORS.text, sampleSize: 1, maxRotation: 0, autoSkipPadding: 12 },
                    },
                    y: {
                        stacked: false,
                        grid: { color: COLORS.grid },
                        ticks: { color: COLORS.text, sampleSize: 1, callback: (v) => formatNumber(v) },
                        title: { display: true, text: "units", color: COLORS.text },
                        // A fixed axis width: the plot does not shift as the numbers grow.
                        afterFit: (axis) => {
                            axis.width = 72;
                        },
                    },
                },
            },
        });
    }

    updateChart(result) {
        const chart = this.chart;
        if (!chart) return;
        const weeks = result.weeks;
        const labels = weeks.map((w) => weekToIso(w.week));
        const series = {
            units: weeks.map((w) => w.units),
            baseline: weeks.map((w) => w.baseline),
            cannibalized: weeks.map((w) => -w.cannibalized),
            dip: weeks.map((w) => -(w.dip + w.pull_forward)),
        };
        // In place: the same arrays keep their identity, Chart.js redraws without animation.
        const sameWeeks =
            chart.data.labels.length === labels.length && chart.data.labels.every((l, i) => l === labels[i]);
        if (!sameWeeks) chart.data.labels.splice(0, chart.data.labels.length, ...labels);
        for (const ds of chart.data.datasets) {
            const values = series[ds.key];
            ds.data.length = values.length;
            for (let i = 0; i < values.length; i += 1) ds.data[i] = values[i];
        }
        chart.update("none");
    }

    // ---- save and submit --------------------------------------------------------------------

    scenarioRecord() {
        const form = this.state.form;
        const name =
            form.name.trim() ||
            `${this.state.category}: ${form.products.map((id) => this.data.productCode.get(id)).join(", ")}, ${
                form.mechanic === "percent_off" ? this.depthText + " off" : form.mechanic.replace("_", " ")
            }, ${weekToIso(form.startWeek)}`;
        return {
            name,
            category: this.state.category,
            form: JSON.parse(JSON.stringify(form)),
            scenario: this.lastScenario,
            modelVersion: this.lastResult.model_version,
            figures: {
                incremental_units: this.lastResult.totals.incremental,
                incremental_units_p10: this.lastResult.incremental_units.p10,
                incremental_units_p90: this.lastResult.incremental_units.p90,
                incremental_revenue: this.lastResult.totals.revenue - this.lastResult.totals.baseline_revenue,
                incremental_margin: this.lastResult.totals.incremental_margin,
                incremental_margin_p10: this.lastResult.incremental_margin.p10,
                incremental_margin_p90: this.lastResult.incremental_margin.p90,
                stockout_risk: this.lastResult.max_stockout_probability,
                effective_depth: effectiveDepth(this.lastScenario.promotions[0], this.data),
            },
            sentence: this.lastResult.sentences[0] || "",
        };
    }

    onSave() {
        if (!this.lastResult) return;
        this.ensureBands();
        const record = saveScenario(this.scenarioRecord());
        this.state.saved = `Saved "${record.name}" (${savedScenarios().length} saved in this browser).`;
        if (this.props.onScenarioSaved) this.props.onScenarioSaved(record);
    }

    async onSubmit() {
        if (!this.lastResult || !this.canSubmit) return;
        this.ensureBands();
        this.state.submitting = true;
        this.state.submitError = "";
        this.state.submission = null;
        const record = this.scenarioRecord();
        try {
            const answer = await this.props.api.post("/api/v1/approvals", {
                kind: "promotion",
                title: record.name,
                payload: submissionPayload(record, this.data),
            });
            const approval = answer.approvals[0];
            this.state.submission = {
                id: approval.id,
                status: approval.status,
                headline:
                    approval.status === "auto_approved"
                        ? `Submission #${approval.id} was approved automatically: no rule tripped.`
                        : `Submission #${approval.id} waits for an approver.`,
                reasons: approval.reasons || [],
            };
            if (this.props.onSubmitted) this.props.onSubmitted(approval);
        } catch (error) {
            this.state.submitError = `Not submitted: ${error.message}`;
        } finally {
            this.state.submitting = false;
        }
    }
}
