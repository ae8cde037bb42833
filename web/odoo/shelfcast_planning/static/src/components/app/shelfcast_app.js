/** @odoo-module **/
// ShelfcastApp: the planner's and the executive's one screen, as tabs — the promotion simulator,
// the forecast explanation, the trade-off between candidate promotions and the inbox of exceptions
// and approvals. Role-aware through its children (executives read, planners submit, approvers
// decide). The standalone page mounts it with {api, role}; in Odoo a client action does.
//
// Props: api (ShelfcastApi), role (whoami's role), actor? (whoami's actor, for the inbox), tab?.
// Keyboard: the tabs follow the WAI-ARIA tabs pattern (arrow keys, Home, End). Test hooks: each
// tab button has data-testid="tab-<id>", the root data-tab="<id>".

import { Component, useState, xml } from "@odoo/owl";
import { PromoSimulator } from "@shelfcast_planning/components/promo_simulator/promo_simulator";
import { TradeoffExplainer } from "@shelfcast_planning/components/tradeoff/tradeoff_explainer";
import { ExplainView } from "@shelfcast_planning/components/explain/explain_view";
import { ApprovalInbox } from "@shelfcast_planning/components/inbox/approval_inbox";

const TABS = [
    { id: "simulator", label: "Simulator" },
    { id: "explain", label: "Explain" },
    { id: "tradeoff", label: "Trade-off" },
    { id: "inbox", label: "Inbox" },
];

const ROLE_NAMES = {
    planner: "Planner",
    executive: "Executive (read only)",
    approver: "Approver",
    admin: "Administrator",
    batch: "Batch",
};

export class ShelfcastApp extends Component {
    static components = { PromoSimulator, TradeoffExplainer, ExplainView, ApprovalInbox };
    static props = {
        api: Object,
        role: String,
        actor: { type: String, optional: true },
        tab: { type: String, optional: true },
        "*": true,
    };
    static template = xml`
<div class="sc-app" t-att-data-tab="state.tab" data-testid="shelfcast-app">
  <div class="sc-app-bar">
    <div class="sc-tabs" role="tablist" aria-label="Shelfcast views" t-on-keydown="onTabKey">
      <t t-foreach="tabs" t-as="tab" t-key="tab.id">
        <button type="button" role="tab" class="sc-tab" t-att-id="'sc-tab-' + tab.id"
                t-att-data-testid="'tab-' + tab.id" t-att-aria-selected="tab.id === state.tab ? 'true' : 'false'"
                t-att-aria-controls="'sc-panel-' + tab.id" t-att-tabindex="tab.id === state.tab ? 0 : -1"
                t-on-click="() => this.select(tab.id)" t-esc="tab.label"/>
      </t>
    </div>
    <span class="sc-role" data-testid="role" t-esc="roleName"/>
  </div>
  <section class="sc-panel" role="tabpanel" t-att-id="'sc-panel-' + state.tab" t-att-aria-labelledby="'sc-tab-' + state.tab">
    <div t-if="state.simulatorOpened" t-att-class="{ 'sc-panel-hidden': state.tab !== 'simulator' }"><PromoSimulator api="props.api" role="props.role"/></div>
    <t t-if="state.tab === 'explain'"><ExplainView api="props.api" role="props.role"/></t>
    <t t-elif="state.tab === 'tradeoff'"><TradeoffExplainer api="props.api" role="props.role"/></t>
    <t t-elif="state.tab === 'inbox'"><ApprovalInbox api="props.api" role="props.role" actor="props.actor"/></t>
  </section>
</div>`;

    setup() {
        const fromHash = /(?:^#|&)tab=([a-z]+)/.exec(globalThis.location ? location.hash : "");
        const wanted = this.props.tab || (fromHash && fromHash[1]);
        this.tabs = TABS;
        const tab = TABS.some((t) => t.id === wanted) ? wanted : "simulator";
        // The simulator stays mounted once opened (the planner's scenario survives a look at another
        // tab); the other views load afresh each time they are shown.
        this.state = useState({ tab, simulatorOpened: tab === "simulator" });
    }

    get roleName() {
        return ROLE_NAMES[this.props.role] || this.props.role;
    }

    select(id) {
        this.state.tab = id;
        if (id === "simulator") this.state.simulatorOpened = true;
    }

    onTabKey(ev) {
        const i = TABS.findIndex((t) => t.id === this.state.tab);
        let next = -1;
        if (ev.key === "ArrowRight") next = (i + 1) % TABS.length;
        else if (ev.key === "ArrowLeft") next = (i + TABS.length - 1) % TABS.length;
        else if (ev.key === "Home") next = 0;
        else if (ev.key === "End") next = TABS.length - 1;
        if (next < 0) return;
        ev.preventDefault();
        this.select(TABS[next].id);
        const button = ev.currentTarget.querySelector(`#sc-tab-${TABS[next].id}`);
        if (button) button.focus();
    }
}
