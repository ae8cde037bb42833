// Types of the Shelfcast core's JS surface (shelfcast.js).

export interface ForecastInput {
  values: Array<number | null>;
  season_length?: number;
  horizon: number;
  levels?: number[];
  method?: 'auto' | 'naive' | 'snaive' | 'ses';
  non_negative?: boolean;
  /** Also forecast the total of the first k steps (0 = none, at most horizon). */
  total_horizon?: number;
  /** What one step is called in the summary, e.g. "week". */
  period_name?: string;
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
}

export interface ShelfcastError extends Error {
  code: string;
  field?: string;
}

export declare class Shelfcast {
  version(): string;
  forecast(input: ForecastInput): ForecastResult;
  generateSummary(config: Record<string, unknown>): Record<string, unknown>;
}

export declare function loadShelfcast(options?: {
  factory?: (overrides: object) => Promise<unknown>;
  locateFile?: (path: string) => string;
  wasmBinary?: Uint8Array;
}): Promise<Shelfcast>;
