#pragma once
// What a forecast job learnt about price response, pooled the way a category manager reads it:
// each product's stores add their evidence, and a category's products share a distribution of
// elasticities and promotion lifts (pool_price_response in the core). One store's fit pins an
// elasticity down to about +-0.3; the pooled figure is what the job summary reports.

#include <map>
#include <string>
#include <vector>

#include "shelfcast/forecast.h"
#include "shelfcast/json.h"
#include "shelfcast/regression.h"
#include "store/store.h"

namespace shelfcast::server {

class PriceResponseCollector {
 public:
  /// Keeps the (elasticity, lift per depth, feature, display) posterior, before the sign
  /// constraints, of a retail-regression fit whose elasticity was estimated; other models and
  /// series without price variation add nothing.
  void add(const SeriesKey& key, const ForecastResult& result);

  /// {"method", "categories": [{category, products, series, category_estimated, elasticity_mean,
  /// elasticity_sd, lift_per_depth_mean, lift_per_depth_sd, feature_mean, feature_sd,
  /// display_mean, display_sd}], "products": [{product, category, stores, elasticity,
  /// elasticity_se, lift_per_depth, lift_per_depth_se, feature, feature_se, display, display_se,
  /// elasticity_stores_only}]}; products sorted by code (feature and display are log
  /// multipliers). Empty categories/products when no
  /// series had an estimated elasticity.
  Result<Json> summary() const;

 private:
  struct Product {
    std::string category;
    PriceResponseGroup group;
  };
  std::map<std::string, Product> products_;  // by product code
};

}  // namespace shelfcast::server
