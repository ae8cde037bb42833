#pragma once
// Customer analytics: RFM scores and segments, the BG/NBD purchase model (Fader, Hardie & Lee
// 2005, "Counting your customers the easy way", Marketing Science 24(2)), the Gamma-Gamma spend
// model (Fader, Hardie & Lee 2005, "RFM and CLV", JMR 42(4); Fader & Hardie 2013 note), customer
// lifetime value and churn-risk segments with recommended actions.
//
// Transaction conventions (summarize_customers):
// - Purchases on the same calendar day by the same customer merge into one transaction whose
//   amount is the sum of that day's non-negative amounts (BTYD's dc.MergeTransactionsOnSameDate).
// - A negative amount is a return: it is not a transaction (it neither counts as a purchase nor
//   moves recency) and it is excluded from the spend model. A zero amount is a purchase.
// - A customer's first transaction is the trial; frequency x counts the *repeat* transactions
//   up to and including the calibration end; recency t_x = last calibration transaction - first,
//   T = calibration end - first, both in periods of `days_per_period` days (BTYD / lifetimes).
// - Transactions after the calibration end and up to the holdout end are counted in the holdout
//   only; later ones are ignored. Customers whose first purchase is after the calibration end
//   are not in the calibration set (they are counted in CustomerSummaries::skipped_new).
// - A customer with one purchase has frequency 0, recency 0, P(alive) = 1 and the population's
//   mean spend.

#include <cstdint>
#include <string>
#include <vector>

#include "shelfcast/result.h"
#include "shelfcast/types.h"

namespace shelfcast {

// ---- transactions and summaries ---------------------------------------------------------------

/// One purchase (or return, when amount < 0) of a pseudonymous customer.
struct CustomerTransaction {
  std::string customer_id;
  Date date;
  double amount = 0.0;  ///< money spent; negative = a return
};

/// Where the calibration and holdout periods end, and the period length.
struct SummaryOptions {
  Date calibration_end;          ///< last day of calibration, inclusive
  Date holdout_end;              ///< last day of the holdout, inclusive; <= calibration_end: none
  double days_per_period = 7.0;  ///< 7 = weeks (BTYD's CDNOW analysis), 1 = days
};

/// One customer's calibration statistics and holdout actuals.
struct CustomerSummary {
  std::string customer_id;
  int32_t frequency = 0;  ///< x: repeat transactions in calibration
  double recency = 0.0;   ///< t_x: first to last calibration transaction, periods
  double age = 0.0;       ///< T: first transaction to calibration end, periods
  /// Mean amount of the repeat calibration transactions (0 if none): Gamma-Gamma's m-bar, with
  /// x = frequency (the first purchase is left out, as in Fader, Hardie & Lee 2005).
  double monetary_value = 0.0;
  double calibration_amount = 0.0;  ///< total non-negative amount in calibration, first included
  int32_t holdout_frequency = 0;    ///< transactions after calibration, up to the holdout end
  double holdout_amount = 0.0;      ///< their amount
  double returns_amount = 0.0;      ///< sum of negative amounts (calibration), <= 0
  Date first_purchase;              ///< date of the first transaction
  Date last_purchase;               ///< date of the last calibration transaction
};

/// Every customer of the calibration set, by customer id (byte order).
struct CustomerSummaries {
  std::vector<CustomerSummary> customers;
  int32_t skipped_new = 0;       ///< customers whose first purchase is after the calibration end
  double holdout_periods = 0.0;  ///< holdout length in periods (0 without a holdout)
};

/// Builds the per-customer summaries; see the conventions at the top. Empty input, an empty
/// customer id, a non-finite amount or days_per_period <= 0 is kInvalidArgument.
Result<CustomerSummaries> summarize_customers(const std::vector<CustomerTransaction>& transactions,
                                              const SummaryOptions& options);

// ---- RFM ----------------------------------------------------------------------------------------

/// A rule of the RFM segment table: the first row whose ranges hold both scores names it.
struct RfmSegmentRule {
  std::string name;
  int32_t recency_min = 1, recency_max = 5;  ///< R score range, inclusive
  int32_t fm_min = 1, fm_max = 5;            ///< range of the rounded mean of F and M scores
};

/// A common 9-segment RFM map (after the R/F grid popularised by Putler and the `rfm` R package);
/// the last row catches everything else.
std::vector<RfmSegmentRule> default_rfm_segments();

/// Quintile scores and the segment of one customer.
struct RfmScore {
  int32_t recency_score = 0;    ///< 5 = most recent
  int32_t frequency_score = 0;  ///< 5 = most transactions
  int32_t monetary_score = 0;   ///< 5 = highest total spend
  std::string segment;
};

/// Scores each summary in quintiles (1..5) of recency (days since last purchase at the
/// calibration end, fewer is better), frequency (transactions, first included) and monetary value
/// (calibration amount). Tied values share the score of their first rank: score =
/// 1 + floor(5 * (rank - 1) / n) over ascending goodness. Same order as the input.
Result<std::vector<RfmScore>> rfm_scores(
    const CustomerSummaries& summaries,
    const std::vector<RfmSegmentRule>& rules = default_rfm_segments());

// ---- BG/NBD -------------------------------------------------------------------------------------

/// BG/NBD parameters: purchase rates ~ Gamma(r, alpha), dropout probabilities ~ Beta(a, b).
struct BgNbdParams {
  double r = 0.0;
  double alpha = 0.0;
  double a = 0.0;
  double b = 0.0;
  double log_likelihood = 0.0;  ///< at the fit, summed over customers (0 until fitted)
};

/// A customer's calibration statistics in the model's terms.
struct RfmInput {
  double frequency = 0.0;  ///< x (whole number >= 0)
  double recency = 0.0;    ///< t_x, 0 <= t_x <= T, 0 when x = 0
  double age = 0.0;        ///< T >= 0 (0: first purchase on the calibration end)
};

/// Options of the maximum-likelihood fit (Nelder-Mead on log parameters).
struct BgNbdFitOptions {
  /// Start, as in BTYD's bgnbd.EstimateParameters (par.start = c(1, 3, 1, 3)).
  double r0 = 1.0, alpha0 = 3.0, a0 = 1.0, b0 = 3.0;
  int32_t max_evaluations = 20000;  ///< per Nelder-Mead run
  /// Restarts from the best point (escape a premature collapse of the simplex). One is enough on
  /// CDNOW (3 gave the same parameters at twice the time).
  int32_t restarts = 1;
  /// Stop when the simplex f spread <= tolerance * (1 + |f|): 1e-11 is ~1e-7 in log-likelihood on
  /// CDNOW and gives the parameters of 1e-12 to four decimals (1e-10 moved b by 2e-4 and left
  /// the likelihood below the one at R BTYD's estimates).
  double tolerance = 1e-11;
  /// Bounds on log parameters, to keep the search out of overflow (exp(+-15): 3e-7 .. 3e6).
  double log_bound = 15.0;
  double penalty = 0.0;  ///< L2 penalty on the parameters (lifetimes' penalizer_coef); 0 = none
};

/// Checks a customer's statistics (field "frequency", "recency" or "age").
Status check_rfm_input(const RfmInput& c);

/// BG/NBD log-likelihood of one customer (FHL 2005, eq. 6, without constants).
Result<double> bgnbd_log_likelihood(const BgNbdParams& params, const RfmInput& customer);
/// Summed over customers.
Result<double> bgnbd_log_likelihood(const BgNbdParams& params,
                                    const std::vector<RfmInput>& customers);
/// Maximum-likelihood fit; at least one customer with frequency > 0 is required.
Result<BgNbdParams> fit_bgnbd(const std::vector<RfmInput>& customers,
                              const BgNbdFitOptions& options = {});
/// P(alive at T | x, t_x, T) (FHL 2005, eq. 11 / the 2008 note); 1 when x = 0.
Result<double> bgnbd_p_alive(const BgNbdParams& params, const RfmInput& customer);
/// E[X(t)]: expected purchases of a new customer in (0, t] (FHL 2005, eq. 9); needs a + b > 1.
Result<double> bgnbd_expected_purchases_new(const BgNbdParams& params, double t);
/// E[Y(t) | x, t_x, T]: expected purchases in the next t periods (FHL 2005, eq. 10); needs
/// a + b + x > 1 (kFailedPrecondition otherwise). a = 1 is evaluated at 1 +- 1e-9 (continuous).
Result<double> bgnbd_conditional_expected_purchases(const BgNbdParams& params,
                                                    const RfmInput& customer, double t);

/// Gauss hypergeometric 2F1(a, b; c; z) for c > 0 and 0 <= z < 1 by its series (the BG/NBD use
/// has z = t / (alpha + T + t)); kFailedPrecondition when it does not converge.
Result<double> hypergeometric_2f1(double a, double b, double c, double z);

// ---- Gamma-Gamma spend
// ---------------------------------------------------------------------------

/// Gamma-Gamma parameters: a transaction's spend ~ Gamma(p, nu), nu ~ Gamma(q, gamma).
struct GammaGammaParams {
  double p = 0.0;
  double q = 0.0;
  double gamma = 0.0;
  double log_likelihood = 0.0;
};

/// One customer's spend statistics: x transactions with mean amount m-bar (both > 0 to count).
struct SpendInput {
  double transactions = 0.0;  ///< x
  double mean_amount = 0.0;   ///< m-bar
};

/// Options of the Gamma-Gamma fit (Nelder-Mead on log parameters).
struct GammaGammaFitOptions {
  double p0 = 1.0, q0 = 1.0, gamma0 = 1.0;  ///< start (lifetimes' default initial values)
  int32_t max_evaluations = 20000;
  int32_t restarts = 3;
  double tolerance = 1e-12;
  double log_bound = 15.0;
  double penalty = 0.0;
};

/// Log-likelihood of one customer's mean spend (Fader & Hardie 2013 note, eq. 3, with constants).
Result<double> gamma_gamma_log_likelihood(const GammaGammaParams& params, const SpendInput& s);
/// Maximum-likelihood fit on customers with transactions > 0 and mean_amount > 0 (others skipped;
/// none left is kInvalidArgument).
Result<GammaGammaParams> fit_gamma_gamma(const std::vector<SpendInput>& customers,
                                         const GammaGammaFitOptions& options = {});
/// E[M | x, m-bar] = (gamma + x m-bar) p / (p x + q - 1) (needs q > 1); x = 0 gives the
/// population mean p gamma / (q - 1).
Result<double> gamma_gamma_expected_spend(const GammaGammaParams& params, const SpendInput& s);

// ---- CLV
// ------------------------------------------------------------------------------------------

/// How lifetime value is discounted and over how long.
struct ClvOptions {
  int32_t horizon_periods = 52;  ///< one year of weeks
  /// Per period; the default is 10% a year in weeks, 1.1^(1/52) - 1 (a common cost of capital).
  double discount_rate = 0.0018345806;
  double margin = 1.0;  ///< share of spend that is profit; 1 = CLV in revenue
};

/// CLV = sum_{k=1..H} (E[Y(k)] - E[Y(k-1)]) * E[M] * margin / (1 + d)^k: the expected purchases
/// in each future period times the expected spend and margin, discounted to the calibration end.
Result<double> customer_lifetime_value(const BgNbdParams& bgnbd, const GammaGammaParams& spend,
                                       const RfmInput& customer, const SpendInput& spend_input,
                                       const ClvOptions& options = {});

// ---- churn risk
// -------------------------------------------------------------------------------------

/// A row of the churn-risk table: P(alive) in [p_alive_min, p_alive_max) gives the segment and
/// its recommended action (the highest row also includes p_alive = 1).
struct ChurnRule {
  std::string segment;
  double p_alive_min = 0.0;
  double p_alive_max = 1.0;
  std::string action;
};

/// Default table; thresholds are our choice (terciles of the probability scale, as used in
/// practice with lifetimes), not from a paper.
std::vector<ChurnRule> default_churn_rules();

/// The rule that applies to a P(alive); kInvalidArgument when no row covers it.
Result<ChurnRule> churn_segment(double p_alive,
                                const std::vector<ChurnRule>& rules = default_churn_rules());

// ---- scoring a customer base -----------------------------------------------------------------

/// How to score: the periods, the CLV horizon and discounting, the churn table.
struct CustomerScoringOptions {
  SummaryOptions summary;        ///< calibration end, optional holdout end, period length
  int32_t horizon_periods = 52;  ///< expected purchases and CLV over this many periods
  /// 10% a year (a common cost of capital), converted to the period length.
  double annual_discount_rate = 0.10;
  double margin = 1.0;  ///< share of spend that is profit; 1 = CLV in revenue
  std::vector<ChurnRule> churn_rules = default_churn_rules();
};

/// One customer's scores (keyed by the caller's pseudonymous id).
struct CustomerScore {
  std::string customer_id;
  int32_t frequency = 0;
  double recency = 0.0, age = 0.0;
  double p_alive = 0.0;
  double expected_purchases = 0.0;  ///< over horizon_periods
  double clv = 0.0;                 ///< NaN when the spend model does not apply (q <= 1)
  std::string segment;              ///< churn-risk segment of the rule table
  std::string action;               ///< its recommended retention action
  std::string rfm_segment;          ///< RFM segment (rfm_scores)
  double holdout_expected = 0.0;    ///< expected purchases in the holdout (0 without one)
  int32_t holdout_actual = 0;
};

/// A scored customer base: the fitted models and every customer's scores.
struct CustomerScoring {
  BgNbdParams bgnbd;
  bool has_spend_model = false;
  GammaGammaParams gamma_gamma;
  std::string spend_model_note;  ///< why CLV is missing, when it is
  std::vector<CustomerScore> customers;
  int32_t skipped_new = 0;  ///< first purchase after the calibration end
  double holdout_periods = 0.0;
};

/// summarize_customers, fit_bgnbd, fit_gamma_gamma (optional: CLV is NaN without it), P(alive),
/// expected purchases, CLV, churn segment and action, RFM segment. No customer with a purchase
/// by the calibration end is kFailedPrecondition.
Result<CustomerScoring> score_customers(const std::vector<CustomerTransaction>& transactions,
                                        const CustomerScoringOptions& options = {});

/// One row of a segment table: an aggregate that may leave the server.
struct SegmentSummary {
  std::string segment;
  std::string action;
  int64_t customers = 0;
  bool suppressed = false;  ///< fewer than min_customers: the numbers below are 0, not shown
  double mean_p_alive = 0.0;
  double expected_purchases = 0.0;  ///< summed over the segment
  double clv = 0.0;                 ///< summed (customers with a CLV)
};

/// Churn segments in rule-table order (or RFM segments, by name) with k-anonymity: a segment
/// with fewer than min_customers customers keeps only its name and count range (suppressed).
std::vector<SegmentSummary> summarize_segments(const CustomerScoring& scoring,
                                               int64_t min_customers, bool by_rfm = false);

}  // namespace shelfcast
