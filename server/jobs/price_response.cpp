#include "jobs/price_response.h"

#include <cmath>
#include <utility>

namespace shelfcast::server {

void PriceResponseCollector::add(const SeriesKey& key, const ForecastResult& result) {
  if (result.drivers.empty() || result.drivers[0].name != "price_elasticity" ||
      !result.drivers[0].estimated) {
    return;
  }
  // The posterior before the sign constraints: pooling multiplies the stores' evidence and
  // applies the constraints once (a store whose own fit sat on a bound still has evidence).
  Result<PriceResponse> r =
      price_response_of(result.unconstrained_drivers, result.unconstrained_driver_covariance);
  if (!r.is_ok()) return;
  Product& p = products_[key.product_code];
  p.category = key.category_code;
  p.group.name = key.product_code;
  p.group.series.push_back(*r);
}

Result<Json> PriceResponseCollector::summary() const {
  RegressionOptions fit;  // forecast() fits with the default priors
  PoolingOptions options;
  options.elasticity_prior_mean = fit.elasticity_prior_mean;
  options.elasticity_prior_sd = fit.elasticity_prior_sd;
  options.lift_prior_mean = fit.promo_lift_prior_mean;
  options.lift_prior_sd = fit.promo_lift_prior_sd;
  options.feature_prior_sd = fit.feature_prior_sd;
  options.display_prior_sd = fit.display_prior_sd;
  std::map<std::string, std::vector<const PriceResponseGroup*>> by_category;
  std::map<std::string, std::string> category_of;
  for (const auto& [code, p] : products_) {
    by_category[p.category].push_back(&p.group);
    category_of[code] = p.category;
  }
  Json categories = Json::array();
  std::map<std::string, Json> product_rows;
  for (const auto& [category, groups] : by_category) {
    std::vector<PriceResponseGroup> input;
    size_t series = 0;
    for (const PriceResponseGroup* g : groups) {
      input.push_back(*g);
      series += g->series.size();
    }
    Result<PriceResponsePooling> pooled = pool_price_response(input, options);
    if (!pooled.is_ok()) return pooled.status();
    categories.push_back({{"category", category},
                          {"products", input.size()},
                          {"series", series},
                          {"category_estimated", pooled->category_estimated},
                          {"elasticity_mean", pooled->elasticity_mean},
                          {"elasticity_sd", pooled->elasticity_sd},
                          {"lift_per_depth_mean", pooled->lift_mean},
                          {"lift_per_depth_sd", pooled->lift_sd},
                          {"feature_mean", pooled->feature_mean},
                          {"feature_sd", pooled->feature_sd},
                          {"display_mean", pooled->display_mean},
                          {"display_sd", pooled->display_sd}});
    for (size_t k = 0; k < input.size(); ++k) {
      const PooledPriceResponse& g = pooled->groups[k];
      product_rows[g.name] = {{"product", g.name},
                              {"category", category},
                              {"stores", input[k].series.size()},
                              {"elasticity", g.pooled.elasticity},
                              {"elasticity_se", std::sqrt(g.pooled.covariance[0])},
                              {"lift_per_depth", g.pooled.lift_per_depth},
                              {"lift_per_depth_se", std::sqrt(g.pooled.covariance[5])},
                              {"feature", g.pooled.feature},
                              {"feature_se", std::sqrt(g.pooled.covariance[10])},
                              {"display", g.pooled.display},
                              {"display_se", std::sqrt(g.pooled.covariance[15])},
                              {"elasticity_stores_only", g.stores_only.elasticity}};
    }
  }
  Json products = Json::array();
  for (auto& [code, row] : product_rows) products.push_back(std::move(row));
  return Json{
      {"method",
       "retail-regression fits of each product-store series; a product's stores pooled, "
       "a category's products sharing a distribution of elasticity, lift per depth, feature and "
       "display estimated by EM (partial pooling)"},
      {"categories", std::move(categories)},
      {"products", std::move(products)}};
}

}  // namespace shelfcast::server
