#include "shelfcast/series.h"

#include <algorithm>

namespace shelfcast {
namespace {

// The holidays' dates, each once (two holidays may share a day), in order.
std::vector<int32_t> holiday_dates(const std::vector<Holiday>& holidays) {
  std::vector<int32_t> days;
  for (const Holiday& h : holidays) days.push_back(h.date.days);
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

}  // namespace

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
  const std::array<double, 7> shares = weekday_shares(lines, holidays, first, last);
  for (const int32_t day : holiday_dates(holidays)) {
    if (day < first_week.days || day > last.days) continue;
    WeeklyPoint& p = weeks[static_cast<size_t>((day - first_week.days) / 7)];
    p.holiday = true;
    p.holiday_days += 7.0 * shares[static_cast<size_t>(weekday(Date{day}))];
  }
  return weeks;
}

std::array<double, 7> weekday_shares(const std::vector<SalesLine>& lines,
                                     const std::vector<Holiday>& holidays, Date first, Date last) {
  const std::vector<int32_t> holiday_days = holiday_dates(holidays);
  std::array<double, 7> units{};
  double total = 0.0;
  for (const SalesLine& line : lines) {
    if (line.date < first || line.date > last || !(line.qty > 0.0)) continue;
    if (std::binary_search(holiday_days.begin(), holiday_days.end(), line.date.days)) continue;
    units[static_cast<size_t>(weekday(line.date))] += line.qty;
    total += line.qty;
  }
  std::array<double, 7> shares{};
  for (size_t d = 0; d < 7; ++d)
    shares[d] = (units[d] + kWeekdayPriorUnits / 7.0) / (total + kWeekdayPriorUnits);
  return shares;
}

}  // namespace shelfcast
