/** @odoo-module **/
// Odoo client actions: one per screen (ir.actions.client tags in views/shelfcast_actions.xml).
// Each asks the proxy for the user's Shelfcast role, then mounts the same component the
// standalone page shows, with {api, role}.

import { Component, onWillStart, useState, xml } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { odooShelfcast } from "@shelfcast_planning/odoo/odoo_api";
import { PromoSimulator } from "@shelfcast_planning/components/promo_simulator/promo_simulator";
import { ExplainView } from "@shelfcast_planning/components/explain/explain_view";
import { TradeoffExplainer } from "@shelfcast_planning/components/tradeoff/tradeoff_explainer";
import { ApprovalInbox } from "@shelfcast_planning/components/inbox/approval_inbox";

class ShelfcastClientAction extends Component {
  static props = ["*"];
  static template = xml`
<div class="o_action o_shelfcast_action">
  <div class="o_shelfcast_action_body">
    <t t-if="state.status === 'ready'">
      <t t-component="target" api="api" role="state.role"/>
    </t>
    <p t-elif="state.status === 'error'" class="alert alert-danger" role="alert" t-esc="state.error"/>
    <p t-else="" class="text-muted" role="status">Connecting to Shelfcast…</p>
  </div>
</div>`;

  setup() {
    this.target = this.constructor.target;
    this.api = null; // not reactive: the client is passed down as it is
    this.state = useState({ status: "loading", role: "", error: "" });
    onWillStart(async () => {
      try {
        const { api, role } = await odooShelfcast();
        this.api = api;
        Object.assign(this.state, { status: "ready", role });
      } catch (error) {
        this.state.status = "error";
        this.state.error = `Shelfcast is not available: ${error.message}`;
      }
    });
  }
}

/** A client action that mounts `target`. */
function clientAction(target) {
  return class extends ShelfcastClientAction {
    static target = target;
  };
}

registry.category("actions").add("shelfcast_planning.simulator", clientAction(PromoSimulator));
registry.category("actions").add("shelfcast_planning.explain", clientAction(ExplainView));
registry.category("actions").add("shelfcast_planning.tradeoff", clientAction(TradeoffExplainer));
registry.category("actions").add("shelfcast_planning.inbox", clientAction(ApprovalInbox));
