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
    p.promo_depth = std::max(p.promo_depth, line.discount);
    if (line.promotion >= 0 && static_cast<size_t>(line.promotion) < promotions.size()) {
      const Promotion& promo = promotions[static_cast<size_t>(line.promotion)];
      p.promo_depth = std::max(p.promo_depth, promo.depth);
      p.feature = p.feature || promo.feature;
      p.display = p.display || promo.display;
    }
  }
  for (size_t w = 0; w < n_weeks; ++w) {
    weeks[w].avg_price = weeks[w].units > 0.0 ? revenue[w] / weeks[w].units : regular_price;
  }
  for (const Holiday& h : holidays) {
    if (h.date < first_week || h.date > last) continue;
    weeks[static_cast<size_t>((h.date.days - first_week.days) / 7)].holiday = true;
  }
  return weeks;
}

}  // namespace shelfcast
