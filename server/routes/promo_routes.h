#pragma once
// Promotion-response routes (issue 4): fit a category's model from the stored sales and fetch
// its artifact (for the planner's in-browser simulator). Registered through ApiServer's `route`
// wrapper, so authentication and the access matrix apply.

#include <string>

#include "routes/governance_routes.h"

namespace shelfcast::server {

/// POST /api/v1/promo/models, GET /api/v1/promo/models/{category} and
/// GET /api/v1/promo/context/{category}.
void register_promo_routes(const RouteRegistrar& route, const std::string& db_path);

}  // namespace shelfcast::server
