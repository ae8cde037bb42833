/** @odoo-module **/
// Field widget `shelfcast_promo_uplift` on the loyalty.program form: the live uplift of the
// program being edited. Its field (loyalty.program.shelfcast_promotion, computed by the addon on
// every edit of rewards, rules or dates) says what Shelfcast can simulate: per reward the
// mechanic and depth, the internal references of the products it applies to, and the dates.
// The widget maps the references to Shelfcast products, loads each category's promotion model and
// context from the Shelfcast server (through the addon's proxy), and simulates the program in the
// WASM core — again after every edit, without a server round trip once the models are loaded.

import { Component, onWillUnmount, useEffect, useState, xml } from "@odoo/owl";
import { registry } from "@web/core/registry";
import {
  formatCurrency,
  formatNumber,
  formatPercent,
  formatSigned,
  formatWeek,
  isoToWeek,
} from "@shelfcast_planning/core/format";
import { loadCore } from "@shelfcast_planning/core/wasm";
import { odooShelfcast } from "@shelfcast_planning/odoo/odoo_api";
import {
  DRAWS,
  SEED,
  loadCategory,
  mechanicText,
  productList,
} from "@shelfcast_planning/components/promo_simulator/promo_data";

/** Weeks simulated when the program has no start or end date. */
const DEFAULT_WEEKS = 4;
/** Longest program simulated week by week. */
const MAX_WEEKS = 26;
const DEBOUNCE_MS = 150;

function parseSpec(value) {
  if (!value || typeof value !== "string") return null;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}

function signedUnits(x) {
  return formatSigned(x, { digits: Math.abs(x) < 10 ? 1 : 0 });
}

export class PromoUpliftField extends Component {
  static props = ["*"];
  static template = xml`
<div class="o_shelfcast_uplift" t-att-data-state="state.status" data-testid="promo-uplift">
  <div class="o_shelfcast_uplift_head">
    <strong>Shelfcast uplift</strong>
    <span class="text-muted" t-if="spec and spec.promotions.length"> · <t t-esc="weeksText"/></span>
    <span class="text-muted o_shelfcast_uplift_status" role="status" t-if="state.status === 'loading'">simulating…</span>
  </div>
  <p class="text-muted" t-if="!spec or (!spec.promotions.length and !spec.skipped.length)">
    Add a percentage discount or a free-product reward on named products to see its expected uplift.
  </p>
  <p class="text-danger" role="alert" t-if="state.status === 'error'" t-esc="state.error"/>
  <table class="table table-sm o_shelfcast_uplift_table" t-if="state.rows.length">
    <thead>
      <tr><th scope="col">Promotion</th><th scope="col">Category</th><th scope="col" class="text-end">Incremental units</th>
          <th scope="col" class="text-end">P10 – P90</th><th scope="col" class="text-end">Incremental margin</th>
          <th scope="col" class="text-end">Stockout risk</th></tr>
    </thead>
    <tbody>
      <t t-foreach="state.rows" t-as="row" t-key="row_index">
        <tr>
          <td><t t-esc="row.promotion"/><div class="text-muted small" t-esc="row.coverage"/></td>
          <td t-esc="row.category"/>
          <t t-if="row.message"><td colspan="4" class="text-muted" t-esc="row.message"/></t>
          <t t-else="">
            <td class="text-end" t-esc="row.units"/>
            <td class="text-end" t-esc="row.unitsRange"/>
            <td class="text-end" t-esc="row.margin"/>
            <td class="text-end" t-esc="row.stockout"/>
          </t>
        </tr>
      </t>
    </tbody>
  </table>
  <ul class="o_shelfcast_uplift_sentences" t-if="state.sentences.length">
    <t t-foreach="state.sentences" t-as="s" t-key="s_index"><li t-esc="s"/></t>
  </ul>
  <ul class="text-muted small o_shelfcast_uplift_notes" t-if="notes.length">
    <t t-foreach="notes" t-as="n" t-key="n_index"><li t-esc="n"/></t>
  </ul>
  <p class="text-muted small" t-if="state.versions.length">Model <t t-esc="state.versions.join(', ')"/>, simulated in this browser (<t t-esc="draws"/> Monte Carlo draws).</p>
</div>`;

  setup() {
    this.draws = DRAWS;
    this.state = useState({ status: "idle", error: "", rows: [], sentences: [], versions: [], notes: [] });
    this.sessions = new Map(); // category -> {data, session}
    this.timer = null;
    this.seq = 0;
    useEffect(
      (value) => {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.simulate(value), DEBOUNCE_MS);
      },
      () => [this.value]
    );
    onWillUnmount(() => {
      clearTimeout(this.timer);
      this.seq += 1;
      for (const { session } of this.sessions.values()) {
        if (session) session.close();
      }
      this.sessions.clear();
    });
  }

  get value() {
    return this.props.record.data[this.props.name] || "";
  }

  get spec() {
    const spec = parseSpec(this.value);
    return spec && Array.isArray(spec.promotions) ? { skipped: [], ...spec } : null;
  }

  /** [first, last] week numbers of the program (Monday weeks, as the models count them). */
  weeks(spec, firstPlanWeek) {
    let first = spec.date_from ? isoToWeek(spec.date_from) : NaN;
    let last = spec.date_to ? isoToWeek(spec.date_to) : NaN;
    if (!Number.isFinite(first)) first = Number.isFinite(last) ? Math.max(firstPlanWeek, last - DEFAULT_WEEKS + 1) : firstPlanWeek;
    if (!Number.isFinite(last)) last = first + DEFAULT_WEEKS - 1;
    return [first, Math.min(last, first + MAX_WEEKS - 1)];
  }

  get weeksText() {
    const spec = this.spec;
    if (!spec) return "";
    if (!spec.date_from && !spec.date_to) return `no dates: the ${DEFAULT_WEEKS} weeks after the model's data`;
    return `${spec.date_from || "…"} – ${spec.date_to || "…"}`;
  }

  get notes() {
    const spec = this.spec;
    return [...(spec ? spec.skipped : []), ...this.state.notes];
  }

  async category(api, code) {
    if (!this.sessions.has(code)) {
      const loading = (async () => {
        const [data, core] = await Promise.all([loadCategory(api, code), loadCore()]);
        if (!data) return { data: null, session: null };
        return { data, session: core.openPromoSession(data.model, data.context) };
      })();
      this.sessions.set(code, loading);
      loading.catch(() => this.sessions.delete(code));
    }
    return this.sessions.get(code);
  }

  async simulate(value) {
    const seq = ++this.seq;
    const stale = () => seq !== this.seq;
    const spec = parseSpec(value);
    if (!spec || !Array.isArray(spec.promotions) || !spec.promotions.length) {
      Object.assign(this.state, { status: "idle", error: "", rows: [], sentences: [], versions: [], notes: [] });
      return;
    }
    this.state.status = "loading";
    try {
      const { api } = await odooShelfcast();
      const products = await productList(api);
      // Promotion models are per category code (GET /api/v1/products gives it beside the name).
      const categoryOf = new Map(products.map((p) => [p.code, p.category_code || p.category]));
      const categoryName = new Map(products.map((p) => [p.category_code || p.category, p.category || p.category_code]));
      const rows = [];
      const sentences = [];
      const versions = new Set();
      const notes = [];
      for (const promo of spec.promotions) {
        const name = `${promo.label || "Reward"} (${mechanicText(promo)})`;
        const byCategory = new Map();
        let unknown = 0;
        for (const code of promo.codes || []) {
          const cat = categoryOf.get(code);
          if (!cat) {
            unknown += 1;
            continue;
          }
          if (!byCategory.has(cat)) byCategory.set(cat, []);
          byCategory.get(cat).push(code);
        }
        const gaps = [];
        if (promo.products > (promo.codes || []).length + (promo.without_code || 0)) {
          gaps.push(`${formatNumber(promo.products)} products in all, the first ${formatNumber((promo.codes || []).length + (promo.without_code || 0))} read`);
        }
        if (promo.without_code) gaps.push(`${formatNumber(promo.without_code)} without an internal reference`);
        if (unknown) gaps.push(`${formatNumber(unknown)} unknown to Shelfcast`);
        if (!byCategory.size) {
          rows.push({ promotion: name, coverage: gaps.join("; "), category: "–",
                      message: "None of its products is known to Shelfcast (matched by internal reference)." });
          continue;
        }
        for (const [code, codes] of byCategory) {
          const cat = categoryName.get(code) || code;
          const { data, session } = await this.category(api, code);
          if (stale()) return;
          if (!data) {
            rows.push({ promotion: name, coverage: `${formatNumber(codes.length)} product(s)`, category: cat,
                        message: "No promotion model for this category yet: fit one in the Shelfcast simulator." });
            continue;
          }
          const idOf = new Map(data.products.map((p) => [p.code, p.id]));
          const ids = codes.map((c) => idOf.get(c)).filter((id) => id !== undefined);
          if (!ids.length) {
            rows.push({ promotion: name, coverage: `${formatNumber(codes.length)} product(s)`, category: cat,
                        message: "Its products are not in this category's promotion model (too little history)." });
            continue;
          }
          const [first, last] = this.weeks(spec, data.firstPlanWeek);
          if (last < first) {
            rows.push({ promotion: name, coverage: "", category: cat, message: "The program ends before it starts." });
            continue;
          }
          const plan = { id: promo.label || "program", products: ids, start_week: first, end_week: last, mechanic: promo.mechanic };
          if (promo.mechanic === "percent_off") plan.depth = promo.depth;
          if (promo.mechanic === "multi_buy") Object.assign(plan, { buy: promo.buy, pay: promo.pay });
          const result = session.simulate({
            promotions: [plan],
            draws: DRAWS,
            seed: SEED,
            detail: "totals",
            calendar_weeks: true,
          });
          versions.add(result.model_version);
          const missing = codes.length - ids.length;
          rows.push({
            promotion: name,
            coverage: [`${formatNumber(ids.length)} product(s), ${formatWeek(first)} – ${formatWeek(last)}`, ...gaps,
                       ...(missing ? [`${formatNumber(missing)} outside the model`] : [])].join("; "),
            category: cat,
            units: signedUnits(result.totals.incremental),
            unitsRange: `${signedUnits(result.incremental_units.p10)} – ${signedUnits(result.incremental_units.p90)}`,
            margin: formatCurrency(result.totals.incremental_margin, "EUR", { signed: true }),
            stockout: result.max_stockout_probability === null ? "no stock data" : formatPercent(result.max_stockout_probability, 0),
          });
          sentences.push(...(result.sentences || []).map((s) => (byCategory.size > 1 ? `${cat}: ${s}` : s)));
          if (result.low_confidence) notes.push(`${cat}: thin data behind some estimates (low confidence).`);
        }
      }
      if (stale()) return;
      Object.assign(this.state, { status: "ready", error: "", rows, sentences, versions: [...versions], notes });
    } catch (error) {
      if (stale()) return;
      Object.assign(this.state, { status: "error", error: `The uplift could not be simulated: ${error.message}`, rows: [], sentences: [], versions: [] });
    }
  }
}

export const promoUpliftField = {
  component: PromoUpliftField,
  displayName: "Shelfcast promotion uplift",
  supportedTypes: ["char"],
};

registry.category("fields").add("shelfcast_promo_uplift", promoUpliftField);
