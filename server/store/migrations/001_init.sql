-- Shelfcast schema v1. Customers exist only as keyed pseudonyms: no names, e-mails, phones,
-- addresses or source ids are ever stored (see server/governance/pseudonym.h).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE stores (
  id     INTEGER PRIMARY KEY,
  code   TEXT NOT NULL UNIQUE,
  name   TEXT NOT NULL DEFAULT '',
  region TEXT NOT NULL DEFAULT ''
);

CREATE TABLE categories (
  id        INTEGER PRIMARY KEY,
  code      TEXT NOT NULL UNIQUE,
  name      TEXT NOT NULL DEFAULT '',
  parent_id INTEGER REFERENCES categories(id)
);

CREATE TABLE products (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL DEFAULT '',
  category_id INTEGER REFERENCES categories(id),
  cost        REAL,
  list_price  REAL
);

CREATE TABLE customers (
  id        INTEGER PRIMARY KEY,
  pseudonym TEXT NOT NULL UNIQUE CHECK (length(pseudonym) BETWEEN 8 AND 64)
);

CREATE TABLE promotions (
  id             INTEGER PRIMARY KEY,
  code           TEXT NOT NULL UNIQUE,
  mechanic       TEXT NOT NULL CHECK (mechanic IN ('percent_off','price_point','multi_buy','bogo')),
  depth          REAL NOT NULL CHECK (depth >= 0 AND depth <= 0.95),
  start_day      INTEGER NOT NULL,
  end_day        INTEGER NOT NULL,
  feature        INTEGER NOT NULL DEFAULT 0,
  display        INTEGER NOT NULL DEFAULT 0,
  target_segment TEXT NOT NULL DEFAULT ''
);

-- store_id NULL = every store.
CREATE TABLE promotion_items (
  promotion_id INTEGER NOT NULL REFERENCES promotions(id),
  product_id   INTEGER NOT NULL REFERENCES products(id),
  store_id     INTEGER REFERENCES stores(id)
);
CREATE INDEX promotion_items_product ON promotion_items(product_id);

CREATE TABLE holidays (
  day  INTEGER NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (day, name)
);

CREATE TABLE ingest_batches (
  id            INTEGER PRIMARY KEY,
  source        TEXT NOT NULL,          -- file name or 'demo'
  format        TEXT NOT NULL,
  content_sha256 TEXT NOT NULL,
  rows_added    INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL,
  created_at    TEXT NOT NULL
);

-- day: days since 1970-01-01. customer_id NULL = anonymous.
CREATE TABLE sales_lines (
  id           INTEGER PRIMARY KEY,
  batch_id     INTEGER NOT NULL REFERENCES ingest_batches(id),
  day          INTEGER NOT NULL,
  store_id     INTEGER NOT NULL REFERENCES stores(id),
  product_id   INTEGER NOT NULL REFERENCES products(id),
  customer_id  INTEGER REFERENCES customers(id),
  promotion_id INTEGER REFERENCES promotions(id),
  channel      TEXT NOT NULL CHECK (channel IN ('pos','sales','online')),
  qty          REAL NOT NULL,
  unit_price   REAL NOT NULL CHECK (unit_price >= 0),
  discount     REAL NOT NULL DEFAULT 0 CHECK (discount >= 0 AND discount <= 1),
  order_ref    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sales_lines_series ON sales_lines(product_id, store_id, day);

-- Totals kept current by every load, so listings never scan the lines.
CREATE TABLE product_totals (
  product_id INTEGER PRIMARY KEY REFERENCES products(id),
  units      REAL NOT NULL
);

CREATE TABLE inventory (
  store_id            INTEGER NOT NULL REFERENCES stores(id),
  product_id          INTEGER NOT NULL REFERENCES products(id),
  on_hand             REAL NOT NULL,
  on_order            REAL NOT NULL DEFAULT 0,
  lead_time_mean_days REAL NOT NULL DEFAULT 0,
  lead_time_sd_days   REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, product_id)
);

-- The truth behind a generated data set, kept beside it for validation.
CREATE TABLE generator_runs (
  id          INTEGER PRIMARY KEY,
  seed        INTEGER NOT NULL,
  config_json TEXT NOT NULL,
  truth_json  TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

-- API tokens: only the SHA-256 of the token is stored; the token is shown once.
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('planner','executive','approver','admin','batch')),
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at   TEXT NOT NULL,
  revoked_at   TEXT
);
