-- Model registry: every finished forecast job registers what made its numbers -- the core's
-- model version, a hash of the data it saw (the ingest batches), its parameters and its backtest
-- metrics -- so any stored number can be traced to a model and a data version.
CREATE TABLE model_registry (
  id            INTEGER PRIMARY KEY,
  job_id        INTEGER NOT NULL REFERENCES jobs(id),
  kind          TEXT NOT NULL,              -- 'forecast'
  model_version TEXT NOT NULL,
  data_hash     TEXT NOT NULL,              -- SHA-256 over the ingest batches' content hashes
  params_json   TEXT NOT NULL,
  metrics_json  TEXT NOT NULL,              -- backtest per level, {} when none was run
  models_json   TEXT NOT NULL,              -- series per model chosen
  created_at    TEXT NOT NULL
);
