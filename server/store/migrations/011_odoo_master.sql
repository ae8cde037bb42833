-- Odoo master data pulled over JSON-RPC (issue 7, `shelfcast odoo pull`): reordering rules
-- (stock.warehouse.orderpoint) and loyalty programs (loyalty.program with its rules and rewards).
-- Products, stock on hand and sales go to the tables the CSV ingest fills (products, inventory,
-- sales_lines); a loyalty program that is a dated product discount also becomes a promotions row.

-- One Odoo reordering rule per row, keyed by its Odoo id; store = the rule's warehouse.
CREATE TABLE orderpoints (
  odoo_id        INTEGER PRIMARY KEY,
  store_id       INTEGER NOT NULL REFERENCES stores(id),
  product_id     INTEGER NOT NULL REFERENCES products(id),
  min_qty        REAL NOT NULL,
  max_qty        REAL NOT NULL,
  qty_multiple   REAL NOT NULL DEFAULT 0,
  lead_time_days REAL,                        -- NULL when Odoo gave none
  trigger_mode   TEXT NOT NULL DEFAULT '',    -- Odoo's trigger: auto or manual
  batch_id       INTEGER NOT NULL REFERENCES ingest_batches(id)
);
CREATE INDEX orderpoints_series ON orderpoints(product_id, store_id);

-- Loyalty programs as Odoo defines them (no customer data: programs, rules and rewards only).
-- promotion_id names the promotions row a dated product discount became; NULL with a note saying
-- why when it is not one (gift cards, e-wallets, whole-order or fixed-amount discounts, no dates).
CREATE TABLE loyalty_programs (
  odoo_id      INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  program_type TEXT NOT NULL,
  date_from    INTEGER,                       -- days since 1970; NULL = open
  date_to      INTEGER,
  rules_json   TEXT NOT NULL,                 -- loyalty.rule records as Odoo sent them
  rewards_json TEXT NOT NULL,                 -- loyalty.reward records as Odoo sent them
  promotion_id INTEGER REFERENCES promotions(id),
  note         TEXT NOT NULL DEFAULT '',
  batch_id     INTEGER NOT NULL REFERENCES ingest_batches(id)
);
