// Types of the Shelfcast core's JS surface (shelfcast.js).

export type ForecastMethod =
  | 'auto' | 'naive' | 'snaive' | 'ses' | 'ets' | 'drift' | 'croston' | 'sba' | 'tsb' | 'regression';

/** Per-period retail drivers; each field absent or one value per period. */
export interface RetailDrivers {
  /** Net price paid / a fixed reference price, > 0. */
  price_ratio?: number[];
  /** Fraction off the regular price, [0, 1). */
  promo_depth?: number[];
  feature?: number[];
  display?: number[];
  holiday?: number[];
}

export interface ForecastInput {
  values: Array<number | null>;
  season_length?: number;
  horizon: number;
  levels?: number[];
  method?: ForecastMethod;
  non_negative?: boolean;
  /** Also forecast the total of the first k steps (0 = none, at most horizon). */
  total_horizon?: number;
  /** What one step is called in the summary, e.g. "week". */
  period_name?: string;
  history_drivers?: RetailDrivers;
  /** Planned drivers of the horizon: the same fields as history_drivers, horizon values each. */
  future_drivers?: RetailDrivers;
}

/** One week of a series as the REST API's /series returns it. */
export interface WeeklyPoint {
  week: string;
  units: number;
  avg_price?: number;
  promo_depth?: number;
  feature?: boolean;
  display?: boolean;
  holiday?: boolean;
  complete?: boolean;
}

export interface WeeklyForecastRequest {
  /** Consecutive weeks, oldest first. */
  history: WeeklyPoint[];
  /** Planned weeks after the history (promotion depth, feature, display, optional price). */
  planned?: WeeklyPoint[];
  horizon: number;
  levels?: number[];
  method?: ForecastMethod;
  total_horizon?: number;
  season_length?: number;
}

/** A named part of the forecast; the parts add up to the mean at every step. */
export interface ForecastComponent {
  name: 'level_trend' | 'seasonal' | 'price' | 'promotion' | 'holiday' | 'floor_at_zero' | string;
  values: number[];
}

/** A fitted driver effect of the retail regression (log scale). */
export interface ForecastDriver {
  name: 'price_elasticity' | 'promo_lift_per_depth' | 'feature_log_lift' | 'display_log_lift' |
    'holiday_log_lift';
  value: number;
  std_error: number;
  prior_mean: number;
  /** false: no variation in the data, held at the prior. */
  estimated: boolean;
  /** The sign constraint holds it at 0. */
  at_bound: boolean;
}

export interface ForecastInterval {
  level: number;
  lower: number[];
  upper: number[];
}

export interface ForecastResult {
  model: 'SES' | 'SNaive' | 'Naive' | string;
  model_version: string;
  params: { alpha: number | null; sigma: number | null };
  mean: number[];
  intervals: ForecastInterval[];
  fitted: Array<number | null>;
  fallback_reason: string;
  summary: string;
  total_horizon: number;
  total_mean: number;
  /** Intervals of the total; lower and upper hold one value each. */
  total_intervals: ForecastInterval[];
  demand_class: string;
  components: ForecastComponent[];
  /** Driver effects of the retail regression; empty for the other models. */
  drivers: ForecastDriver[];
}

/** One item's end-of-season problem (shelfcast markdown --help lists the fields). */
export interface MarkdownInput {
  stock_units: number;
  weeks_left: number;
  price_ladder: number[];
  current_price_index?: number;
  base_weekly_demand_units?: number;
  elasticity?: number;
  demand_by_price?: number[];
  seasonality?: number[];
  distribution?: 'poisson' | 'negative_binomial';
  nb_size?: number;
  unit_cost?: number;
  salvage_per_unit?: number;
  min_margin_per_unit?: number;
  max_markdowns?: number;
}

export interface MarkdownPlan {
  weeks: Array<{
    week: number; price: number; mean_price: number; markdown_probability: number;
    expected_units: number; expected_leftover: number; expected_margin: number;
  }>;
  expected_units: number;
  expected_margin: number;
  expected_leftover: number;
  expected_salvage_value: number;
  expected_total: number;
}

export interface MarkdownResult {
  allowed_prices: number[];
  policy: MarkdownPlan;
  baselines: { no_markdown: MarkdownPlan; mid_season_markdown: MarkdownPlan };
  gain_vs_no_markdown: number;
  gain_vs_mid_season_markdown: number;
  model_version: string;
}

export interface BasketRequest {
  baskets: string[][];
  min_support?: number;
  min_confidence?: number;
  max_len?: number;
  /** Item name -> category name: rules between categories. */
  categories?: Record<string, string>;
  /** Pair affinity table threshold; absent = no table. */
  affinity_min_support?: number;
  /** Strongest rules by lift kept (0 = all; default 1000). */
  max_rules?: number;
}

export interface BasketReport {
  transactions: number;
  items: number;
  itemsets: number;
  rules_total: number;
  rules: Array<{
    antecedent: string[]; consequent: string; support: number; confidence: number; lift: number;
    leverage: number; /** null = infinite (confidence 1) */ conviction: number | null; count: number;
  }>;
  affinity: Array<{
    item_a: string; item_b: string; count: number; support: number; confidence_ab: number;
    confidence_ba: number; lift: number;
  }>;
  model_version: string;
}

export interface ShelfcastError extends Error {
  code: string;
  field?: string;
}

/** A promotion plan (shelfcast promo simulate --help lists every field). */
export interface PromoPlan {
  promotions?: Array<{
    id?: string; products: number[]; stores?: number[]; cluster?: string;
    start_week: number; end_week: number;
    mechanic?: 'percent_off' | 'price_point' | 'multi_buy' | 'bogo';
    depth?: number; price_point?: number; buy?: number; pay?: number;
    feature?: number | boolean; display?: number | boolean; segment?: string; segment_share?: number;
  }>;
  products?: Array<{ product: number; name?: string; regular_price: number; unit_cost: number }>;
  stock?: Array<{ product: number; store: number; on_hand: number; on_order?: number; lead_time_weeks?: number }>;
  clusters?: Record<string, number[]>;
  affinity?: Array<{ from: number; to: number; confidence: number; lift: number }>;
  alternative_depths?: number[];
  draws?: number;
  seed?: number;
  detail?: 'totals' | 'product_weeks' | 'cells';
}

export interface PromoFigures {
  baseline: number; units: number; lift: number; cannibalized: number; halo: number;
  pull_forward: number; dip: number; incremental: number; revenue: number;
  baseline_revenue: number; margin: number; baseline_margin: number; incremental_margin: number;
}

export interface PromoSimulation {
  model_version: string;
  first_week: number;
  last_week: number;
  n_products: number;
  n_stores: number;
  totals: PromoFigures;
  incremental_units: { p10: number; p50: number; p90: number };
  incremental_revenue: { p10: number; p50: number; p90: number };
  incremental_margin: { p10: number; p50: number; p90: number };
  max_stockout_probability: number | null;
  expected_stockouts: number;
  drivers: Array<{ name: string; label: string; product: number | null; units: number; margin: number }>;
  sentences: string[];
  weeks: Array<PromoFigures & { week: number }>;
  products: Array<{ product: number; name: string; promoted: boolean; low_confidence: boolean;
    figures: PromoFigures; max_stockout_probability: number | null }>;
  product_weeks: Array<PromoFigures & { product: number; week: number; promoted_stores: number;
    stockout_probability: number | null }>;
  cells: Array<Record<string, number | boolean | null>>;
  depth_options: Array<{ depth: number; incremental_units: number; incremental_revenue: number;
    incremental_margin: number; margin_per_incremental_unit: number; rank: number }>;
  low_confidence: boolean;
  notes: string[];
}

export interface PromoSession {
  id: number;
  modelVersion: string;
  /**
   * Keeps these promotions in the session (replacing those kept before; [] drops them): every
   * later simulate() runs them after the scenario's own, decoded once. Returns how many are kept.
   */
  setBasePromotions(promotions: NonNullable<PromoPlan['promotions']>): number;
  /**
   * The scenario's promotions, then the base promotions, with the scenario's settings. A point
   * answer (draws 0, detail "totals", no alternative depths) recomputes only the weeks whose
   * promotions changed since the session's previous simulation; the figures are the same.
   */
  simulate(scenario: PromoPlan | string): PromoSimulation;
  close(): { closed: number };
}

export declare class Shelfcast {
  version(): string;
  forecast(input: ForecastInput): ForecastResult;
  forecastWeekly(request: WeeklyForecastRequest): ForecastResult;
  markdown(input: MarkdownInput): MarkdownResult;
  basket(request: BasketRequest): BasketReport;
  promoSimulate(model: object | string, plan: PromoPlan | string): PromoSimulation;
  openPromoSession(model: object | string, context: PromoPlan | string): PromoSession;
  generateSummary(config: Record<string, unknown>): Record<string, unknown>;
}

export declare function loadShelfcast(options?: {
  factory?: (overrides: object) => Promise<unknown>;
  locateFile?: (path: string) => string;
  wasmBinary?: Uint8Array;
}): Promise<Shelfcast>;
