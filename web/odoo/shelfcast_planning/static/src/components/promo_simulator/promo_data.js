/** @odoo-module **/
// What the promotion simulator and the trade-off explainer share: the category list, a
// category's model and context as the API serves them, the scenario a form describes, the figures
// a simulation gives, saved scenarios and the approval payload. No figure is made up here: every
// number comes from the API or from the core's simulation.

import { ApiError } from "@shelfcast_planning/core/api";
import {
    formatCurrency,
    formatNumber,
    formatPercent,
    formatSigned,
    weekEndIso,
    weekToIso,
} from "@shelfcast_planning/core/format";

/** What a failed load or simulation tells the planner: the server's own message when it answered. */
export function failureMessage(error) {
    return error instanceof ApiError
        ? `The server answered: ${error.message}`
        : `Something went wrong: ${error.message}`;
}

/** Frees a simulator session (the core's memory); closing twice or a failed open is harmless. */
export function closeQuietly(session) {
    if (!session) return;
    try {
        session.close();
    } catch {
        // Already closed, or never opened: nothing left to free.
    }
}

const SCENARIOS_KEY = "shelfcast.scenarios";
/** Depths the simulator ranks (the core's default ranking). */
export const RANKED_DEPTHS = [0.1, 0.2, 0.3, 0.4, 0.5];
/** Monte Carlo draws for P10/P90 and the seed that makes them repeatable. */
export const DRAWS = 100;
export const SEED = 1;

const productsCache = new WeakMap();

/** GET /api/v1/products once per API object (best sellers first). */
export async function productList(api) {
    if (!productsCache.has(api)) {
        const promise = api.get("/api/v1/products").then((r) => r.products);
        promise.catch(() => productsCache.delete(api));
        productsCache.set(api, promise);
    }
    return productsCache.get(api);
}

/** Categories, the best-selling first: [{code, label (its name), units}]. */
export async function listCategories(api) {
    const products = await productList(api);
    const byCode = new Map();
    for (const p of products) {
        if (!p.category_code) continue;
        const c = byCode.get(p.category_code) || { code: p.category_code, label: p.category || p.category_code, units: 0 };
        c.units += p.units || 0;
        byCode.set(p.category_code, c);
    }
    return [...byCode.values()].sort((a, b) => b.units - a.units);
}

const prefetched = new WeakMap();

/**
 * Starts loading the best-selling category while the page is still starting (the standalone
 * page's bootstrap calls it); the first loadCategory of that category takes the result.
 */
export function prefetchFirstCategory(api) {
    const promise = listCategories(api).then((categories) => {
        if (!categories.length) return null;
        const code = categories[0].code;
        const data = fetchCategory(api, code);
        prefetched.set(api, { code, data });
        data.catch(() => prefetched.delete(api));
        return code;
    });
    promise.catch(() => {});
    return promise;
}

/**
 * A category's newest model, its context and the names of its products and stores; null when no
 * model has been fitted yet (404).
 */
export async function loadCategory(api, code) {
    const early = prefetched.get(api);
    if (early && early.code === code) {
        prefetched.delete(api);
        return early.data;
    }
    return fetchCategory(api, code);
}

async function fetchCategory(api, code) {
    const enc = encodeURIComponent(code);
    // All at once: the model (404 = none fitted yet), the context, the store names.
    const [record, context, storeList, products] = await Promise.all([
        api.get(`/api/v1/promo/models/${enc}`).catch((error) => {
            if (error instanceof ApiError && error.status === 404) return null;
            throw error;
        }),
        api.get(`/api/v1/promo/context/${enc}`),
        api.get("/api/v1/stores").then((r) => r.stores),
        productList(api),
    ]);
    if (!record) return null;
    const model = record.model;
    const rank = new Map(products.map((p, i) => [p.code, i]));
    const storeInfo = new Map(storeList.map((s) => [s.code, s]));
    const modelProducts = new Set(model.products.map((p) => p.product));
    const productRows = record.products
        .filter((p) => modelProducts.has(p.id))
        .map((p) => ({ id: p.id, code: p.code, label: `${p.name} (${p.code})`, rank: rank.get(p.code) ?? 1e9 }))
        .sort((a, b) => a.rank - b.rank);
    const stores = record.stores.map((s) => {
        const info = storeInfo.get(s.code);
        return { id: s.id, code: s.code, region: info ? info.region : "", label: info ? `${info.name} (${s.code})` : s.code };
    });
    const regions = new Map();
    for (const s of stores) {
        if (!s.region) continue;
        if (!regions.has(s.region)) regions.set(s.region, []);
        regions.get(s.region).push(s.id);
    }
    const clusters = [...regions.entries()].map(([name, ids]) => ({
        name,
        ids,
        label: `Region ${name} (${ids.length} stores)`,
    }));
    const fullContext = {
        ...context,
        clusters: Object.fromEntries(clusters.map((c) => [c.name, c.ids])),
    };
    // The model's weeks are centred on reference_week: the week after its last one is the first
    // a promotion can be planned in.
    const lastModelWeek = Math.round(model.reference_week + (model.n_weeks - 1) / 2);
    return {
        category: code,
        model,
        context: fullContext,
        modelVersion: record.model_version,
        products: productRows,
        productCode: new Map(productRows.map((p) => [p.id, p.code])),
        priceOf: new Map((context.products || []).map((p) => [p.product, p.regular_price])),
        stores,
        storeCode: new Map(stores.map((s) => [s.id, s.code])),
        clusters,
        stockByProduct: stockByProduct(context.stock || []),
        otherPromotions: [],
        firstPlanWeek: lastModelWeek + 1,
    };
}

/** On hand + on order of each product over every store. */
export function stockByProduct(stock) {
    const out = new Map();
    for (const s of stock) out.set(s.product, (out.get(s.product) || 0) + s.on_hand + (s.on_order || 0));
    return out;
}

/** The promotion a form describes, in the plan format of promo_sim.h. */
export function promotionOf(data, form, pricePoint) {
    const promo = {
        id: form.name || "scenario",
        products: form.products.slice(),
        start_week: form.startWeek,
        end_week: form.endWeek,
        mechanic: form.mechanic,
        feature: form.feature ? 1 : 0,
        display: form.display ? 1 : 0,
    };
    if (form.where.startsWith("store:")) promo.stores = [Number(form.where.slice(6))];
    else if (form.where.startsWith("cluster:")) promo.cluster = form.where.slice(8);
    if (form.mechanic === "percent_off") promo.depth = form.depthPct / 100;
    if (form.mechanic === "price_point") promo.price_point = pricePoint;
    if (form.mechanic === "multi_buy") {
        promo.buy = form.buy;
        promo.pay = form.pay;
    }
    return promo;
}

/**
 * A session scenario: the promotion, totals only, the ranking of depths when asked. `draws` 0
 * gives the point figures alone (the P10-P90 bands need the Monte Carlo's DRAWS).
 */
export function buildScenario(data, form, { pricePoint, withRanking, draws = DRAWS }) {
    if (!data || !form.products.length) return null;
    return {
        // The form's promotion, then the rest of the plan it belongs to (none unless injected).
        promotions: [promotionOf(data, form, pricePoint), ...data.otherPromotions],
        draws,
        seed: SEED,
        detail: "totals",
        alternative_depths: withRanking ? RANKED_DEPTHS : [],
        // The page's weeks are calendar weeks (weekToIso): the sentences name dates.
        calendar_weeks: true,
    };
}

/**
 * Opens the category's simulator session. The plan's other promotions (data.otherPromotions, the
 * ones the form does not edit) are handed to it once, so a slider event sends and decodes only
 * the form's promotion (sessionScenario).
 */
export function openPlanSession(core, data) {
    const session = core.openPromoSession(data.model, data.context);
    if (data.otherPromotions.length) {
        try {
            session.setBasePromotions(data.otherPromotions);
        } catch (error) {
            closeQuietly(session);
            throw error;
        }
    }
    return session;
}

/** What the session of openPlanSession simulates for a scenario: its promotions but the kept ones. */
export function sessionScenario(scenario, data) {
    const kept = data.otherPromotions.length;
    if (!kept) return scenario;
    return { ...scenario, promotions: scenario.promotions.slice(0, scenario.promotions.length - kept) };
}

/** The share off the regular price a promotion gives (for approval rules and the trade-off). */
export function effectiveDepth(promo, data) {
    switch (promo.mechanic) {
        case "percent_off":
            return promo.depth;
        case "price_point": {
            const regular = promo.products.map((id) => data.priceOf.get(id)).filter((p) => p > 0);
            return regular.length ? Math.max(0, 1 - promo.price_point / Math.min(...regular)) : NaN;
        }
        case "multi_buy":
            return 1 - promo.pay / promo.buy;
        case "bogo":
            return 0.5;
        default:
            return NaN;
    }
}

/** Words for a promotion's mechanic: "25% off", "€1.99", "buy 3 pay 2", "buy one get one". */
export function mechanicText(promo) {
    switch (promo.mechanic) {
        case "percent_off":
            return `${formatPercent(promo.depth)} off`;
        case "price_point":
            return `at ${formatCurrency(promo.price_point)}`;
        case "multi_buy":
            return `buy ${promo.buy} pay ${promo.pay}`;
        case "bogo":
            return "buy one get one";
        default:
            return promo.mechanic;
    }
}

/**
 * Weeks of cover of the promoted products: their stock (on hand + on order, all stores) over
 * their average weekly units with the plan (over the plan's weeks). NaN without stock.
 */
export function stockCoverWeeks(result, data, scenario) {
    if (!result || !data || !scenario) return NaN;
    const promoted = new Set(scenario.promotions.flatMap((p) => p.products));
    let stock = 0;
    let haveStock = false;
    for (const id of promoted) {
        if (!data.stockByProduct.has(id)) continue;
        stock += data.stockByProduct.get(id);
        haveStock = true;
    }
    if (!haveStock) return NaN;
    const weeks = result.last_week - result.first_week + 1;
    let units = 0;
    for (const p of result.products) if (promoted.has(p.product)) units += p.figures.units;
    return units > 0 && weeks > 0 ? stock / (units / weeks) : NaN;
}

/**
 * The KPI tiles' text for a simulation (dashes before the first one). A simulation without draws
 * has no bands yet: the tiles say they are being worked out instead of showing a collapsed range.
 */
export function summarize(result, data, scenario) {
    if (!result) {
        return {
            units: "–",
            unitsRange: "\u00a0",
            revenue: "–",
            revenueRange: "\u00a0",
            margin: "–",
            marginRange: "\u00a0",
            marginNegative: false,
            cover: "–",
            coverNote: "\u00a0",
            risk: "–",
            riskNote: "\u00a0",
            riskHigh: false,
        };
    }
    const t = result.totals;
    const range = (q, fmt) =>
        scenario.draws > 0 ? `P10–P90 ${fmt(q.p10)} to ${fmt(q.p90)}` : "P10–P90 updating…";
    const money = (x) => formatCurrency(x, "EUR", { signed: true });
    const cover = stockCoverWeeks(result, data, scenario);
    const risk = result.max_stockout_probability;
    return {
        units: formatSigned(t.incremental),
        unitsRange: range(result.incremental_units, formatSigned),
        revenue: money(t.revenue - t.baseline_revenue),
        revenueRange: range(result.incremental_revenue, money),
        margin: money(t.incremental_margin),
        marginRange: range(result.incremental_margin, money),
        marginNegative: t.incremental_margin < 0,
        cover: Number.isFinite(cover) ? `${formatNumber(cover, { digits: 1 })} weeks` : "–",
        coverNote: Number.isFinite(cover) ? "stock ÷ planned weekly units" : "no stock data",
        risk: risk === null || risk === undefined ? "–" : formatPercent(risk, 0),
        riskNote:
            risk === null || risk === undefined
                ? "no stock data"
                : `worst store; ${formatNumber(result.expected_stockouts, { digits: 1 })} store-products expected out`,
        riskHigh: typeof risk === "number" && risk > 0.1,
    };
}

// ---- saved scenarios (this browser) ---------------------------------------------------------

/** Saved scenarios, newest first. */
export function savedScenarios() {
    try {
        const list = JSON.parse(localStorage.getItem(SCENARIOS_KEY) || "[]");
        return Array.isArray(list) ? list : [];
    } catch {
        return [];
    }
}

/** Saves a scenario record (name, category, scenario, figures, model version); -> the record. */
export function saveScenario(record) {
    const list = savedScenarios();
    const saved = { ...record, id: `s${Date.now().toString(36)}${list.length}`, savedAt: new Date().toISOString() };
    list.unshift(saved);
    try {
        localStorage.setItem(SCENARIOS_KEY, JSON.stringify(list.slice(0, 50)));
    } catch {
        // Storage full or disabled: the scenario lives until the page closes.
    }
    return saved;
}

/** The approval payload of a scenario record (server/governance/approvals.cpp reads product,
 *  promotion.depth, incremental_margin and stockout_risk; the rest is for the approver). */
export function submissionPayload(record, data) {
    const promo = record.scenario.promotions[0];
    const f = record.figures;
    const payload = {
        product: data.productCode.get(promo.products[0]),
        products: promo.products.map((id) => data.productCode.get(id)),
        category: record.category,
        stores: promo.stores ? promo.stores.map((id) => data.storeCode.get(id)) : promo.cluster ? [] : "all",
        promotion: {
            start: weekToIso(promo.start_week),
            end: weekEndIso(promo.end_week),
            depth: f.effective_depth,
            mechanic: promo.mechanic,
            description: mechanicText(promo),
            feature: Boolean(promo.feature),
            display: Boolean(promo.display),
        },
        incremental_units: f.incremental_units,
        incremental_revenue: f.incremental_revenue,
        incremental_margin: f.incremental_margin,
        incremental_margin_p10: f.incremental_margin_p10,
        incremental_margin_p90: f.incremental_margin_p90,
        model_version: record.modelVersion,
        explanation: record.sentence,
        scenario: record.scenario,
    };
    if (promo.cluster) payload.cluster = promo.cluster;
    if (typeof f.stockout_risk === "number") payload.stockout_risk = f.stockout_risk;
    return payload;
}
