#pragma once
// From sales lines to the weekly series that planners look at and models fit.

#include <vector>

#include "shelfcast/types.h"

namespace shelfcast {

/// Aggregates the lines of ONE product in ONE store into Monday-keyed weeks covering every week
/// from week_start(first) to week_start(last), zeros included. `promotions` resolves
/// SalesLine::promotion (feature/display, depth); a line's discount counts as promotion depth
/// too. avg_price is net revenue / units, or `regular_price` in a week without sales. Lines with
/// an out-of-range promotion index are treated as unpromoted; lines outside [first, last] are
/// ignored. A week that [first, last] covers only partly is marked complete = false.
std::vector<WeeklyPoint> aggregate_weekly(const std::vector<SalesLine>& lines,
                                          const std::vector<Promotion>& promotions,
                                          const std::vector<Holiday>& holidays,
                                          double regular_price, Date first, Date last);

}  // namespace shelfcast
