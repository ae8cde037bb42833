/** @odoo-module **/
// The REST client inside Odoo: the same interface as core/api.js's ShelfcastApi, through the
// addon's proxy (/shelfcast_planning/api/v1/..., controllers/main.py), which adds the API token of
// the user's Shelfcast role on the server. The browser sends its Odoo session cookie and the
// X-Shelfcast-Client header the proxy requires; it never sees a Shelfcast token.

import { ApiError, ShelfcastApi } from "@shelfcast_planning/core/api";

export const PROXY_BASE = "/shelfcast_planning";

export class OdooShelfcastApi extends ShelfcastApi {
  constructor() {
    super({ baseUrl: PROXY_BASE });
  }

  async _request(method, path, body) {
    const headers = { Accept: "application/json", "X-Shelfcast-Client": "1" };
    const init = { method, headers, cache: "no-store", credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.baseUrl + path, init);
    } catch (error) {
      throw new ApiError(0, "network", `Odoo could not be reached (${error.message}).`);
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok) {
      const err = (data && data.error) || {};
      throw new ApiError(
        response.status,
        err.code || `http_${response.status}`,
        err.message || `${method} ${path} failed with HTTP ${response.status}.`,
        err.field
      );
    }
    if (data === null) {
      throw new ApiError(response.status, "bad_response", `${method} ${path} did not answer JSON.`);
    }
    return data;
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
