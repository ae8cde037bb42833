#include "shelfcast/series.h"

#include <algorithm>

namespace shelfcast {

std::vector<WeeklyPoint> aggregate_weekly(const std::vector<SalesLine>& lines,
                                          const std::vector<Promotion>& promotions,
                                          const std::vector<Holiday>& holidays,
                                          double regular_price, Date first, Date last) {
  std::vector<WeeklyPoint> weeks;
  if (last < first) return weeks;
  const Date first_week = week_start(first);
  const size_t n_weeks = static_cast<size_t>((week_start(last).days - first_week.days) / 7 + 1);
  weeks.resize(n_weeks);
  std::vector<double> revenue(n_weeks, 0.0);
  std::vector<double> regular_revenue(n_weeks, 0.0);  // at the lines' pre-discount prices
  for (size_t w = 0; w < n_weeks; ++w) {
    weeks[w].week = Date{first_week.days + static_cast<int32_t>(7 * w)};
    weeks[w].complete = weeks[w].week >= first && weeks[w].week.days + 6 <= last.days;
  }
  for (const SalesLine& line : lines) {
    if (line.date < first || line.date > last) continue;
    const auto w = static_cast<size_t>((line.date.days - first_week.days) / 7);
    WeeklyPoint& p = weeks[w];
    p.units += line.qty;
    revenue[w] += line.qty * line.unit_price * (1.0 - line.discount);
    regular_revenue[w] += line.qty * line.unit_price;
    p.promo_depth = std::max(p.promo_depth, line.discount);
    if (line.promotion >= 0 && static_cast<size_t>(line.promotion) < promotions.size()) {
      const Promotion& promo = promotions[static_cast<size_t>(line.promotion)];
      p.promo_depth = std::max(p.promo_depth, promo.depth);
      p.feature = p.feature || promo.feature;
      p.display = p.display || promo.display;
    }
  }
  // A week without sales pays the regular price in force then: that of the nearest earlier week
  // with sales (the first later one before the first sale), `regular_price` only when nothing
  // sold at all. The current list price would date a regular-price change back to the weeks
  // without sales and read their zeros as a price response.
  double in_force = -1.0;
  for (size_t w = 0; w < n_weeks && in_force < 0.0; ++w)
    if (weeks[w].units > 0.0) in_force = regular_revenue[w] / weeks[w].units;
  if (!(in_force > 0.0)) in_force = regular_price;
  for (size_t w = 0; w < n_weeks; ++w) {
    if (weeks[w].units > 0.0) {
      weeks[w].avg_price = revenue[w] / weeks[w].units;
      if (regular_revenue[w] > 0.0) in_force = regular_revenue[w] / weeks[w].units;
    } else {
      weeks[w].avg_price = in_force;
    }
  }
  for (const Holiday& h : holidays) {
    if (h.date < first_week || h.date > last) continue;
    weeks[static_cast<size_t>((h.date.days - first_week.days) / 7)].holiday = true;
  }
  return weeks;
}

}  // namespace shelfcast
