/** @odoo-module **/
// The REST client inside Odoo: the same interface as core/api.js's ShelfcastApi, through the
// addon's proxy (/shelfcast_planning/api/v1/..., controllers/main.py), which adds the API token of
// the user's Shelfcast role on the server. The browser sends its Odoo session cookie and the
// X-Shelfcast-Client header the proxy requires; it never sees a Shelfcast token.

import { ShelfcastApi } from "@shelfcast_planning/core/api";

export const PROXY_BASE = "/shelfcast_planning";

export class OdooShelfcastApi extends ShelfcastApi {
  constructor() {
    super({ baseUrl: PROXY_BASE });
  }

  /** Odoo's session cookie and the header the proxy requires; no token in the browser. */
  _init(method) {
    return {
      method,
      headers: { Accept: "application/json", "X-Shelfcast-Client": "1" },
      cache: "no-store",
      credentials: "same-origin",
    };
  }

  get _peer() {
    return "Odoo";
  }
}

let shared = null;

/** One client per page, with the role the Shelfcast server gives the user's token. */
export async function odooShelfcast() {
  if (!shared) {
    shared = (async () => {
      const api = new OdooShelfcastApi();
      const { role } = await api.get("/api/v1/whoami");
      return { api, role };
    })();
    shared.catch(() => {
      shared = null;
    });
  }
  return shared;
}
