#include "jobs/retention.h"

#include <nlohmann/json.hpp>

#include "governance/audit.h"
#include "store/store.h"

namespace shelfcast::server {

Result<Json> run_retention(Database& db, int64_t keep_days, const std::string& actor) {
  if (keep_days < 7) {
    return invalid_argument("expected at least 7 days to keep, got " + std::to_string(keep_days),
                            "keep_days");
  }
  SHELFCAST_ASSIGN_OR_RETURN(Statement range,
                             db.prepare("SELECT (SELECT value FROM meta WHERE key = 'max_day')"));
  if (!range.step() || range.is_null(0)) {
    SHELFCAST_RETURN_IF_ERROR(range.status());
    return Json{{"lines_purged", 0}, {"note", "no sales loaded"}};
  }
  const Date max_day{static_cast<int32_t>(range.int64(0))};
  const Date cutoff = week_start(Date{static_cast<int32_t>(max_day.days - keep_days)});
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<SeriesKey> keys, list_series_keys(db, {}, {}));
  int64_t weeks_kept = 0;
  for (const SeriesKey& key : keys) {
    SHELFCAST_ASSIGN_OR_RETURN(std::vector<WeeklyPoint> points,
                               weekly_series(db, key.product_code, key.store_code));
    std::vector<WeeklyPoint> closed;
    for (const WeeklyPoint& w : points) {
      if (w.week.days + 7 <= cutoff.days) closed.push_back(w);
    }
    SHELFCAST_RETURN_IF_ERROR(save_weekly_aggregates(db, key, closed));
    weeks_kept += static_cast<int64_t>(closed.size());
  }
  SHELFCAST_ASSIGN_OR_RETURN(int64_t purged, purge_lines_before(db, cutoff));
  SHELFCAST_RETURN_IF_ERROR(record_audit(
      db, actor, "retention.purge", "sales_lines before " + format_date(cutoff),
      dump_json(Json{{"lines_purged", purged}, {"weekly_aggregates_kept", weeks_kept}})));
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return Json{{"cutoff", format_date(cutoff)},
              {"lines_purged", purged},
              {"series", static_cast<int64_t>(keys.size())},
              {"weekly_aggregates_kept", weeks_kept}};
}

}  // namespace shelfcast::server
