#pragma once
// From sales lines to the weekly series that planners look at and models fit.

#include <array>
#include <vector>

#include "shelfcast/forecast.h"
#include "shelfcast/result.h"
#include "shelfcast/types.h"

namespace shelfcast {

/// Aggregates the lines of ONE product in ONE store into Monday-keyed weeks covering every week
/// from week_start(first) to week_start(last), zeros included. `promotions` resolves
/// SalesLine::promotion (feature/display, depth); a line's discount counts as promotion depth
/// too. avg_price is net revenue / units; a week without sales pays the regular (pre-discount)
/// price of the nearest earlier week with sales (the first later one before any sale), and
/// `regular_price` only when the product never sold. Lines with
/// an out-of-range promotion index are treated as unpromoted; lines outside [first, last] are
/// ignored. A week that [first, last] covers only partly is marked complete = false. A week's
/// holiday_days weigh its holidays by weekday_shares of the same lines.
std::vector<WeeklyPoint> aggregate_weekly(const std::vector<SalesLine>& lines,
                                          const std::vector<Promotion>& promotions,
                                          const std::vector<Holiday>& holidays,
                                          double regular_price, Date first, Date last);

/// Each weekday's share of the units the lines sold in [first, last] (Monday first), holidays left
/// out, shrunk toward 1/7 as if kWeekdayPriorUnits more units had sold evenly: a series with few
/// sales gets a nearly flat week (a holiday then counts as about one day), one with thousands its
/// own profile (a holiday on its busiest day counts for more).
inline constexpr double kWeekdayPriorUnits = 70.0;
std::array<double, 7> weekday_shares(const std::vector<SalesLine>& lines,
                                     const std::vector<Holiday>& holidays, Date first, Date last);

/// A weekly series to forecast with its drivers, as the server's jobs and the planner page send it.
struct WeeklyForecastRequest {
  std::vector<WeeklyPoint> history;  ///< consecutive weeks, oldest first (units observed)
  /// Weeks after the history with their planned promotion (depth, feature, display, holiday;
  /// avg_price > 0 sets a planned price). May be shorter than the horizon or empty: weeks without
  /// a plan get the last regular price, no promotion and the holiday flag of 52 weeks earlier.
  std::vector<WeeklyPoint> planned;
  int32_t horizon = 13;                       ///< weeks to forecast, >= 1
  std::vector<double> levels = {80.0, 95.0};  ///< interval levels in percent
  ForecastMethod method = ForecastMethod::kAuto;
  int32_t total_horizon = 0;   ///< forecast the total of the first this-many weeks too
  int32_t season_length = 52;  ///< weeks per season
};

/// The ForecastInput of a weekly series: units as values and the five retail drivers
/// (regression.h). price_ratio = avg_price / the median avg_price of the unpromoted history weeks
/// (all weeks if none); a week without a usable price (avg_price <= 0) keeps the previous one.
/// A planned week without a price pays the last regular price times (1 - depth). Weeks that are
/// not consecutive (7 days apart, history then planned) are kInvalidArgument naming the entry.
Result<ForecastInput> weekly_forecast_input(const WeeklyForecastRequest& request);

}  // namespace shelfcast
