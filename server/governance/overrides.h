#pragma once
// Approved forecast overrides take effect where forecasts are served: the override's units
// become the mean, the model's number stays alongside, and the approval is named.

#include "shelfcast/json.h"
#include "store/override_store.h"

namespace shelfcast::server {

/// Rewrites one served forecast row ({"mean","intervals","components",...}) for an override in
/// force: mean = override units; model_mean keeps the model's mean (set by a drift fallback
/// already, else the row's mean); intervals move with the mean (never below 0); components gain
/// "override" so they still add up to the mean; "override" names the approval.
void apply_override(const EffectiveOverride& override_in_force, Json* row);

}  // namespace shelfcast::server
