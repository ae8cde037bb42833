#include "governance/overrides.h"

#include <algorithm>

namespace shelfcast::server {

void apply_override(const EffectiveOverride& o, Json* row) {
  Json& r = *row;
  const double served = r.value("mean", 0.0);  // the model's, or the drift fallback's
  if (!r.contains("model_mean")) r["model_mean"] = served;
  const double shift = o.override_units - served;
  r["mean"] = o.override_units;
  Json intervals = Json::array();
  for (const Json& iv : r.value("intervals", Json::array())) {
    Json moved = iv;
    if (iv.contains("lower") && iv["lower"].is_number()) {
      moved["lower"] = std::max(0.0, iv["lower"].get<double>() + shift);
    }
    if (iv.contains("upper") && iv["upper"].is_number()) {
      moved["upper"] = std::max(0.0, iv["upper"].get<double>() + shift);
    }
    intervals.push_back(moved);
  }
  r["intervals"] = intervals;
  Json components = r.value("components", Json::object());
  if (!components.is_object()) components = Json::object();
  components["override"] = shift;
  r["components"] = components;
  Json named = {{"approval", o.approval_id},
                {"status", o.status},
                {"units", o.override_units},
                {"replaced_mean", served},
                {"model_units_at_submission", o.model_units}};
  if (!o.decided_by.empty()) named["approved_by"] = o.decided_by;
  if (o.job_id > 0) named["submitted_against_job"] = o.job_id;
  r["override"] = named;
}

}  // namespace shelfcast::server
