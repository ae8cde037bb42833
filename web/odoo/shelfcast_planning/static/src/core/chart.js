/** @odoo-module **/
// Chart.js 4 as the global `Chart`: Odoo's own copy inside the web client (Odoo 17/18 ship
// Chart.js 4), vendor/chart.umd.js on the standalone page (env.js says which), loaded once.

import { loadJS } from "@web/core/assets";
import { chartJsUrl } from "@shelfcast_planning/core/env";

/** -> the Chart constructor. */
export async function loadChart() {
  if (typeof globalThis.Chart !== "function") await loadJS(chartJsUrl());
  if (typeof globalThis.Chart !== "function") {
    throw new Error(`${chartJsUrl()} did not define Chart`);
  }
  return globalThis.Chart;
}
