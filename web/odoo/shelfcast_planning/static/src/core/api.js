/** @odoo-module **/
// The REST client every component uses: JSON in and out, bearer token, and one error type that
// carries the server's {"error":{"code","message","field"}} body.

/** A non-2xx answer (or a network failure: status 0) with the server's error code and message. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export class ShelfcastApi {
  /** baseUrl: the server's origin ("" = the page's own); token: the bearer token. */
  constructor({ baseUrl = "", token } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.token = token;
  }

  /** GET path (e.g. "/api/v1/whoami") -> parsed JSON. */
  async get(path) {
    return this._request("GET", path);
  }

  /** POST path with a JSON body -> parsed JSON. */
  async post(path, body) {
    return this._request("POST", path, body === undefined ? {} : body);
  }

  /** The fetch options of one call (the Odoo client, odoo/odoo_api.js, sends others). */
  _init(method) {
    const headers = { Accept: "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return { method, headers, cache: "no-store", credentials: "omit" };
  }

  /** Who a network failure could not reach, for its message. */
  get _peer() {
    return "The Shelfcast server";
  }

  async _request(method, path, body) {
    const init = this._init(method);
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.baseUrl + path, init);
    } catch (error) {
      throw new ApiError(0, "network", `${this._peer} could not be reached (${error.message}).`);
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
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
    if (data === null && text) {
      throw new ApiError(response.status, "bad_response", `${method} ${path} did not answer JSON.`);
    }
    return data;
  }
}
