-- Promotion-response models (issue 4): every fit of a category keeps its artifact, the core's
-- model version, the data version it saw and who asked, so a simulation in the planner can name
-- the exact model behind its numbers. Products and stores in the artifact are database ids; the
-- code maps ship beside it.
CREATE TABLE promo_models (
  id             INTEGER PRIMARY KEY,
  category       TEXT NOT NULL,             -- category code
  model_version  TEXT NOT NULL,
  data_hash      TEXT NOT NULL,
  artifact_json  TEXT NOT NULL,             -- schema shelfcast.promo_model
  products_json  TEXT NOT NULL,             -- [{id, code, name}]
  stores_json    TEXT NOT NULL,             -- [{id, code, name}]
  n_observations INTEGER NOT NULL,
  created_by     TEXT NOT NULL,             -- token name and role, never a customer
  created_at     TEXT NOT NULL
);
CREATE INDEX promo_models_category ON promo_models(category, id);
