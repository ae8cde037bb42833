/** @odoo-module **/
// Where the page's assets live. Inside Odoo (the defaults): the WebAssembly build in
// `/shelfcast_planning/static/lib/` and the web client's own Chart.js. The standalone page's
// bootstrap points them at `lib/` and `vendor/chart.umd.js` before mounting.

let baseUrl = "/shelfcast_planning/static/lib/";
let chartUrl = "/web/static/lib/Chart/Chart.js";

/** The URL of the folder holding shelfcast_core.js, shelfcast_core.wasm and shelfcast.js. */
export function coreBaseUrl() {
  return baseUrl;
}

/** Sets that folder (a trailing "/" is added when missing). */
export function setCoreBaseUrl(url) {
  baseUrl = url.endsWith("/") ? url : `${url}/`;
}

/** The URL of a Chart.js 4 build that defines the global `Chart`. */
export function chartJsUrl() {
  return chartUrl;
}

/** Sets it. */
export function setChartJsUrl(url) {
  chartUrl = url;
}
