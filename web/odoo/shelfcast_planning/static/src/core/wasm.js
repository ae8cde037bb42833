/** @odoo-module **/
// The WebAssembly core, loaded once and lazily: the Emscripten glue (a classic script defining
// the global createShelfcastCore) through loadJS, then the JS surface shelfcast.js (an ES module,
// imported at run time so that Odoo's bundler leaves it alone), with locateFile pointing at the
// .wasm beside them.

import { loadJS } from "@web/core/assets";
import { coreBaseUrl } from "@shelfcast_planning/core/env";

let corePromise = null;

/** The absolute URL of a file of the WASM build. */
function libUrl(file) {
  return new URL(coreBaseUrl() + file, document.baseURI).href;
}

/**
 * -> the `Shelfcast` object of wasm/shelfcast.js (forecast, forecastWeekly, promoSimulate,
 * openPromoSession(model, context).simulate(scenario), ...; see wasm/shelfcast.d.ts). Loaded on
 * the first call; later calls share it. A failed load is not cached, so a retry can succeed.
 */
export function loadCore() {
  if (!corePromise) {
    corePromise = (async () => {
      await loadJS(libUrl("shelfcast_core.js"));
      const surface = await import(libUrl("shelfcast.js"));
      return surface.loadShelfcast({
        factory: globalThis.createShelfcastCore,
        locateFile: (file) => libUrl(file),
      });
    })();
    corePromise.catch(() => {
      corePromise = null;
    });
  }
  return corePromise;
}
