#!/usr/bin/env node
// The shared number and week formats of the web components
// (web/odoo/shelfcast_planning/static/src/core/format.js) under node, en-US: thousands
// separators, the real minus sign, currency, percentages, and the artifact's week numbers
// (floor(days since 1970-01-01 of the Monday / 7), as server/promo/promo_fit.cpp writes them).
// Exit 0 when every row passes; the last line is "N passed, M failed".

import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const format = await import(
  pathToFileURL(path.join(here, "..", "..", "web/odoo/shelfcast_planning/static/src/core/format.js")).href
);
const { formatNumber, formatSigned, formatCurrency, formatPercent, weekToIso, weekEndIso, isoToWeek, formatWeek } = format;

const rows = [
  ["formatNumber(12345.6)", formatNumber(12345.6), "12,346"],
  ["formatNumber(-1234.5, {digits: 1})", formatNumber(-1234.5, { digits: 1 }), "\u22121,234.5"],
  ["formatNumber(NaN)", formatNumber(NaN), "\u2013"],
  ["formatNumber(-0)", formatNumber(-0), "0"],
  ["formatSigned(3359)", formatSigned(3359), "+3,359"],
  ["formatSigned(-133)", formatSigned(-133), "\u2212133"],
  ["formatSigned(0)", formatSigned(0), "0"],
  ["formatCurrency(4082.4)", formatCurrency(4082.4), "\u20ac4,082"],
  ["formatCurrency(-14.531)", formatCurrency(-14.531), "\u2212\u20ac14.53"],
  ["formatCurrency(1970.4, EUR, signed)", formatCurrency(1970.4, "EUR", { signed: true }), "+\u20ac1,970"],
  ["formatCurrency(-1970.4, EUR, signed)", formatCurrency(-1970.4, "EUR", { signed: true }), "\u2212\u20ac1,970"],
  ["formatPercent(0.253)", formatPercent(0.253), "25%"],
  ["formatPercent(-0.05, 1, signed)", formatPercent(-0.05, 1, { signed: true }), "\u22125.0%"],
  ["weekToIso(2878)", weekToIso(2878), "2025-03-03"],
  ["weekEndIso(2878)", weekEndIso(2878), "2025-03-09"],
  ["isoToWeek(2025-03-03)", isoToWeek("2025-03-03"), 2878],
  ["isoToWeek(2025-03-09)", isoToWeek("2025-03-09"), 2878],
  ["isoToWeek(2025-03-10)", isoToWeek("2025-03-10"), 2879],
  ["isoToWeek(1970-01-05)", isoToWeek("1970-01-05"), 0],
  ["weekToIso(isoToWeek(2024-01-01))", weekToIso(isoToWeek("2024-01-01")), "2024-01-01"],
  ["formatWeek(2878)", formatWeek(2878), "Mar 3, 2025"],
];

let failed = 0;
for (const [what, got, want] of rows) {
  const ok = got === want;
  if (!ok) failed += 1;
  process.stdout.write(ok ? `ok      ${what} = ${JSON.stringify(got)}\n` : `FAIL    ${what} = ${JSON.stringify(got)}, expected ${JSON.stringify(want)}\n`);
}
process.stdout.write(`${rows.length - failed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
