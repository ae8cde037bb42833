#include "store/override_store.h"

namespace shelfcast::server {

Result<std::map<int32_t, EffectiveOverride>> effective_overrides(Database& db,
                                                                 const std::string& product,
                                                                 const std::string& store) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT o.approval_id, a.status, a.decided_by, o.week, o.override_units, "
                 "o.model_units, coalesce(o.job_id, 0) FROM forecast_overrides o JOIN approvals a "
                 "ON a.id = o.approval_id WHERE o.product = ? AND o.store = ? AND a.status IN "
                 "('approved', 'auto_approved') ORDER BY o.approval_id"));
  st.bind(1, product).bind(2, store);
  std::map<int32_t, EffectiveOverride> out;
  while (st.step()) {
    Result<Date> week = parse_date(st.text(3));
    if (!week.is_ok()) continue;  // submissions store a validated Monday; never reached
    EffectiveOverride o;
    o.approval_id = st.int64(0);
    o.status = st.text(1);
    o.decided_by = st.text(2);
    o.week = *week;
    o.override_units = st.real(4);
    o.model_units = st.real(5);
    o.job_id = st.int64(6);
    out[week->days] = o;  // later approvals replace earlier ones
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return out;
}

}  // namespace shelfcast::server
