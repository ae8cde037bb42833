#pragma once
// Forecast monitoring: once actuals arrive for the weeks a job forecast, how accurate and how
// biased it was, per model, over all series and for the total, with Brown's tracking signal per
// series (cumulative error / mean absolute deviation) to flag the series that drift.

#include <cstdint>

#include "shelfcast/json.h"
#include "shelfcast/result.h"
#include "store/db.h"

namespace shelfcast::server {

/// |tracking signal| above this flags a series as drifting (Brown 1959; 4 is the usual alarm
/// limit for a mean-absolute-deviation based signal, e.g. Silver, Pyke & Peterson 1998, ch. 4).
constexpr double kTrackingSignalLimit = 4.0;

/// The accuracy of job `job_id` against the weekly actuals now in the database (complete weeks
/// only). kNotFound for an unknown job; a job whose weeks have no actuals yet answers n = 0.
Result<Json> monitor_job(Database& db, int64_t job_id);

}  // namespace shelfcast::server
