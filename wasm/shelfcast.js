// The JS surface of the Shelfcast core. Every call crosses the boundary as JSON and comes back as
// an envelope; `call` is the one place an error envelope becomes a thrown Error.

/** Turns an envelope string into its value, or throws Error with .code and .field. */
function call(fn, input) {
  const envelope = JSON.parse(input === undefined ? fn() : fn(JSON.stringify(input)));
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
