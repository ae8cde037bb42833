-- Approval routing, forecast overrides, the Odoo outbox and the exception inbox (issue 7).
-- A submission (promotion scenario, forecast override, replenishment/purchase proposal) is
-- evaluated against the routing rules: auto_approved when it trips none, pending otherwise until
-- an approver other than its submitter approves or rejects it.
CREATE TABLE approvals (
  id                 INTEGER PRIMARY KEY,
  kind               TEXT NOT NULL CHECK (kind IN ('promotion','forecast_override','replenishment')),
  status             TEXT NOT NULL
                     CHECK (status IN ('pending','approved','rejected','auto_approved')),
  title              TEXT NOT NULL DEFAULT '',
  payload_json       TEXT NOT NULL,
  evaluation_json    TEXT NOT NULL,               -- every rule: value, threshold, tripped
  reasons_json       TEXT NOT NULL DEFAULT '[]',  -- the tripped rules, in words
  submitted_by       TEXT NOT NULL,               -- "token name (role)", never a customer
  submitter_token_id INTEGER NOT NULL,
  submitted_at       TEXT NOT NULL,
  decided_by         TEXT NOT NULL DEFAULT '',
  decider_token_id   INTEGER,
  decided_at         TEXT NOT NULL DEFAULT '',
  comment            TEXT NOT NULL DEFAULT '',
  exception_id       INTEGER                      -- the inbox exception it was acted from
);
CREATE INDEX approvals_status ON approvals(status, id);

-- Every forecast override submitted, for override frequency per product and store.
CREATE TABLE forecast_overrides (
  id             INTEGER PRIMARY KEY,
  approval_id    INTEGER NOT NULL REFERENCES approvals(id),
  product        TEXT NOT NULL,
  store          TEXT NOT NULL,
  week           TEXT NOT NULL,                   -- Monday, YYYY-MM-DD
  job_id         INTEGER,
  model_units    REAL NOT NULL,
  override_units REAL NOT NULL,
  created_at     TEXT NOT NULL
);
CREATE INDEX forecast_overrides_series ON forecast_overrides(product, store);

-- Approved replenishment proposals as records ready for Odoo, in Odoo's field names.
CREATE TABLE odoo_outbox (
  id          INTEGER PRIMARY KEY,
  approval_id INTEGER NOT NULL REFERENCES approvals(id),
  model       TEXT NOT NULL
              CHECK (model IN ('purchase.order.line','stock.picking','stock.warehouse.orderpoint')),
  values_json TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'ready' CHECK (status IN ('ready','sent','failed')),
  odoo_ref    TEXT NOT NULL DEFAULT '',           -- what Odoo created or wrote, once sent
  error       TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  sent_at     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX odoo_outbox_status ON odoo_outbox(status, id);

-- The exception inbox the agents post to. One open exception per dedupe key.
CREATE TABLE exceptions (
  id                    INTEGER PRIMARY KEY,
  agent                 TEXT NOT NULL,
  dedupe_key            TEXT NOT NULL,
  product               TEXT NOT NULL DEFAULT '',
  store                 TEXT NOT NULL DEFAULT '',
  message               TEXT NOT NULL,
  evidence_json         TEXT NOT NULL DEFAULT '{}',
  suggested_action_json TEXT NOT NULL DEFAULT '{}',
  status                TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','acted','dismissed')),
  created_at            TEXT NOT NULL,
  decided_by            TEXT NOT NULL DEFAULT '',
  decided_at            TEXT NOT NULL DEFAULT '',
  comment               TEXT NOT NULL DEFAULT '',
  approval_id           INTEGER REFERENCES approvals(id)
);
CREATE UNIQUE INDEX exceptions_open_key ON exceptions(dedupe_key) WHERE status = 'open';
CREATE INDEX exceptions_status ON exceptions(status, id);
