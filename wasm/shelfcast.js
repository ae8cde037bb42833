// The JS surface of the Shelfcast core. Every call crosses the boundary as JSON and comes back as
// an envelope; `call` is the one place an error envelope becomes a thrown Error.

const encoder = typeof TextEncoder === 'function' ? new TextEncoder() : null;

/**
 * A JSON argument: objects are stringified, strings (already JSON) pass through. Long texts (a
 * model or a context, 50 KB to megabytes) cross as UTF-8 bytes from TextEncoder: embind copies
 * bytes as they are, where a string goes through the glue's two JS loops over every character
 * (its length in UTF-8, then the encoding), which on a page's first load still run in the
 * interpreter (about 30 ms for a 160 KB model and context in headless Chromium).
 */
function arg(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return encoder && text.length > 4096 ? encoder.encode(text) : text;
}

/** Turns an envelope string into its value, or throws Error with .code and .field. */
function call(fn, input) {
  return unwrap(input === undefined ? fn() : fn(arg(input)));
}

function unwrap(text) {
  const envelope = JSON.parse(text);
  if (!envelope.ok) {
    const { code, message, field } = envelope.error;
    const error = new Error(field ? `${field}: ${message}` : message);
    error.name = 'ShelfcastError';
    error.code = code;
    error.field = field;
    throw error;
  }
  return envelope.value;
}

/** The core, loaded. */
export class Shelfcast {
  constructor(module) {
    this.module = module;
  }
  /** "shelfcast-core X.Y.Z" */
  version() {
    return call(this.module.version);
  }
  /** Forecast one series: {values, season_length, horizon, levels, method} -> ForecastResult. */
  forecast(input) {
    return call(this.module.forecast, input);
  }
  /**
   * Forecast a weekly series with its prices and promotions as drivers:
   * {history: WeeklyPoint[], planned?: WeeklyPoint[], horizon, levels?, method?, total_horizon?}
   * -> ForecastResult (components split level/trend, seasonal, price, promotion, holiday).
   */
  forecastWeekly(request) {
    return call(this.module.forecast_weekly, request);
  }
  /**
   * Markdown price path of one item by stochastic dynamic programming, against no markdown and
   * one 30% markdown at mid-season: MarkdownInput -> MarkdownResult (see shelfcast markdown --help).
   */
  markdown(input) {
    return call(this.module.markdown, input);
  }
  /**
   * Association rules and pair affinity of baskets (aggregates only: item or category names):
   * {baskets: string[][], min_support, min_confidence, max_len?, categories?, affinity_min_support?,
   * max_rules?} -> {transactions, items, itemsets, rules_total, rules, affinity, model_version}.
   */
  basket(request) {
    return call(this.module.basket, request);
  }
  /**
   * Simulate a promotion plan with a fitted category model (`shelfcast promo fit`): model artifact
   * and plan as objects or JSON text -> PromoSimulation (per product-week baseline, lift,
   * cannibalization, halo, dip, margin, stock risk; totals with P10/P50/P90; drivers; sentences).
   */
  promoSimulate(model, plan) {
    return unwrap(this.module.promo_simulate(arg(model), arg(plan)));
  }
  /**
   * Open a session for slider-speed what-ifs: the model and the context (products with prices
   * and costs, stock, clusters, affinity) are indexed once; session.simulate(scenario) takes
   * only {promotions, draws?, seed?, detail?, alternative_depths?}. The promotions of a plan
   * that stay the same while one of them is edited go to session.setBasePromotions(promotions)
   * once: every later simulate() adds them after the scenario's own, without decoding them
   * again. A session remembers its last simulation: a point answer ({draws: 0, detail:
   * "totals", alternative_depths: []}) recomputes only the weeks whose promotions changed since
   * (the answer is the same, to the bit, as a fresh simulation's). Close it when done.
   */
  openPromoSession(model, context) {
    const { session, model_version } = unwrap(
      this.module.promo_session_open(arg(model), arg(context)),
    );
    const module = this.module;
    return {
      id: session,
      modelVersion: model_version,
      setBasePromotions: (promotions) =>
        unwrap(module.promo_session_set_base(session, arg({ promotions }))).base_promotions,
      simulate: (scenario) => unwrap(module.promo_session_simulate(session, arg(scenario))),
      close: () => unwrap(module.promo_session_close(session)),
    };
  }
  /** Generate a synthetic data set in memory and summarize it (tests, demos). */
  generateSummary(config) {
    return call(this.module.generate_summary, config);
  }
}

/**
 * Loads the WASM core. `factory` defaults to the global `createShelfcastCore` defined by
 * shelfcast_core.js; `locateFile` tells it where shelfcast_core.wasm is; `wasmBinary` (bytes)
 * skips the fetch (node).
 */
export async function loadShelfcast({ factory, locateFile, wasmBinary } = {}) {
  const create = factory ?? globalThis.createShelfcastCore;
  if (typeof create !== 'function') {
    throw new Error('shelfcast_core.js is not loaded: createShelfcastCore is missing');
  }
  const overrides = {};
  if (locateFile) overrides.locateFile = locateFile;
  if (wasmBinary) overrides.wasmBinary = wasmBinary;
  return new Shelfcast(await create(overrides));
}
