-- Customer analytics runs: per-customer scores stay here, keyed by the pseudonymous customer's
-- row (never a name, e-mail or source id); only k-anonymous segment tables leave the server.

CREATE TABLE analytics_runs (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('customers')),
  params_json   TEXT NOT NULL,
  summary_json  TEXT NOT NULL,               -- what the API answers: segments are k-anonymous
  model_version TEXT NOT NULL,
  created_by    TEXT NOT NULL,               -- token name and role
  created_at    TEXT NOT NULL
);

CREATE TABLE customer_scores (
  run_id             INTEGER NOT NULL REFERENCES analytics_runs(id),
  customer_id        INTEGER NOT NULL REFERENCES customers(id),
  frequency          INTEGER NOT NULL,
  recency            REAL NOT NULL,
  age                REAL NOT NULL,
  p_alive            REAL NOT NULL,
  expected_purchases REAL NOT NULL,
  clv                REAL,                   -- NULL where the spend model does not apply
  segment            TEXT NOT NULL,
  rfm_segment        TEXT NOT NULL,
  PRIMARY KEY (run_id, customer_id)
);
