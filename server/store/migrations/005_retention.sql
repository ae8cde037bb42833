-- Retention: sales lines older than the configured age are purged (with the customer ids they
-- carry) after their weekly aggregates are kept here. A week is closed once aggregated: lines
-- loaded later for it are not counted again.
CREATE TABLE weekly_aggregates (
  product_id  INTEGER NOT NULL REFERENCES products(id),
  store_id    INTEGER NOT NULL REFERENCES stores(id),
  week        INTEGER NOT NULL,          -- Monday, days since 1970
  units       REAL NOT NULL,
  avg_price   REAL NOT NULL,
  promo_depth REAL NOT NULL,
  feature     INTEGER NOT NULL,
  display     INTEGER NOT NULL,
  PRIMARY KEY (product_id, store_id, week)
);
