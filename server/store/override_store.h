#pragma once
// Forecast overrides in force: the approved (or auto-approved) overrides of a product-store
// series, which the forecasts the API serves show instead of the model's number.

#include <cstdint>
#include <map>
#include <string>

#include "shelfcast/result.h"
#include "shelfcast/types.h"
#include "store/db.h"

namespace shelfcast::server {

/// One override in force for a week.
struct EffectiveOverride {
  int64_t approval_id = 0;
  std::string status;      ///< approved or auto_approved
  std::string decided_by;  ///< the approver ("" when auto-approved)
  Date week;               ///< Monday
  double override_units = 0.0;
  double model_units = 0.0;  ///< the model's number when it was submitted
  int64_t job_id = 0;        ///< the job it was submitted against, 0 when none was named
};

/// The overrides in force for one product-store series by week (days since 1970): per week, the
/// latest approved or auto-approved one; pending and rejected ones never count.
Result<std::map<int32_t, EffectiveOverride>> effective_overrides(Database& db,
                                                                 const std::string& product,
                                                                 const std::string& store);

}  // namespace shelfcast::server
