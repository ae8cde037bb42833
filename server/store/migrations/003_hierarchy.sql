-- Forecasts that add up: a forecast job reconciles its product-store forecasts with the levels
-- above them (SKU x channel, category x region, ...) and can backtest every level.

-- Bottom forecasts keep what the model said before reconciliation and the parts of the stored
-- (reconciled) mean: {"level_trend":x,"seasonal":y,...,"reconciliation":r} adds up to `mean`.
ALTER TABLE forecasts ADD COLUMN base_mean REAL;
ALTER TABLE forecasts ADD COLUMN components_json TEXT NOT NULL DEFAULT '{}';

CREATE TABLE level_forecasts (
  job_id        INTEGER NOT NULL REFERENCES jobs(id),
  level         TEXT NOT NULL,               -- "total", "category,region", "sku,channel", ...
  node          TEXT NOT NULL,               -- "total", "category=Dairy|region=North", ...
  step          INTEGER NOT NULL,
  week          INTEGER NOT NULL,             -- Monday of the forecast week, days since 1970
  mean          REAL NOT NULL,                -- reconciled: the sum of its product-store forecasts
  base_mean     REAL NOT NULL,                -- the node's own forecast before reconciliation
  intervals_json TEXT NOT NULL,
  model         TEXT NOT NULL,                -- the model of the base forecast
  model_version TEXT NOT NULL,
  PRIMARY KEY (job_id, level, node, step)
);

CREATE TABLE level_accuracy (
  job_id       INTEGER NOT NULL REFERENCES jobs(id),
  level        TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('base','reconciled')),
  nodes        INTEGER NOT NULL,
  metrics_json TEXT NOT NULL,                 -- {"n","mase","rmsse","smape","wape","bias","coverage":{...}}
  PRIMARY KEY (job_id, level, kind)
);
