-- Batch jobs of every kind (issues 4, 5 and 7): customer analytics, basket rules, retention,
-- monitoring and promotion-model fits run in the jobs queue beside forecasts.
--
-- SQLite cannot alter a CHECK, so jobs is rebuilt. forecasts, level_forecasts, level_accuracy and
-- model_registry reference jobs(id), and a rename would rewrite their REFERENCES to the renamed
-- table (foreign keys are on, and PRAGMA foreign_keys cannot change inside the migration's
-- transaction). So the rows go to a temporary copy, jobs is dropped and created again under its
-- own name, and the rows come back. Deferring foreign keys lets the drop orphan the child rows
-- for a moment; every row put back resolves them, and the commit checks that none is left.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE jobs_pre009 AS SELECT * FROM jobs;
DROP TABLE jobs;
CREATE TABLE jobs (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL
                CHECK (kind IN ('forecast','basket','customers','retention','monitoring','promo_fit')),
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
INSERT INTO jobs (id, kind, status, progress, items_total, items_done, params_json, summary_json,
                  error, model_version, created_by, created_at, started_at, finished_at)
  SELECT id, kind, status, progress, items_total, items_done, params_json, summary_json, error,
         model_version, created_by, created_at, started_at, finished_at
  FROM jobs_pre009;
DROP TABLE jobs_pre009;
-- The latest finished job of a kind (GET /api/v1/analytics/affinity serves the latest basket run).
CREATE INDEX jobs_kind_status ON jobs(kind, status, id);

-- Association rules of a basket job that passed the k filter (seen in >= k baskets), strongest
-- first. Sides are JSON arrays of item (product or category) codes.
CREATE TABLE basket_rules (
  job_id     INTEGER NOT NULL REFERENCES jobs(id),
  rank       INTEGER NOT NULL,
  antecedent TEXT NOT NULL,
  consequent TEXT NOT NULL,
  support    REAL NOT NULL,
  confidence REAL NOT NULL,
  lift       REAL NOT NULL,
  leverage   REAL NOT NULL,
  conviction REAL,                           -- NULL = infinity (confidence 1)
  count      INTEGER NOT NULL,
  PRIMARY KEY (job_id, rank)
);

-- Pair affinity of a basket job (pairs seen in >= k baskets).
CREATE TABLE basket_pairs (
  job_id        INTEGER NOT NULL REFERENCES jobs(id),
  rank          INTEGER NOT NULL,
  item_a        TEXT NOT NULL,
  item_b        TEXT NOT NULL,
  count         INTEGER NOT NULL,
  support       REAL NOT NULL,
  confidence_ab REAL NOT NULL,
  confidence_ba REAL NOT NULL,
  lift          REAL NOT NULL,
  PRIMARY KEY (job_id, rank)
);

-- A monitoring job's figures: a forecast job against the actuals that had arrived when it ran.
CREATE TABLE monitor_snapshots (
  job_id             INTEGER PRIMARY KEY REFERENCES jobs(id),
  forecast_job_id    INTEGER NOT NULL REFERENCES jobs(id),
  weeks_with_actuals INTEGER NOT NULL,
  report_json        TEXT NOT NULL,
  created_at         TEXT NOT NULL
);
CREATE INDEX monitor_snapshots_forecast ON monitor_snapshots(forecast_job_id);
