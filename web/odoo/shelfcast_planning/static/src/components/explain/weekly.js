/** @odoo-module **/
// The weekly series as the explain view forecasts it: the API's points made gap-free, the weeks
// after it, and a rolling-origin backtest whose forecasts all come from the WASM core.
// Metric definitions are those of shared/include/shelfcast/backtest.h (M4/M5 conventions), so
// the figures match `shelfcast backtest` on the same cut of the data.

const DAY_MS = 86400000;

/** "YYYY-MM-DD" -> UTC milliseconds, or NaN. */
export function parseDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text));
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
}

export function formatDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The API's weekly points -> {rows, filled, partial}. Weeks the data covers only partly
 * (`complete: false`, at either end) are left out (they would read as a collapse in demand);
 * a week missing inside the series counts as zero sales. Throws on unreadable or unordered weeks.
 */
export function prepareSeries(allPoints) {
  let first = 0;
  let last = allPoints.length;
  while (first < last && allPoints[first].complete === false) first += 1;
  while (last > first && allPoints[last - 1].complete === false) last -= 1;
  const points = allPoints.slice(first, last);
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
        rows.push({ week: formatDay(gap), units: 0, avg_price: 0, promo_depth: 0,
                    feature: false, display: false, holiday: false });
        filled += 1;
      }
    }
    rows.push({ ...point, units });
    prev = t;
  }
  return { rows, filled, partial: allPoints.length - points.length };
}

/** The `horizon` Mondays after `lastWeek` ("YYYY-MM-DD"). */
export function futureWeeks(lastWeek, horizon) {
  const start = parseDay(lastWeek);
  const weeks = [];
  for (let k = 1; k <= horizon; k += 1) weeks.push(formatDay(start + k * 7 * DAY_MS));
  return weeks;
}

export function intervalAt(result, level) {
  return (result.intervals || []).find((iv) => Number(iv.level) === level) || null;
}

/** Rolling-origin design of the backtest (backtest.h's BacktestOptions). */
export const BACKTEST = {
  origins: 4,
  step: 4,
  maxHorizon: 13,
  /**
   * Training weeks the first origin needs: half a season. Shorter series are forecast without the
   * yearly season (the models say so), which is what the view shows for them too.
   */
  minTrainWeeks: 26,
  level: 80,
};

/** The MASE scale of training values: mean |y_t - y_{t-m}| (m falls back to 1 when short). */
function maseScale(training, seasonLength) {
  const m = training.length > 2 * seasonLength ? seasonLength : 1;
  let sum = 0;
  let n = 0;
  for (let t = m; t < training.length; t += 1) {
    sum += Math.abs(training[t] - training[t - m]);
    n += 1;
  }
  return n > 0 ? sum / n : 0;
}

/**
 * The plan of a rolling-origin backtest of `rows` (oldest first): null when the series is too
 * short, else {horizon, origins: [end index of the training data per origin]}.
 */
export function backtestPlan(rows, horizon) {
  const h = Math.min(horizon, BACKTEST.maxHorizon);
  for (let origins = BACKTEST.origins; origins >= 1; origins -= 1) {
    const firstEnd = rows.length - h - (origins - 1) * BACKTEST.step;
    if (firstEnd >= BACKTEST.minTrainWeeks) {
      const ends = [];
      for (let k = 0; k < origins; k += 1) ends.push(firstEnd + k * BACKTEST.step);
      return { horizon: h, origins: ends };
    }
  }
  return null;
}

/**
 * Runs the backtest: `forecastAt(history, planned, horizon)` forecasts from one origin (the
 * caller passes the core's forecastWeekly); its mean and interval are scored against the actual
 * weeks. -> {n, origins, horizon, wape, bias, mase, coverage, models}.
 */
export function runBacktest(rows, plan, seasonLength, forecastAt) {
  let absError = 0;
  let signedError = 0;
  let absActual = 0;
  let scaledAbs = 0;
  let maseN = 0;
  let inside = 0;
  let n = 0;
  const models = [];
  for (const end of plan.origins) {
    const history = rows.slice(0, end);
    const actual = rows.slice(end, end + plan.horizon);
    const result = forecastAt(history, actual, plan.horizon);
    models.push(String(result.model || ""));
    const scale = maseScale(history.map((r) => r.units), seasonLength);
    const iv = intervalAt(result, BACKTEST.level);
    actual.forEach((row, k) => {
      const y = row.units;
      const f = result.mean[k];
      if (!Number.isFinite(f)) throw new Error("The core returned a forecast with a missing value.");
      const e = f - y;
      absError += Math.abs(e);
      signedError += e;
      absActual += Math.abs(y);
      if (scale > 0) {
        scaledAbs += Math.abs(e) / scale;
        maseN += 1;
      }
      if (iv && y >= iv.lower[k] && y <= iv.upper[k]) inside += 1;
      n += 1;
    });
  }
  return {
    n,
    origins: plan.origins.length,
    horizon: plan.horizon,
    wape: absActual > 0 ? absError / absActual : NaN,
    bias: absActual > 0 ? signedError / absActual : NaN,
    mase: maseN > 0 ? scaledAbs / maseN : NaN,
    coverage: n > 0 ? inside / n : NaN,
    level: BACKTEST.level,
    models: [...new Set(models)],
  };
}
