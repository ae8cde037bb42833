/** @odoo-module **/
// Numbers for humans: thousands separators, currency, percentages, and a real minus sign "−".

const LOCALE = (typeof navigator !== "undefined" && navigator.language) || "en-US";
const cache = new Map();

function formatter(key, options) {
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE, options);
    cache.set(key, f);
  }
  return f;
}

const MINUS = "\u2212";
const DASH = "\u2013";

function finite(x) {
  return typeof x === "number" && Number.isFinite(x);
}

/** Replaces the ASCII hyphen-minus Intl uses for negatives with "−". */
function withMinus(text) {
  return text.replace(/-/g, MINUS);
}

/** 12,345 (digits: fraction digits, default 0); "–" when x is not a number. */
export function formatNumber(x, { digits = 0 } = {}) {
  if (!finite(x)) return DASH;
  const f = formatter(`n${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return withMinus(f.format(Object.is(x, -0) ? 0 : x));
}

/** +12,345 / −1,234 / 0 (digits default 0). */
export function formatSigned(x, { digits = 0 } = {}) {
  if (!finite(x)) return DASH;
  const f = formatter(`s${digits}`, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    signDisplay: "exceptZero",
  });
  return withMinus(f.format(x));
}

/** €12,345 (whole units from 1,000 up, cents below); signed: true adds "+" to gains. */
export function formatCurrency(x, currency = "EUR", { digits, signed = false } = {}) {
  if (!finite(x)) return DASH;
  const d = digits ?? (Math.abs(x) >= 1000 ? 0 : 2);
  const f = formatter(`c${currency}${d}${signed}`, {
    style: "currency",
    currency,
    minimumFractionDigits: d,
    maximumFractionDigits: d,
    signDisplay: signed ? "exceptZero" : "auto",
  });
  return withMinus(f.format(x));
}

/** 0.253 -> 25% (digits default 0); signed: true adds "+". */
export function formatPercent(fraction, digits = 0, { signed = false } = {}) {
  if (!finite(fraction)) return DASH;
  const f = formatter(`p${digits}${signed}`, {
    style: "percent",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    signDisplay: signed ? "exceptZero" : "auto",
  });
  return withMinus(f.format(fraction));
}

// Week numbers are the artifact's: floor(days since 1970-01-01 of the week's Monday / 7). 1970-01-01
// was a Thursday, so the Monday of week k is day 7k + 4.
const DAY_MS = 86400000;

/** A week number -> its Monday as "2025-03-03". */
export function weekToIso(week) {
  if (!finite(week)) return DASH;
  return new Date((week * 7 + 4) * DAY_MS).toISOString().slice(0, 10);
}

/** A week number -> its Sunday (the week's last day) as "2025-03-09". */
export function weekEndIso(week) {
  if (!finite(week)) return DASH;
  return new Date((week * 7 + 10) * DAY_MS).toISOString().slice(0, 10);
}

/** "2025-03-05" (any day of the week) -> the week number of its Monday. */
export function isoToWeek(iso) {
  const t = Date.parse(`${iso}T00:00:00Z`);
  if (!Number.isFinite(t)) return NaN;
  const days = Math.floor(t / DAY_MS);
  const monday = days - ((((days - 4) % 7) + 7) % 7);
  return Math.floor(monday / 7);
}

let weekFormat = null;

/** A week number -> its Monday as "3 Mar 2025". */
export function formatWeek(week) {
  if (!finite(week)) return DASH;
  weekFormat ??= new Intl.DateTimeFormat(LOCALE, {
    year: "numeric",
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
  return weekFormat.format(new Date((week * 7 + 4) * DAY_MS));
}
