/** @odoo-module **/
// Exceptions and approvals: the agents' exception inbox (GET /api/v1/exceptions; acting on one
// submits its suggested action for approval, dismissing needs a comment) and the approval queue
// (GET /api/v1/approvals; approve, or reject with a comment). Role-aware, as the server's access
// matrix (server/auth/access.cpp): executives read only; planners and admins act on or dismiss
// exceptions and run the agents; approvers and admins decide submissions, never their own — the
// buttons are hidden on a row the caller submitted, and the server's refusal is shown in the row
// should it come anyway.
//
// Props: api (ShelfcastApi), role (whoami's role), actor? (the caller's audit name,
// "token name (role)", as the API's submitted_by says it). Without it the view takes the name
// from whoami when the server answers one, or from a submission it makes itself; and a row the
// server refuses as the caller's own loses its buttons.
// Test hooks: root [data-state] loading|ready|error; data-testid exception-list, approval-list,
// per approval row (li[data-approval-id]) approve, reject, approval-comment, approval-error,
// approval-status; per exception row (li[data-exception-id]) exception-act, exception-dismiss,
// exception-comment, exception-error; run-agents, inbox-refresh.

import { Component, onMounted, useState, xml } from "@odoo/owl";
import { formatCurrency, formatNumber, formatPercent } from "@shelfcast_planning/core/format";

const DECIDERS = new Set(["approver", "admin"]);
const EXCEPTION_ACTORS = new Set(["planner", "admin"]);
const AGENT_RUNNERS = new Set(["planner", "admin", "batch"]);
/** Rows fetched per list (the API's ?limit=, at most 1000), newest first. */
const PAGE_ROWS = 200;

const KIND_LABELS = {
  promotion: "Promotion",
  forecast_override: "Forecast override",
  replenishment: "Replenishment",
};

const STATUS_LABELS = {
  pending: "Pending",
  approved: "Approved",
  rejected: "Rejected",
  auto_approved: "Auto-approved",
  open: "Open",
  acted: "Sent for approval",
  dismissed: "Dismissed",
};

const AGENT_LABELS = {
  stockout_before_delivery: "Stockout before delivery",
  below_forecast: "Below forecast",
  promotion_stockout: "Promotion stockout",
};

function units(x) {
  return formatNumber(Number(x), { digits: Math.abs(Number(x)) < 10 ? 1 : 0 });
}

function errorText(err) {
  if (!err) return "Unknown error.";
  const status = err.status ? ` (HTTP ${err.status}${err.code ? `, ${err.code}` : ""})` : "";
  return `${err.message || String(err)}${status}`;
}

/** One line per fact of a submission's payload, by kind. */
function payloadFacts(kind, p) {
  const facts = [];
  if (!p || typeof p !== "object") return facts;
  if (kind === "promotion") {
    const promo = p.promotion && typeof p.promotion === "object" ? p.promotion : {};
    const depth = promo.depth ?? p.depth;
    if (p.product) facts.push(["Product", String(p.product)]);
    if (Array.isArray(p.stores) && p.stores.length) facts.push(["Stores", p.stores.join(", ")]);
    if (Number.isFinite(depth)) facts.push(["Depth", formatPercent(depth, 0)]);
    if (promo.start) facts.push(["Weeks", `${promo.start} – ${promo.end || promo.start}`]);
    if (Number.isFinite(p.incremental_units)) facts.push(["Incremental units", formatNumber(p.incremental_units)]);
    if (Number.isFinite(p.incremental_margin)) facts.push(["Incremental margin", formatCurrency(p.incremental_margin, "EUR", { signed: true })]);
    if (Number.isFinite(p.stockout_risk)) facts.push(["Stockout risk", formatPercent(p.stockout_risk, 0)]);
    if (p.action) facts.push(["Action", String(p.action).replace(/_/g, " ")]);
  } else if (kind === "forecast_override") {
    if (p.product) facts.push(["Series", `${p.product} @ ${p.store}`]);
    if (p.week) facts.push(["Week", String(p.week)]);
    if (Number.isFinite(p.model_units)) facts.push(["Model", `${units(p.model_units)} units`]);
    if (Number.isFinite(p.override_units)) facts.push(["Override", `${units(p.override_units)} units`]);
    if (Number.isFinite(p.model_units) && p.model_units > 0 && Number.isFinite(p.override_units)) {
      facts.push(["Change", formatPercent(p.override_units / p.model_units - 1, 0, { signed: true })]);
    }
  } else if (kind === "replenishment") {
    const lines = Array.isArray(p.purchase_lines) ? p.purchase_lines : [];
    const moves = Array.isArray(p.transfers) ? p.transfers : [];
    const points = Array.isArray(p.orderpoints) ? p.orderpoints : [];
    if (lines.length) {
      const qty = lines.reduce((a, l) => a + (Number(l.product_qty) || 0), 0);
      facts.push(["Purchase", `${formatNumber(lines.length)} line(s), ${formatNumber(qty)} units`]);
    }
    if (moves.length) {
      const qty = moves.reduce((a, t) => a + (Number(t.product_uom_qty) || 0), 0);
      facts.push(["Transfers", `${formatNumber(moves.length)}, ${formatNumber(qty)} units`]);
    }
    if (points.length) facts.push(["Orderpoints", formatNumber(points.length)]);
    if (Number.isFinite(p.stockout_risk)) facts.push(["Stockout risk", formatPercent(p.stockout_risk, 0)]);
  }
  return facts.map(([label, value]) => ({ label, value }));
}

/** The suggested actions of an exception in words. */
function actionText(a) {
  switch (a.type) {
    case "transfer":
      return `Transfer ${formatNumber(a.units)} units from ${a.from} to ${a.to}`;
    case "reorder":
      return `Reorder ${formatNumber(a.units)} units for ${a.store}${a.order_by ? ` by ${a.order_by}` : ""}`;
    case "markdown":
      return `Mark down ${formatPercent(a.depth, 0)} from ${a.start} (${formatNumber(a.units_at_risk)} units at risk)`;
    case "substitute_offer":
      return `Substitute offer from ${a.start}: ${a.detail}`;
    case "forecast_override":
      return `Override the forecast of week ${a.week} to ${units(a.units)} units`;
    default:
      return String(a.type || "action").replace(/_/g, " ");
  }
}

/** Evidence numbers worth showing, formatted. */
function evidenceFacts(e) {
  const out = [];
  if (!e || typeof e !== "object") return out;
  const add = (key, label, fmt) => {
    if (e[key] !== undefined && e[key] !== null && typeof e[key] !== "object") out.push({ label, value: fmt(e[key]) });
  };
  add("forecast_units", "Forecast", (v) => `${units(v)} units`);
  add("actual_units", "Actual", (v) => `${units(v)} units`);
  add("ratio", "Actual / forecast", (v) => formatPercent(v, 0));
  add("on_hand", "On hand", (v) => formatNumber(v));
  add("on_order", "On order", (v) => formatNumber(v));
  add("shortfall_units", "Short by", (v) => `${units(v)} units`);
  add("lead_time_weeks", "Lead time", (v) => `${formatNumber(v)} week(s)`);
  add("promotion", "Promotion", String);
  add("depth", "Depth", (v) => formatPercent(v, 0));
  add("job", "Forecast job", (v) => `#${v}`);
  return out;
}

export class ApprovalInbox extends Component {
  static props = {
    api: Object,
    role: String,
    actor: { type: String, optional: true },
    "*": true,
  };

  static template = xml`
<section class="sc-inbox" t-att-data-state="state.status" aria-label="Exceptions and approvals">
  <div class="sc-inbox-bar">
    <p class="sc-muted" t-if="readOnly" data-testid="inbox-read-only">Read only: your role (<t t-esc="props.role"/>) sees the inbox and the queue but does not act on them.</p>
    <span class="sc-grow"/>
    <button type="button" class="btn btn-secondary" data-testid="run-agents" t-if="canRunAgents"
            t-att-disabled="state.agentsRunning" t-on-click="runAgents">
      <t t-esc="state.agentsRunning ? 'Running agents…' : 'Run exception agents'"/>
    </button>
    <button type="button" class="btn btn-secondary" data-testid="inbox-refresh" t-on-click="load">Refresh</button>
  </div>
  <p class="sc-note" t-if="state.agentsMessage" role="status" t-esc="state.agentsMessage"/>
  <p class="sc-error" t-if="state.status === 'error'" role="alert" data-testid="inbox-error" t-esc="state.error"/>

  <div class="sc-inbox-layout">
    <div class="sc-card">
      <div class="sc-card-head">
        <h2 class="sc-card-title" id="sc-exceptions-title">Exceptions <span class="sc-count" t-if="state.status === 'ready' and !state.exceptionsError" t-esc="'(' + formatCount(state.exceptions.length) + ')'"/></h2>
        <label class="sc-label" for="sc-exception-filter">Show</label>
        <select id="sc-exception-filter" t-on-change="onExceptionFilter">
          <option value="open" t-att-selected="state.exceptionFilter === 'open'">Open</option>
          <option value="acted" t-att-selected="state.exceptionFilter === 'acted'">Sent for approval</option>
          <option value="dismissed" t-att-selected="state.exceptionFilter === 'dismissed'">Dismissed</option>
          <option value="" t-att-selected="state.exceptionFilter === ''">All</option>
        </select>
      </div>
      <p t-if="state.status === 'loading'" class="sc-muted" role="status">Loading exceptions…</p>
      <p t-elif="state.exceptionsError" class="sc-error" role="alert" t-esc="state.exceptionsError"/>
      <p t-elif="!state.exceptions.length" class="sc-muted" data-testid="exception-empty">No exceptions<t t-if="state.exceptionFilter"> <t t-esc="statusLabel(state.exceptionFilter).toLowerCase()"/></t>.<t t-if="canRunAgents and state.exceptionFilter === 'open'"> The agents post here when demand will outrun stock or a campaign sells below its forecast.</t></p>
      <p class="sc-muted" t-if="state.exceptions.length >= pageRows">The newest <t t-esc="formatCount(pageRows)"/> are shown.</p>
      <ul class="sc-list" data-testid="exception-list" aria-labelledby="sc-exceptions-title">
        <t t-foreach="state.exceptions" t-as="ex" t-key="ex.id">
          <li class="sc-row" t-att-data-exception-id="ex.id" t-att-data-status="ex.status">
            <div class="sc-row-head">
              <span class="sc-badge" t-esc="agentLabel(ex.agent)"/>
              <strong t-esc="ex.product + ' @ ' + ex.store"/>
              <span class="sc-status" t-att-data-status="ex.status" t-esc="statusLabel(ex.status)"/>
              <span class="sc-muted sc-when" t-esc="when(ex.created_at)"/>
            </div>
            <p class="sc-message" t-esc="ex.message"/>
            <dl class="sc-facts sc-facts-inline" t-if="evidence(ex).length">
              <t t-foreach="evidence(ex)" t-as="f" t-key="f.label">
                <div><dt t-esc="f.label"/><dd t-esc="f.value"/></div>
              </t>
            </dl>
            <ul class="sc-actions-list" t-if="actions(ex).length" aria-label="Suggested actions">
              <t t-foreach="actions(ex)" t-as="a" t-key="a_index">
                <li t-esc="a"/>
              </t>
            </ul>
            <p class="sc-muted" t-if="ex.decided_by">
              <t t-esc="statusLabel(ex.status)"/> by <t t-esc="ex.decided_by"/><t t-if="ex.approval"> as approval #<t t-esc="ex.approval"/></t><t t-if="ex.comment">: “<t t-esc="ex.comment"/>”</t>
            </p>
            <t t-if="canActOnExceptions and ex.status === 'open'">
              <label class="sc-label" t-att-for="'sc-ex-comment-' + ex.id">Comment</label>
              <textarea t-att-id="'sc-ex-comment-' + ex.id" data-testid="exception-comment" rows="2"
                        t-att-value="exceptionDraft(ex.id)" t-on-input="(ev) => this.setExceptionDraft(ex.id, ev.target.value)"
                        placeholder="Why (required to dismiss)"/>
              <div class="sc-row-buttons">
                <button type="button" class="btn btn-primary" data-testid="exception-act"
                        t-att-disabled="busy('ex', ex.id) or !ex.suggested_action or !ex.suggested_action.submission"
                        t-on-click="() => this.actOnException(ex)">Submit suggested action for approval</button>
                <button type="button" class="btn btn-secondary" data-testid="exception-dismiss"
                        t-att-disabled="busy('ex', ex.id)" t-on-click="() => this.dismissException(ex)">Dismiss</button>
              </div>
            </t>
            <p class="sc-error" role="alert" data-testid="exception-error" t-if="rowError('ex', ex.id)" t-esc="rowError('ex', ex.id)"/>
            <p class="sc-note" role="status" t-if="rowNote('ex', ex.id)" t-esc="rowNote('ex', ex.id)"/>
          </li>
        </t>
      </ul>
    </div>

    <div class="sc-card">
      <div class="sc-card-head">
        <h2 class="sc-card-title" id="sc-approvals-title">Approval queue <span class="sc-count" t-if="state.status === 'ready' and !state.approvalsError" t-esc="'(' + formatCount(state.approvals.length) + ')'"/></h2>
        <label class="sc-label" for="sc-approval-filter">Show</label>
        <select id="sc-approval-filter" t-on-change="onApprovalFilter">
          <option value="pending" t-att-selected="state.approvalFilter === 'pending'">Pending</option>
          <option value="approved" t-att-selected="state.approvalFilter === 'approved'">Approved</option>
          <option value="rejected" t-att-selected="state.approvalFilter === 'rejected'">Rejected</option>
          <option value="auto_approved" t-att-selected="state.approvalFilter === 'auto_approved'">Auto-approved</option>
          <option value="" t-att-selected="state.approvalFilter === ''">All</option>
        </select>
      </div>
      <p t-if="state.status === 'loading'" class="sc-muted" role="status">Loading submissions…</p>
      <p t-elif="state.approvalsError" class="sc-error" role="alert" t-esc="state.approvalsError"/>
      <p t-elif="!state.approvals.length" class="sc-muted" data-testid="approval-empty">No submissions<t t-if="state.approvalFilter"> <t t-esc="statusLabel(state.approvalFilter).toLowerCase()"/></t>.</p>
      <p class="sc-muted" t-if="state.approvals.length >= pageRows">The newest <t t-esc="formatCount(pageRows)"/> are shown.</p>
      <ul class="sc-list" data-testid="approval-list" aria-labelledby="sc-approvals-title">
        <t t-foreach="state.approvals" t-as="ap" t-key="ap.id">
          <li class="sc-row" t-att-data-approval-id="ap.id" t-att-data-status="ap.status" t-att-data-own="isOwn(ap) ? 'true' : 'false'">
            <div class="sc-row-head">
              <span class="sc-badge" t-esc="kindLabel(ap.kind)"/>
              <strong t-esc="ap.title or ('#' + ap.id)"/>
              <span class="sc-status" data-testid="approval-status" t-att-data-status="ap.status" t-esc="statusLabel(ap.status)"/>
            </div>
            <p class="sc-muted">
              #<t t-esc="ap.id"/> submitted by <t t-esc="ap.submitted_by"/><t t-if="isOwn(ap)"> (you)</t>, <t t-esc="when(ap.submitted_at)"/><t t-if="ap.exception"> from exception #<t t-esc="ap.exception"/></t>
            </p>
            <dl class="sc-facts sc-facts-inline" t-if="facts(ap).length">
              <t t-foreach="facts(ap)" t-as="f" t-key="f.label">
                <div><dt t-esc="f.label"/><dd t-esc="f.value"/></div>
              </t>
            </dl>
            <ul class="sc-reasons" t-if="ap.reasons and ap.reasons.length" aria-label="Why it needs approval">
              <t t-foreach="ap.reasons" t-as="r" t-key="r_index">
                <li t-esc="r"/>
              </t>
            </ul>
            <p class="sc-muted" t-if="ap.decided_by">
              <t t-esc="statusLabel(ap.status)"/> by <t t-esc="ap.decided_by"/>, <t t-esc="when(ap.decided_at)"/><t t-if="ap.comment">: “<t t-esc="ap.comment"/>”</t>
            </p>
            <t t-if="ap.status === 'pending' and canDecide">
              <p t-if="isOwn(ap)" class="sc-muted" data-testid="approval-own">You submitted this: another approver decides it.</p>
              <t t-else="">
                <label class="sc-label" t-att-for="'sc-ap-comment-' + ap.id">Comment</label>
                <textarea t-att-id="'sc-ap-comment-' + ap.id" data-testid="approval-comment" rows="2"
                          t-att-value="approvalDraft(ap.id)" t-on-input="(ev) => this.setApprovalDraft(ap.id, ev.target.value)"
                          placeholder="Required to reject"/>
                <div class="sc-row-buttons">
                  <button type="button" class="btn btn-primary" data-testid="approve"
                          t-att-disabled="busy('ap', ap.id)" t-on-click="() => this.decide(ap, true)">Approve</button>
                  <button type="button" class="btn btn-secondary" data-testid="reject"
                          t-att-disabled="busy('ap', ap.id)" t-on-click="() => this.decide(ap, false)">Reject</button>
                </div>
              </t>
            </t>
            <p class="sc-error" role="alert" data-testid="approval-error" t-if="rowError('ap', ap.id)" t-esc="rowError('ap', ap.id)"/>
            <p class="sc-note" role="status" t-if="rowNote('ap', ap.id)" t-esc="rowNote('ap', ap.id)"/>
          </li>
        </t>
      </ul>
    </div>
  </div>
</section>`;

  setup() {
    this.seq = 0;
    this.pageRows = PAGE_ROWS;
    this.state = useState({
      status: "loading",
      error: "",
      exceptions: [],
      approvals: [],
      exceptionsError: "",
      approvalsError: "",
      exceptionFilter: "open",
      approvalFilter: "pending",
      actor: this.props.actor || "",
      ownIds: {},
      drafts: {},
      busy: {},
      errors: {},
      notes: {},
      agentsRunning: false,
      agentsMessage: "",
    });
    onMounted(() => this.load());
  }

  // ---- role -------------------------------------------------------------------------------------

  get canDecide() {
    return DECIDERS.has(this.props.role);
  }

  get canActOnExceptions() {
    return EXCEPTION_ACTORS.has(this.props.role);
  }

  get canRunAgents() {
    return AGENT_RUNNERS.has(this.props.role);
  }

  get readOnly() {
    return !this.canDecide && !this.canActOnExceptions;
  }

  /**
   * Whether the caller submitted it: the API's submitted_by against the caller's audit name
   * ("token name (role)": from the actor prop, whoami's name, or a submission this view made),
   * or the server refused a decision on it as the caller's own.
   */
  isOwn(ap) {
    if (this.state.ownIds[ap.id]) return true;
    return Boolean(this.state.actor) && ap.submitted_by === this.state.actor;
  }

  // ---- formatting -------------------------------------------------------------------------------

  /** "2026-11-27T03:33:40Z" -> "2026-11-27 03:33 UTC" (the server's times are UTC). */
  when(text) {
    const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(String(text || ""));
    return m ? `${m[1]} ${m[2]} UTC` : String(text || "");
  }

  formatCount(n) {
    return formatNumber(n);
  }

  statusLabel(s) {
    return STATUS_LABELS[s] || String(s || "");
  }

  kindLabel(k) {
    return KIND_LABELS[k] || String(k || "");
  }

  agentLabel(a) {
    return AGENT_LABELS[a] || String(a || "").replace(/_/g, " ");
  }

  facts(ap) {
    return payloadFacts(ap.kind, ap.payload);
  }

  evidence(ex) {
    return evidenceFacts(ex.evidence);
  }

  actions(ex) {
    const list = ex.suggested_action && Array.isArray(ex.suggested_action.actions) ? ex.suggested_action.actions : [];
    return list.map(actionText);
  }

  // ---- per-row state ----------------------------------------------------------------------------

  approvalDraft(id) {
    return this.state.drafts[`ap${id}`] || "";
  }

  setApprovalDraft(id, text) {
    this.state.drafts[`ap${id}`] = text;
  }

  exceptionDraft(id) {
    return this.state.drafts[`ex${id}`] || "";
  }

  setExceptionDraft(id, text) {
    this.state.drafts[`ex${id}`] = text;
  }

  busy(kind, id) {
    return Boolean(this.state.busy[`${kind}${id}`]);
  }

  rowError(kind, id) {
    return this.state.errors[`${kind}${id}`] || "";
  }

  rowNote(kind, id) {
    return this.state.notes[`${kind}${id}`] || "";
  }

  setRow(kind, id, { busy, error, note }) {
    const key = `${kind}${id}`;
    if (busy !== undefined) this.state.busy[key] = busy;
    if (error !== undefined) this.state.errors[key] = error;
    if (note !== undefined) this.state.notes[key] = note;
  }

  // ---- loading ----------------------------------------------------------------------------------

  onExceptionFilter(ev) {
    this.state.exceptionFilter = ev.target.value;
    this.load();
  }

  onApprovalFilter(ev) {
    this.state.approvalFilter = ev.target.value;
    this.load();
  }

  async load() {
    const seq = ++this.seq;
    this.state.status = "loading";
    this.state.error = "";
    const api = this.props.api;
    const ex = this.state.exceptionFilter;
    const ap = this.state.approvalFilter;
    const [who, exceptions, approvals] = await Promise.allSettled([
      this.state.actor ? Promise.resolve(null) : api.get("/api/v1/whoami"),
      api.get(`/api/v1/exceptions?limit=${PAGE_ROWS}${ex ? `&status=${ex}` : ""}`),
      api.get(`/api/v1/approvals?limit=${PAGE_ROWS}${ap ? `&status=${ap}` : ""}`),
    ]);
    if (seq !== this.seq) return;
    if (who.status === "fulfilled" && who.value && who.value.name) {
      this.state.actor = `${who.value.name} (${who.value.role || this.props.role})`;
    }
    this.state.exceptionsError = exceptions.status === "rejected"
      ? `Could not load the exceptions: ${errorText(exceptions.reason)}` : "";
    this.state.approvalsError = approvals.status === "rejected"
      ? `Could not load the approvals: ${errorText(approvals.reason)}` : "";
    this.state.exceptions = exceptions.status === "fulfilled" && Array.isArray(exceptions.value.exceptions)
      ? exceptions.value.exceptions : [];
    this.state.approvals = approvals.status === "fulfilled" && Array.isArray(approvals.value.approvals)
      ? approvals.value.approvals : [];
    this.state.errors = {};
    this.state.notes = {};
    if (exceptions.status === "rejected" && approvals.status === "rejected") {
      this.state.status = "error";
      this.state.error = this.state.approvalsError;
    } else {
      this.state.status = "ready";
    }
  }

  // ---- actions ----------------------------------------------------------------------------------

  async decide(ap, approve) {
    const comment = this.approvalDraft(ap.id).trim();
    if (!approve && !comment) {
      this.setRow("ap", ap.id, { error: "A comment is required to reject.", note: "" });
      return;
    }
    this.setRow("ap", ap.id, { busy: true, error: "", note: "" });
    try {
      const updated = await this.props.api.post(
        `/api/v1/approvals/${ap.id}/${approve ? "approve" : "reject"}`, { comment });
      const i = this.state.approvals.findIndex((a) => a.id === ap.id);
      if (i >= 0) this.state.approvals[i] = updated;
      this.state.drafts[`ap${ap.id}`] = "";
      this.setRow("ap", ap.id, { note: `${this.statusLabel(updated.status)}.` });
    } catch (err) {
      this.setRow("ap", ap.id, { error: errorText(err) });
      // The server's word that this is the caller's own submission: no buttons on it any more.
      if (err && err.status === 403 && /own submission/.test(err.message || "")) this.state.ownIds[ap.id] = true;
    } finally {
      this.setRow("ap", ap.id, { busy: false });
    }
  }

  async actOnException(ex) {
    const comment = this.exceptionDraft(ex.id).trim();
    this.setRow("ex", ex.id, { busy: true, error: "", note: "" });
    try {
      const out = await this.props.api.post(`/api/v1/exceptions/${ex.id}/act`, comment ? { comment } : {});
      const i = this.state.exceptions.findIndex((e) => e.id === ex.id);
      if (i >= 0 && out.exception) this.state.exceptions[i] = out.exception;
      const a = out.approval || {};
      // A submission this view just made names the caller as the API writes it.
      if (!this.state.actor && a.submitted_by) this.state.actor = a.submitted_by;
      this.setRow("ex", ex.id, {
        note: `Submitted as approval #${a.id}: ${this.statusLabel(a.status).toLowerCase()}` +
          `${a.reasons && a.reasons.length ? ` (${a.reasons.join("; ")})` : ""}.`,
      });
      // The queue shows the new submission.
      if (a.id && (!this.state.approvalFilter || this.state.approvalFilter === a.status)) {
        this.state.approvals.unshift(a);
      }
    } catch (err) {
      this.setRow("ex", ex.id, { error: errorText(err) });
    } finally {
      this.setRow("ex", ex.id, { busy: false });
    }
  }

  async dismissException(ex) {
    const comment = this.exceptionDraft(ex.id).trim();
    if (!comment) {
      this.setRow("ex", ex.id, { error: "A comment is required to dismiss.", note: "" });
      return;
    }
    this.setRow("ex", ex.id, { busy: true, error: "", note: "" });
    try {
      const out = await this.props.api.post(`/api/v1/exceptions/${ex.id}/dismiss`, { comment });
      const i = this.state.exceptions.findIndex((e) => e.id === ex.id);
      if (i >= 0 && out.exception) this.state.exceptions[i] = out.exception;
      this.setRow("ex", ex.id, { note: "Dismissed." });
    } catch (err) {
      this.setRow("ex", ex.id, { error: errorText(err) });
    } finally {
      this.setRow("ex", ex.id, { busy: false });
    }
  }

  async runAgents() {
    this.state.agentsRunning = true;
    this.state.agentsMessage = "";
    try {
      const out = await this.props.api.post("/api/v1/agents/run", {});
      const posted = Array.isArray(out.posted) ? out.posted.length : 0;
      const open = Number(out.already_open) || 0;
      this.state.agentsMessage = `Agents ran over forecast job #${out.job}: ` +
        `${formatNumber(posted)} new exception(s)${open ? `, ${formatNumber(open)} already open` : ""}.`;
      await this.load();
    } catch (err) {
      this.state.agentsMessage = `The agents could not run: ${errorText(err)}`;
    } finally {
      this.state.agentsRunning = false;
    }
  }
}
