// Scoring a customer base end to end (the CLI's `clv` and the server's customer analytics share
// it), and the k-anonymous segment table that may leave the server.

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "detail/rng.h"
#include "shelfcast/customer.h"

namespace shelfcast {

Result<CustomerScoring> score_customers(const std::vector<CustomerTransaction>& transactions,
                                        const CustomerScoringOptions& options) {
  if (options.horizon_periods < 1) {
    return invalid_argument("expected a horizon of at least one period", "horizon_periods");
  }
  if (!(options.annual_discount_rate >= 0.0 && options.annual_discount_rate < 10.0)) {
    return invalid_argument("expected an annual discount rate in [0, 10)", "annual_discount_rate");
  }
  SHELFCAST_ASSIGN_OR_RETURN(CustomerSummaries summaries,
                             summarize_customers(transactions, options.summary));
  if (summaries.customers.empty()) {
    return failed_precondition("no customer has a purchase on or before the calibration end");
  }
  CustomerScoring out;
  out.skipped_new = summaries.skipped_new;
  out.holdout_periods = summaries.holdout_periods;
  std::vector<RfmInput> rfm;
  std::vector<SpendInput> spend;
  for (const CustomerSummary& s : summaries.customers) {
    rfm.push_back({static_cast<double>(s.frequency), s.recency, s.age});
    spend.push_back({static_cast<double>(s.frequency), s.monetary_value});
  }
  SHELFCAST_ASSIGN_OR_RETURN(out.bgnbd, fit_bgnbd(rfm));
  Result<GammaGammaParams> gg = fit_gamma_gamma(spend);
  out.has_spend_model = gg.is_ok();
  if (gg.is_ok()) {
    out.gamma_gamma = *gg;
  } else {
    out.spend_model_note = gg.status().message();
  }
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<RfmScore> rfm_segments, rfm_scores(summaries));
  ClvOptions clv;
  clv.horizon_periods = options.horizon_periods;
  clv.margin = options.margin;
  const double periods_per_year = 365.25 / options.summary.days_per_period;
  clv.discount_rate =
      detail::exp_portable(detail::log_portable(1.0 + options.annual_discount_rate) /
                           periods_per_year) -
      1.0;
  const double t = static_cast<double>(options.horizon_periods);
  for (size_t i = 0; i < rfm.size(); ++i) {
    const CustomerSummary& s = summaries.customers[i];
    CustomerScore c;
    c.customer_id = s.customer_id;
    c.frequency = s.frequency;
    c.recency = s.recency;
    c.age = s.age;
    SHELFCAST_ASSIGN_OR_RETURN(c.p_alive, bgnbd_p_alive(out.bgnbd, rfm[i]));
    SHELFCAST_ASSIGN_OR_RETURN(c.expected_purchases,
                               bgnbd_conditional_expected_purchases(out.bgnbd, rfm[i], t));
    c.clv = std::numeric_limits<double>::quiet_NaN();
    if (out.has_spend_model) {
      Result<double> v = customer_lifetime_value(out.bgnbd, out.gamma_gamma, rfm[i], spend[i], clv);
      if (v.is_ok()) {
        c.clv = *v;
      } else if (out.spend_model_note.empty()) {
        out.spend_model_note = v.status().message();
      }
    }
    Result<ChurnRule> rule = churn_segment(c.p_alive, options.churn_rules);
    if (rule.is_ok()) {
      c.segment = rule->segment;
      c.action = rule->action;
    }
    c.rfm_segment = rfm_segments[i].segment;
    if (summaries.holdout_periods > 0.0) {
      Result<double> h =
          bgnbd_conditional_expected_purchases(out.bgnbd, rfm[i], summaries.holdout_periods);
      c.holdout_expected = h.is_ok() ? *h : 0.0;
      c.holdout_actual = s.holdout_frequency;
    }
    out.customers.push_back(std::move(c));
  }
  return out;
}

std::vector<SegmentSummary> summarize_segments(const CustomerScoring& scoring,
                                               int64_t min_customers, bool by_rfm) {
  std::vector<SegmentSummary> rows;
  std::map<std::string, size_t> index;
  for (const CustomerScore& c : scoring.customers) {
    const std::string& name = by_rfm ? c.rfm_segment : c.segment;
    auto it = index.find(name);
    if (it == index.end()) {
      it = index.emplace(name, rows.size()).first;
      rows.push_back(SegmentSummary{name, by_rfm ? "" : c.action, 0, false, 0.0, 0.0, 0.0});
    }
    SegmentSummary& r = rows[it->second];
    ++r.customers;
    r.mean_p_alive += c.p_alive;
    r.expected_purchases += c.expected_purchases;
    if (!std::isnan(c.clv)) r.clv += c.clv;
  }
  for (SegmentSummary& r : rows) {
    r.mean_p_alive /= static_cast<double>(r.customers);
    if (r.customers < min_customers) {
      // k-anonymity: a small cell shows neither its numbers nor its exact size.
      r.suppressed = true;
      r.customers = 0;
      r.mean_p_alive = r.expected_purchases = r.clv = 0.0;
    }
  }
  return rows;
}

}  // namespace shelfcast
