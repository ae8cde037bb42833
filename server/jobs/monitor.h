#pragma once
// Forecast monitoring: once actuals arrive for the weeks a job forecast, how accurate and how
// biased it was, per model, over all series and for the total, with Brown's tracking signal per
// series (cumulative error / mean absolute deviation) to flag the series that drift.

#include <cstdint>
#include <string>
#include <vector>

#include "shelfcast/json.h"
#include "shelfcast/result.h"
#include "store/db.h"

namespace shelfcast::server {

/// |tracking signal| above this flags a series as drifting (Brown 1959; 4 is the usual alarm
/// limit for a mean-absolute-deviation based signal, e.g. Silver, Pyke & Peterson 1998, ch. 4).
constexpr double kTrackingSignalLimit = 4.0;

/// Weeks of actuals the drift fallback averages.
constexpr int32_t kFallbackWeeks = 8;

/// The accuracy of job `job_id` against the weekly actuals now in the database (complete weeks
/// only). kNotFound for an unknown job; a job whose weeks have no actuals yet answers n = 0.
/// Series whose |tracking signal| exceeds `tracking_signal_limit` are drifting; each names the
/// fallback its forecast is now served from.
Result<Json> monitor_job(Database& db, int64_t job_id,
                         double tracking_signal_limit = kTrackingSignalLimit);

/// The drift state of one series of a job. When |tracking signal| > the limit (over at least two
/// weeks with actuals) the forecast served for the weeks still without actuals falls back to the
/// mean of the last kFallbackWeeks complete weeks of actuals: a drift the signal flags is a
/// persistent bias (a level shift), which the recent mean follows at once, where a seasonal naive
/// would repeat last year's level and needs a year of history.
struct SeriesFallback {
  bool active = false;
  double tracking_signal = 0.0;
  int64_t weeks_with_actuals = 0;     ///< forecast weeks of the job that have actuals
  std::vector<int32_t> actual_weeks;  ///< those weeks (Date::days), served as stored
  double baseline_units = 0.0;        ///< mean of the recent actuals
  double baseline_sd_units = 0.0;     ///< their standard deviation (for the intervals)
  int64_t baseline_weeks = 0;
  std::string model, reason;
};
Result<SeriesFallback> series_fallback(Database& db, int64_t job_id, const std::string& product,
                                       const std::string& store, double tracking_signal_limit);

/// Rewrites one served forecast row (as GET /api/v1/jobs/{id}/forecasts shows it) of week
/// `week_days` to the fallback when it is active and the week has no actuals yet: mean, intervals
/// (normal, from the recent actuals' spread) and components become the baseline's, the model's
/// own number stays as `model_mean`, and `fallback` names the baseline and the reason.
void apply_fallback(const SeriesFallback& fallback, int32_t week_days, Json* row);

}  // namespace shelfcast::server
