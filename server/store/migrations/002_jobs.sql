-- Background jobs and the forecasts they store. Every stored forecast names the model and the
-- model version that made it.

CREATE TABLE jobs (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('forecast')),
  status        TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled')),
  progress      REAL NOT NULL DEFAULT 0,      -- fraction of the work done, 0..1
  items_total   INTEGER NOT NULL DEFAULT 0,
  items_done    INTEGER NOT NULL DEFAULT 0,
  params_json   TEXT NOT NULL,
  summary_json  TEXT NOT NULL DEFAULT '{}',
  error         TEXT NOT NULL DEFAULT '',
  model_version TEXT NOT NULL,
  created_by    TEXT NOT NULL,               -- token name and role, never a customer
  created_at    TEXT NOT NULL,
  started_at    TEXT,
  finished_at   TEXT
);

CREATE TABLE forecasts (
  job_id        INTEGER NOT NULL REFERENCES jobs(id),
  product_id    INTEGER NOT NULL REFERENCES products(id),
  store_id      INTEGER NOT NULL REFERENCES stores(id),
  step          INTEGER NOT NULL,
  week          INTEGER NOT NULL,             -- Monday of the forecast week, days since 1970
  mean          REAL NOT NULL,
  intervals_json TEXT NOT NULL,               -- [{"level":80,"lower":x,"upper":y},...]
  model         TEXT NOT NULL,
  model_version TEXT NOT NULL,
  PRIMARY KEY (job_id, product_id, store_id, step)
);
