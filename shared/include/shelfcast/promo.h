#pragma once
// Promotion response (issue 4), step 1: a per-category panel model fitted natively.
//
// THE MODEL (product i, store s, week t; mu the expected units)
//   log(mu_ist)        = a_is + e_i log(price_ratio_ist) + l_i depth_ist + f_i feature_ist
//                        + x_i display_ist + log(max(0.2, 1 + g_i X_ist)) + p_i pre_ist
//                        + d_i post_ist + h_i max(0, depth_ist - tau) + s_i(t)
//                        + y_i holiday_ist + u_ist
//   a_is        product x store level (fixed effect, removed by demeaning within (i, s))
//   price_ratio net price paid / the item's regular price (so e_i covers the discount too, and
//               l_i is the extra log-lift per unit depth beyond the price cut: the generator's
//               split, see generate.h and regression.h)
//   X_ist       the cannibalization pressure on i when it is not promoted in (s, t): the extra
//               units of the category's products promoted there, sum_j B_js F_jt (m_jst - 1),
//               as a share of the category's baseline units in the store, sum_k max(0, B_ks -
//               c), divided by i's own F_it (0 in i's promoted weeks: a promoted product is not
//               read as cannibalized by the siblings promoted with it). B = exp(a + sigma^2 / 2);
//               m_jst the promotion's multiplier (its discount, bend, feature and display); F the
//               calendar's and the regular price's factor on a product's baseline that week
//               (exp(s(t) + y holiday) (regular / reference price)^e) and, for i, its pull-forward
//               or dip that week (exp(p_i pre + d_i post); promo-panel-5: without it a product's
//               dip week, where it loses the same units to a sibling's promotion out of fewer,
//               read as a deeper dip wherever promotions follow each other: bench_promo_truth's
//               promotions-only dips held the truth within 2 se for 46 of 65 products, now 61).
//               g_i < 0 is cannibalization: a
//               sibling selling 100 extra units in a store whose category sells 1,000 takes
//               -g_i x 10% of i's usual units, so the victims together lose a fixed share of the
//               promoted products' extra units whatever the promoted product's size, each in
//               proportion to its usual sales (the generator's form, generate.h), relatively
//               more in a week it sells below its usual level; a product keeps at least 20% of
//               its units whatever its siblings' promotions take (pressure.h: kPressureFloor).
//               The share is linear in the pressure (promo-panel-4): the log effect exp(g X) of
//               promo-panel-3 had to steepen to fit the large pressures of deep promotions and
//               then overstated the small ones by 13-23% (bench_promo_truth). X comes from the
//               model itself: a first fit without it gives the multipliers, levels and factors,
//               and the fit is repeated with the X they imply until no g, pull-forward or dip
//               moves by 0.001 (at most 24 passes; a model whose passes had not settled says so
//               in its notes). Each pass takes g as the least-squares value of the model with its
//               floor, the other coefficients refitted for each g, and its standard error from
//               the term linearized there (promo-panel-6; promo-panel-5 regressed on
//               log(max(0.2, 1 + g X)) / g at the previous pass's g, which let the weeks at the
//               floor hold g where it was: bench_promo_truth's shares within 10% of the truth
//               for 41 of 65 products on 24 stores, 62 with promo-panel-6's g).
//   pre / post  1 in the week before a promotion of i starts / the week after it ends, while i
//               itself is not promoted: p_i = log(1 - pull_forward), d_i = log(1 - dip)
//   s_i(t)      the product's trend (per year from the panel's middle week) and yearly season
//               (two Fourier pairs; a year is 365.25 / 7 weeks): what the calendar does, kept
//               out of the promotion effects
//   holiday_ist the week's retail holidays in average days (WeeklyPoint::holiday_days: each
//               weighs its weekday's share of the usual week, so a holiday on a Saturday counts
//               for more than one on a Tuesday; 1 = one holiday on an average day): y_i is the log
//               multiplier of one such day on the week, kept out of the promotion effects
//               (without it, a holiday in the week after a product's promotion read as a smaller
//               dip; with a 0/1 flag instead of the days, the weeks' different holidays leaked
//               into the promotions that ran in them and from their lift into the elasticity:
//               bench_promo_truth on the generator's data, whose holidays lift a day's demand by
//               half)
//   h_i         the bend of the depth response past tau (PromoFitOptions::depth_threshold): > 0
//               deep cuts cross a threshold of attention, < 0 the response saturates
// fitted as log mu, refitting at the previous pass's mu (the first pass fits log(units + c), c =
// PromoFitOptions::log_offset keeping zero sales finite) in one of two ways per product:
// - a product sold in counts (PromoFitOptions::counts_share): by quasi-likelihood, iteratively
//   reweighted least squares of log mu + (units - mu) / mu with weights mu / (1 + mu / k), its
//   1 / k by the moments: consistent for the expected units (promo-panel-10);
// - a product whose spread is all but proportional to its units: log(units + c) less E[log(Y +
//   c)] - log mu of Poisson counts Y (promo-panel-9, which fitted every product so and read a
//   product selling a few units a day up to 0.68x as elastic as the truth; promo-panel-8 and
//   before fitted log(units + c) itself, and their artifacts say so with log_offset = c).
// Each product's coefficients are a ridge (posterior-mode) fit toward documented priors, with the
// elasticity constrained <= 0 (fixed at 0 and the rest refitted when the free fit is positive).
// With enough products, the category's products then share a distribution of (e_i, l_i, f_i,
// x_i) (PromoFitOptions::pool_products): each product's four become its posterior under it and
// its other coefficients their conditional means given them.
// Standard errors are posterior sds sigma sqrt(diag((X'WX + L)^-1)) (W the quasi-likelihood's
// weights, 1 on the log scale; sigma^2 the dispersion or the residual variance).
//
// Store heterogeneity: after the product's fit, each store (or cluster of stores, see
// PromoFitOptions::store_cluster) gets an elasticity shift d_ik = raw shift x tau^2 / (tau^2 +
// v_ik): its own least-squares shift on the residuals (variance v_ik) shrunk toward the
// product's elasticity by the between-cluster variance tau^2 (method of moments, 0 when the
// clusters do not differ beyond noise), with e_i + d_ik <= 0 kept. Predictions use the shift;
// simulations use the product's pooled elasticity.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "shelfcast/result.h"

namespace shelfcast {

/// One product x store x week row of a category panel.
struct PromoObservation {
  int32_t store = 0;         ///< store id
  int32_t product = 0;       ///< product id
  int32_t week = 0;          ///< week index (consecutive weeks differ by 1)
  double units = 0.0;        ///< units sold, >= 0
  double price_ratio = 1.0;  ///< net price paid / regular price, in (0, 10]
  double promo_depth = 0.0;  ///< fraction off, 0..0.95
  double feature = 0.0;      ///< 1 if featured in the leaflet (0..1)
  double display = 0.0;      ///< 1 if on secondary display (0..1)
  double holiday = 0.0;      ///< the week's holidays in average days (0..7; 1 = one)
};

/// Tunables of the fit, each with its default and its source.
struct PromoFitOptions {
  /// z = log(units + c); c = 1 keeps zero sales finite (as RegressionOptions::log_offset).
  double log_offset = 1.0;
  /// Ridge centre and sd of the elasticity: Tellis (1988) meta-analysis mean -1.76, sd 1.0
  /// (as RegressionOptions).
  double elasticity_prior_mean = -1.76;
  double elasticity_prior_sd = 1.0;
  /// Extra log-lift per unit depth beyond the price cut: centre 1.0, sd 1.0 (as RegressionOptions).
  double promo_lift_prior_mean = 1.0;
  double promo_lift_prior_sd = 1.0;
  /// Feature/display log multipliers: centre 0, sd 0.5 (van Heerde, Leeflang & Wittink 2000).
  double feature_prior_sd = 0.5;
  double display_prior_sd = 0.5;
  /// Cross-promotion, pull-forward and dip effects: centre 0, sd 0.5 (weakly informative; the
  /// generator's dips are 0..30%, log(0.7) = -0.36).
  double cross_prior_sd = 0.5;
  double lag_prior_sd = 0.5;
  /// Where the depth response may bend (fraction off), and the sd of the bend's prior around 0:
  /// retail promotion studies place thresholds near 20-30% off and saturation beyond 40-50%
  /// (Gupta & Cooper 1992; van Heerde, Leeflang & Wittink 2001).
  double depth_threshold = 0.3;
  double depth_hinge_prior_sd = 0.5;
  /// Trend and season coefficients: centre 0, sd 1 (weakly informative; a full yearly swing of
  /// +-100% is log 2 = 0.7).
  double season_prior_sd = 1.0;
  /// Log multiplier of one average holiday day on its week: centre 0, sd 0.5 (weakly
  /// informative; the generator's holiday day sells 1.5x, about +7% on its week).
  double holiday_prior_sd = 0.5;
  /// Store -> cluster for the elasticity shifts; a store not listed is a cluster of its own.
  std::map<int32_t, int32_t> store_cluster;
  /// Fewer clusters with price variation than this: no shifts (tau is not estimable).
  int32_t min_clusters_for_shifts = 3;
  /// A product whose log(units + c) owes at least this share of its residual variance (first
  /// pass) to Poisson counting is refitted by quasi-likelihood, the others on the log scale
  /// (fit.cpp says why). The generator's products owe 7-43% (and are read without bias only so),
  /// Dominick's orange juice brands 0.3-0.5% (whose held-out promotion weeks the log scale reads
  /// with a smaller absolute error); with 10x the units, where a log-scale fit of the generator's
  /// data no longer shows its bias, about 5%. 0: all by quasi-likelihood; above 1: none.
  double counts_share = 0.05;
  /// Starting residual sd for the ridge weights sigma^2 / prior_sd^2; replaced by the residual sd
  /// of the first pass (empirical Bayes, as regression.cpp).
  double initial_residual_sd = 0.3;
  bool constrain_elasticity = true;  ///< law of demand: e_i <= 0
  /// A product with fewer rows than this, or whose log price ratio varies less than
  /// min_price_log_sd, is flagged low-confidence (its elasticity rests on the prior).
  int32_t min_observations = 20;
  double min_price_log_sd = 0.01;
  /// ... or whose rows are more than this share of zero sales (slow movers: the log-linear
  /// response is not for them, see intermittent.h).
  double max_zero_share = 0.5;
  /// Partial pooling over the category's products (pool_price_response in regression.h): their
  /// (elasticity, lift per depth, feature, display) share a distribution estimated by EM, each
  /// product's four are its posterior under it, and its other coefficients move with them. A
  /// product's promotions are few (5-10 in two years) and log(1 - depth), depth and feature move
  /// together in them, so its own fit splits the promotion's total poorly; pooling is how retail
  /// practice settles the split (Montgomery 1997). Needs PoolingOptions::min_groups products with
  /// price information; otherwise each product keeps its own fit.
  bool pool_products = true;
  /// PoolingOptions::spread_prior_weight: one product's worth of the fitting prior's spread keeps
  /// the category's spread of a coefficient from collapsing where the products cannot tell it
  /// from another (a category without regular-price moves: elasticity against lift per depth).
  /// bench_promo_truth, promotions-only data: the truth within 2 se of the pooled elasticity for
  /// 31 of 65 products at 0 (spreads of 0.05), 64 at 1; on 24 stores with price moves, 55 either
  /// way.
  double pooling_spread_prior_weight = 1.0;
};

/// One estimated effect with its standard error.
struct PromoEffect {
  double estimate = 0.0;
  double se = 0.0;
};

/// Coefficients of one product.
struct PromoProductModel {
  int32_t product = 0;
  PromoEffect elasticity;         ///< e_i, <= 0 when constrained
  PromoEffect lift_per_depth;     ///< l_i, extra log-lift per unit depth
  PromoEffect feature;            ///< f_i, log multiplier
  PromoEffect display;            ///< x_i, log multiplier
  PromoEffect cross_depth;        ///< g_i: units times max(0.2, 1 + g_i X) (< 0 cannibalization)
  PromoEffect pre_week;           ///< p_i, log effect in the week before a promotion (pull-forward)
  PromoEffect post_week;          ///< d_i, log effect in the week after a promotion (dip)
  PromoEffect depth_hinge;        ///< h_i, extra log-lift per unit of depth beyond the threshold
  PromoEffect holiday;            ///< y_i, log multiplier of one average holiday day on its week
  double heterogeneity_sd = 0.0;  ///< tau: sd of the store (cluster) elasticity shifts
  /// s_i(t): trend per year, sin and cos of the year, sin and cos of the half-year (empty in
  /// artifacts fitted before them: no season).
  std::vector<PromoEffect> season_terms;
  int32_t n_observations = 0;
  double sigma = 0.0;                ///< residual sd on the log scale
  bool elasticity_at_bound = false;  ///< the constraint e_i <= 0 was active
  bool low_confidence = false;       ///< too few rows or too little price variation
};

/// Fitted level a_is of one product in one store (log scale).
struct PromoLevel {
  int32_t product = 0;
  int32_t store = 0;
  double log_level = 0.0;        ///< mean of z - x'b over the pair's rows
  PromoEffect elasticity_shift;  ///< d_ik of the store's cluster, shrunk (0 when tau = 0)
};

/// A product's typical shelf price and unit cost, and its reference (regular) price per store, as
/// the fitting data showed them (filled by callers that read prices, such as `shelfcast promo
/// fit`; optional in the artifact). Simulations and predictions fall back on them.
struct PromoProductPrice {
  int32_t product = 0;
  double regular_price = 0.0;  ///< median over stores of the reference prices
  double unit_cost = -1.0;     ///< median cost, -1 when the data had none
};
struct PromoReferencePrice {
  int32_t product = 0;
  int32_t store = 0;
  double price = 0.0;  ///< the price a price_ratio of 1 means in this store
};

/// The versioned model artifact of one category.
struct PromoModel {
  std::string model_version;  ///< core_model_version() + "/promo-panel-10"
  std::string category;
  std::vector<PromoProductModel> products;  ///< sorted by product id
  std::vector<PromoLevel> levels;           ///< sorted by product, then store
  int32_t n_observations = 0;
  int32_t n_stores = 0;
  int32_t n_weeks = 0;
  /// c of the levels and effects: units + c is what they predict (0 since promo-panel-9, whose
  /// fit is of log mu; promo-panel-8 and before: PromoFitOptions::log_offset).
  double log_offset = 1.0;
  double depth_threshold = 0.3;  ///< tau of the depth bend
  double reference_week = 0.0;   ///< the panel's middle week: trend and season are measured from it
  std::vector<std::string> notes;                     ///< flags (low-confidence products, ...)
  std::vector<PromoProductPrice> prices;              ///< optional, by product
  std::vector<PromoReferencePrice> reference_prices;  ///< optional, by product then store
};

/// Fits the panel. kInvalidArgument names the row for negative/non-finite units, price_ratio
/// outside (0, 10], depth outside [0, 0.95], feature/display outside [0, 1], or a duplicate
/// (store, product, week); an empty panel is kFailedPrecondition.
Result<PromoModel> fit_promo_model(const std::vector<PromoObservation>& panel,
                                   const std::string& category,
                                   const PromoFitOptions& options = {});

/// Expected units of each row (units ignored) under a fitted model: exp(a_is + x'b + sigma^2/2)
/// - c, clamped at 0. Pre/post-week flags and the cannibalization pressure come from the rows
/// themselves (the promoted rows' depths, features and displays), as in the fit. An unknown product
/// or product x store pair is kNotFound; row checks as the fit.
Result<std::vector<double>> predict_promo(const PromoModel& model,
                                          const std::vector<PromoObservation>& rows);

/// Expected units of a row with a central prediction interval: units + c is lognormal with the
/// row's log mean and the product's residual sd, so lower/upper are its quantiles minus c
/// (clamped at 0) and mean is as predict_promo.
struct PromoPrediction {
  double mean = 0.0;
  double lower = 0.0;
  double upper = 0.0;
};

/// predict_promo with an interval at `level` percent (in (0, 100)); errors as predict_promo.
Result<std::vector<PromoPrediction>> predict_promo_interval(
    const PromoModel& model, const std::vector<PromoObservation>& rows, double level);

/// False for artifacts of the panels before promo-panel-5 (their cross_depth measured
/// cannibalization per unit of the siblings' summed depth (1, 2), as a log effect exp(g X) (3),
/// or as the share 1 + g X of a pressure that ignored the product's own dip weeks (4)): they must
/// be refitted. promo_model_from_json refuses them; stores
/// holding them treat them as absent.
bool promo_model_version_readable(const std::string& model_version);

/// The artifact as JSON text (schema "shelfcast.promo_model", version 1; defined in
/// src/json/promo_json.cpp so that the core's other files stay free of nlohmann).
std::string promo_model_to_json(const PromoModel& model);

/// Reads promo_model_to_json's text back; malformed JSON, a wrong schema or version, or a
/// missing/non-numeric field is kInvalidArgument naming the field. Round-trips exactly.
Result<PromoModel> promo_model_from_json(const std::string& text);

}  // namespace shelfcast
