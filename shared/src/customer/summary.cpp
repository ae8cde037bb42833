// Per-customer calibration summaries, RFM quintile scores and segments, churn-risk rules.

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "shelfcast/customer.h"

namespace shelfcast {
namespace {

// One calendar day of one customer after merging.
struct Day {
  Date date;
  double amount = 0.0;    // non-negative amounts summed
  double returns = 0.0;   // negative amounts summed
  bool purchase = false;  // at least one row with amount >= 0
};

// Quintile scores of values where larger is better: 1 + floor(5 (rank - 1) / n), ties share the
// score of their first rank.
std::vector<int32_t> quintiles(const std::vector<double>& goodness) {
  const size_t n = goodness.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return goodness[a] < goodness[b]; });
  std::vector<int32_t> score(n, 1);
  size_t first = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && goodness[order[i]] != goodness[order[i - 1]]) first = i;
    score[order[i]] = 1 + static_cast<int32_t>(5 * first / n);
  }
  return score;
}

}  // namespace

Result<CustomerSummaries> summarize_customers(const std::vector<CustomerTransaction>& transactions,
                                              const SummaryOptions& options) {
  if (transactions.empty()) {
    return invalid_argument("expected at least one transaction", "transactions");
  }
  if (!(options.days_per_period > 0.0) || !std::isfinite(options.days_per_period)) {
    return invalid_argument("expected days_per_period > 0", "days_per_period");
  }
  for (size_t i = 0; i < transactions.size(); ++i) {
    if (transactions[i].customer_id.empty()) {
      return invalid_argument("transaction " + std::to_string(i + 1) + ": empty customer id",
                              "customer_id");
    }
    if (!std::isfinite(transactions[i].amount)) {
      return invalid_argument("transaction " + std::to_string(i + 1) + ": amount is not finite",
                              "amount");
    }
  }
  std::vector<size_t> order(transactions.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const CustomerTransaction& x = transactions[a];
    const CustomerTransaction& y = transactions[b];
    if (x.customer_id != y.customer_id) return x.customer_id < y.customer_id;
    return x.date < y.date;
  });

  CustomerSummaries out;
  const bool holdout = options.holdout_end > options.calibration_end;
  if (holdout) {
    out.holdout_periods =
        static_cast<double>(options.holdout_end.days - options.calibration_end.days) /
        options.days_per_period;
  }
  std::vector<Day> days;
  size_t i = 0;
  while (i < order.size()) {
    const std::string& id = transactions[order[i]].customer_id;
    days.clear();
    for (; i < order.size() && transactions[order[i]].customer_id == id; ++i) {
      const CustomerTransaction& t = transactions[order[i]];
      if (days.empty() || days.back().date != t.date) days.push_back(Day{t.date, 0.0, 0.0, false});
      Day& d = days.back();
      if (t.amount < 0.0) {
        d.returns += t.amount;
      } else {
        d.amount += t.amount;
        d.purchase = true;
      }
    }
    const Day* first = nullptr;
    for (const Day& d : days) {
      if (d.purchase) {
        first = &d;
        break;
      }
    }
    if (first == nullptr) continue;  // returns only: not a customer of the model
    if (first->date > options.calibration_end) {
      ++out.skipped_new;
      continue;
    }
    CustomerSummary s;
    s.customer_id = id;
    s.first_purchase = first->date;
    s.last_purchase = first->date;
    double repeat_amount = 0.0;
    for (const Day& d : days) {
      if (d.date <= options.calibration_end) {
        s.returns_amount += d.returns;
        if (!d.purchase) continue;
        s.calibration_amount += d.amount;
        if (d.date != first->date) {
          ++s.frequency;
          repeat_amount += d.amount;
          s.last_purchase = d.date;
        }
      } else if (holdout && d.date <= options.holdout_end && d.purchase) {
        ++s.holdout_frequency;
        s.holdout_amount += d.amount;
      }
    }
    s.recency =
        static_cast<double>(s.last_purchase.days - s.first_purchase.days) / options.days_per_period;
    s.age = static_cast<double>(options.calibration_end.days - s.first_purchase.days) /
            options.days_per_period;
    s.monetary_value = s.frequency > 0 ? repeat_amount / s.frequency : 0.0;
    out.customers.push_back(std::move(s));
  }
  return out;
}

std::vector<RfmSegmentRule> default_rfm_segments() {
  return {
      {"champions", 4, 5, 4, 5},
      {"cannot_lose", 1, 1, 5, 5},
      {"loyal", 3, 5, 3, 5},
      {"at_risk", 1, 2, 3, 5},
      {"potential_loyalist", 4, 5, 2, 3},
      {"new", 5, 5, 1, 1},
      {"promising", 4, 4, 1, 1},
      {"need_attention", 3, 3, 2, 2},
      {"about_to_sleep", 3, 3, 1, 1},
      {"hibernating", 2, 2, 1, 2},
      {"lost", 1, 1, 1, 2},
      {"other", 1, 5, 1, 5},
  };
}

Result<std::vector<RfmScore>> rfm_scores(const CustomerSummaries& summaries,
                                         const std::vector<RfmSegmentRule>& rules) {
  const size_t n = summaries.customers.size();
  std::vector<double> recency(n), frequency(n), monetary(n);
  Date reference;
  for (const CustomerSummary& s : summaries.customers) {
    reference = std::max(reference, s.last_purchase);
  }
  for (size_t i = 0; i < n; ++i) {
    const CustomerSummary& s = summaries.customers[i];
    // Days since the last purchase, measured from the last day seen (more recent = larger).
    recency[i] = static_cast<double>(s.last_purchase.days - reference.days);
    frequency[i] = static_cast<double>(s.frequency) + 1.0;
    monetary[i] = s.calibration_amount;
  }
  const std::vector<int32_t> r = quintiles(recency), f = quintiles(frequency),
                             m = quintiles(monetary);
  std::vector<RfmScore> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].recency_score = r[i];
    out[i].frequency_score = f[i];
    out[i].monetary_score = m[i];
    const int32_t fm = (f[i] + m[i] + 1) / 2;  // rounded half up
    for (const RfmSegmentRule& rule : rules) {
      if (r[i] >= rule.recency_min && r[i] <= rule.recency_max && fm >= rule.fm_min &&
          fm <= rule.fm_max) {
        out[i].segment = rule.name;
        break;
      }
    }
    if (out[i].segment.empty()) {
      return invalid_argument(
          "no RFM rule covers R=" + std::to_string(r[i]) + ", FM=" + std::to_string(fm), "rules");
    }
  }
  return out;
}

std::vector<ChurnRule> default_churn_rules() {
  return {
      {"active", 0.7, 1.0, "retain: keep in regular communication, no incentive needed"},
      {"at_risk", 0.3, 0.7, "win back: personalised offer on the customer's usual categories"},
      {"likely_lost", 0.0, 0.3, "reactivate cheaply (low-cost channel) or stop spending on them"},
  };
}

Result<ChurnRule> churn_segment(double p_alive, const std::vector<ChurnRule>& rules) {
  if (!(p_alive >= 0.0 && p_alive <= 1.0)) {
    return invalid_argument("expected P(alive) in [0, 1]", "p_alive");
  }
  for (const ChurnRule& rule : rules) {
    if (p_alive >= rule.p_alive_min &&
        (p_alive < rule.p_alive_max || (rule.p_alive_max >= 1.0 && p_alive <= rule.p_alive_max))) {
      return rule;
    }
  }
  return invalid_argument("no churn rule covers P(alive) = " + std::to_string(p_alive), "rules");
}

}  // namespace shelfcast
