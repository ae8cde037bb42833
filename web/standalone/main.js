// The standalone page: asks for an API token (or takes it from a #token= link), keeps it in
// localStorage['shelfcast.token'], checks it with GET /api/v1/whoami and mounts the addon's
// ShelfcastApp with {api, role, actor}. Odoo mounts the same component from its client action.
//
// Test hooks: <body data-state> is "token" (asking for a token), "loading", "ready" (app mounted)
// or "error" (the message is in [data-testid=error-message]).

import { App } from "@odoo/owl";
import { ApiError, ShelfcastApi } from "@shelfcast_planning/core/api";
import { setChartJsUrl, setCoreBaseUrl } from "@shelfcast_planning/core/env";
import { loadChart } from "@shelfcast_planning/core/chart";
import { loadCore } from "@shelfcast_planning/core/wasm";
import { prefetchFirstCategory } from "@shelfcast_planning/components/promo_simulator/promo_data";
import { ShelfcastApp } from "@shelfcast_planning/components/app/shelfcast_app";

const TOKEN_KEY = "shelfcast.token";

const $ = (id) => document.getElementById(id);

function setState(state) {
  document.body.dataset.state = state;
}

function storedToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

function storeToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token lives for this page only.
  }
}

/** A #token=… link stores its token and leaves the address bar without it (other #… parameters,
 *  such as tab=inbox, stay). */
function takeTokenFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token");
  if (!token) return;
  storeToken(token);
  params.delete("token");
  const rest = params.toString();
  history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
}

function askForToken(message) {
  setState("token");
  $("token-panel").hidden = false;
  $("app").hidden = true;
  $("change-token").hidden = true;
  const error = $("token-error");
  error.hidden = !message;
  error.textContent = message || "";
  const input = $("token-input");
  input.value = "";
  input.focus();
}

function showError(message) {
  setState("error");
  const box = $("boot-message");
  box.hidden = false;
  box.textContent = message;
}

let app = null;

async function start() {
  const token = storedToken();
  if (!token) return askForToken("");
  setState("loading");
  $("token-panel").hidden = true;
  $("boot-message").hidden = true;
  const api = new ShelfcastApi({ token });
  // Started before whoami answers, read by the simulator when it mounts (the first figures are
  // what users wait for; a refused token fails both, and only whoami's failure is reported).
  const firstCategory = prefetchFirstCategory(api);
  let role;
  let actor;
  try {
    ({ role, actor } = await api.get("/api/v1/whoami"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      storeToken("");
      return askForToken("The server did not accept this token. Check it and try again.");
    }
    return showError(`Shelfcast is not reachable: ${error.message}`);
  }
  $("conn-status").textContent = `Signed in as ${role}`;
  $("change-token").hidden = false;
  $("app").hidden = false;
  // The footer's versions wait for the first simulation (health counts the sales lines, which
  // would compete with the requests the first figures need), or 3 s on another tab.
  let footerAsked = false;
  const footer = () => {
    if (footerAsked) return;
    footerAsked = true;
    api.get("/api/v1/health").then(
      (health) => {
        $("footer-versions").textContent = `Shelfcast ${health.version} · ${health.model_version}`;
      },
      () => {} // the footer keeps its plain name; the app reports its own errors
    );
  };
  new PerformanceObserver((list, observer) => {
    if (list.getEntriesByName("shelfcast:first-simulation").length) {
      observer.disconnect();
      footer();
    }
  }).observe({ type: "mark" });
  setTimeout(footer, 3000);
  try {
    await chartReady;
  } catch (error) {
    return showError(`Chart.js could not be loaded: ${error.message}`);
  }
  // The category's model and context are asked for once the product list has picked it. Mounting
  // holds the main thread for a few hundred milliseconds on a cold load (templates compiled, the
  // chart made); mounted first, the product list's answer waited behind it and the category's
  // requests left that much later. So the mount waits until they are on their way: the product
  // list answers about when whoami does; a slow one holds the mount back at most 300 ms.
  await Promise.race([firstCategory.catch(() => null), new Promise((r) => setTimeout(r, 300))]);
  if (app) app.destroy();
  app = new App(ShelfcastApp, { props: { api, role, actor }, name: "Shelfcast" });
  await app.mount($("app"));
  setState("ready");
}

setCoreBaseUrl("lib/");
setChartJsUrl("vendor/chart.umd.js");
// Both load while the token is checked; the components await them (loaded once, shared).
const chartReady = loadChart();
chartReady.catch(() => {});
loadCore().catch(() => {}); // a failure shows in the component that needs the core
takeTokenFromHash();

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = $("token-input").value.trim();
  if (!token) return askForToken("Enter a token.");
  storeToken(token);
  start();
});

$("change-token").addEventListener("click", () => {
  if (app) {
    app.destroy();
    app = null;
  }
  storeToken("");
  askForToken("");
});

start().catch((error) => showError(`The page could not start: ${error.message}`));
