#pragma once
// Promotion-response models fitted from the stored sales (issue 4): one category's weekly
// product x store panel (units, average price against the list price, promotion depth, feature,
// display) goes to the core's panel fit; the artifact is stored with the data version and
// served with the product and store codes its ids stand for.

#include <cstdint>
#include <string>

#include "shelfcast/json.h"
#include "shelfcast/result.h"
#include "store/db.h"

namespace shelfcast::server {

struct PromoModelRecord {
  int64_t id = 0;
  std::string category;
  std::string model_version;
  std::string data_hash;
  std::string artifact_json;  ///< shelfcast.promo_model
  std::string products_json;  ///< [{id, code, name}]
  std::string stores_json;    ///< [{id, code, name}]
  int64_t n_observations = 0;
  std::string created_by;
  std::string created_at;
};

/// Fits the category's panel from the database at `db_path` and stores the artifact, audited as
/// `promo.fit` by `actor`. kNotFound for an unknown category; kFailedPrecondition when it has
/// no complete weeks of sales.
Result<PromoModelRecord> fit_category_promo_model(const std::string& db_path,
                                                  const std::string& category,
                                                  const std::string& actor);
/// The same on an open read-write connection (a job's), outside any transaction.
Result<PromoModelRecord> fit_category_promo_model(Database& db, const std::string& category,
                                                  const std::string& actor);

/// kNotFound (field "category") unless the category exists.
Status check_category_exists(Database& db, const std::string& category);

/// The simulation context of a category for the planner's in-browser simulator, in the plan
/// format of promo_sim.h with the database ids the artifact uses: products with list price and
/// cost, stock positions (on hand, on order, lead time in whole weeks) of every store, and the
/// product pairs of the newest finished product-level basket job (k-filtered) as affinity, with
/// that job's id. kNotFound for an unknown category.
Result<Json> promo_context(Database& db, const std::string& category);

/// The newest stored model of a category; kNotFound when there is none.
Result<PromoModelRecord> latest_promo_model(Database& db, const std::string& category);

}  // namespace shelfcast::server
