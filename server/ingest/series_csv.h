#pragma once
// The long series CSV of `shelfcast forecast` and `shelfcast backtest` (INTERFACES.md):
//   series_id,period,value[,price,promo_depth,feature,display,holiday]
// period is an integer or a date (YYYY-MM-DD), strictly increasing within a series; value is a
// number, or empty for a missing observation. Rows after a series' last observed value carry the
// planned regressors of the forecast periods (their value is empty). Series keep the order in
// which they first appear. Other columns are reported and ignored.

#include <string>
#include <string_view>
#include <vector>

#include "shelfcast/result.h"

namespace shelfcast::server {

/// One series of the file.
struct LongSeries {
  std::string id;
  std::vector<double> values;  ///< observations up to the last observed one; NaN = missing
  int32_t future_rows = 0;     ///< rows after the last observation (planned regressors)
  /// Regressor columns present in the file, each parallel to values + future rows.
  std::vector<std::string> regressor_names;
  std::vector<std::vector<double>> regressors;
};

/// A parsed file.
struct LongSeriesFile {
  std::vector<LongSeries> series;
  std::vector<std::string> ignored_columns;
};

/// Parses the bytes of `file_name`; the first problem is kInvalidArgument with the message
/// `FILE:LINE: field 'F': reason` and field F.
Result<LongSeriesFile> parse_long_series(std::string_view file_name, std::string_view content);

}  // namespace shelfcast::server
