#include "auth/access.h"

#include <algorithm>

namespace shelfcast::server {

const std::vector<RouteAccess>& access_matrix() {
  static const std::vector<Role> kEveryRole = {Role::kPlanner, Role::kExecutive, Role::kApprover,
                                               Role::kAdmin, Role::kBatch};
  static const std::vector<RouteAccess> kMatrix = {
      {"GET", "/api/v1/health", true, {}},
      {"GET", "/api/v1/openapi.json", true, {}},
      {"GET", "/api/v1/stores", false, kEveryRole},
      {"GET", "/api/v1/products", false, kEveryRole},
      {"GET", "/api/v1/series", false, kEveryRole},
      {"GET", "/api/v1/whoami", false, kEveryRole},
      {"GET", "/api/v1/jobs", false, kEveryRole},
      {"POST", "/api/v1/jobs/forecast", false, {Role::kPlanner, Role::kAdmin, Role::kBatch}},
      {"GET", R"(/api/v1/jobs/(\d+))", false, kEveryRole},
      {"GET", R"(/api/v1/jobs/(\d+)/forecasts)", false, kEveryRole},
      {"GET", R"(/api/v1/jobs/(\d+)/levels)", false, kEveryRole},
      {"GET", R"(/api/v1/jobs/(\d+)/accuracy)", false, kEveryRole},
      {"GET", R"(/api/v1/jobs/(\d+)/monitor)", false, kEveryRole},
      {"GET", "/api/v1/models", false, kEveryRole},
      {"POST", R"(/api/v1/jobs/(\d+)/cancel)", false, {Role::kPlanner, Role::kAdmin, Role::kBatch}},
      // clang-format off
      {"POST", "/api/v1/replenishment/plan", false,
       {Role::kPlanner, Role::kApprover, Role::kAdmin, Role::kBatch}},
      {"POST", "/api/v1/analytics/customers", false, {Role::kPlanner, Role::kAdmin, Role::kBatch}},
      {"GET", "/api/v1/analytics/customers", false, kEveryRole},
      {"GET", "/api/v1/analytics/affinity", false, kEveryRole},
      {"GET", "/api/v1/audit", false, {Role::kAdmin}},
      {"GET", "/api/v1/audit/verify", false, {Role::kAdmin}},
      // clang-format on
  };
  return kMatrix;
}

const RouteAccess* find_route_access(const std::string& method, const std::string& path) {
  for (const RouteAccess& a : access_matrix()) {
    if (a.method == method && a.path == path) return &a;
  }
  return nullptr;
}

bool role_allowed(const RouteAccess& access, Role role) {
  return std::find(access.roles.begin(), access.roles.end(), role) != access.roles.end();
}

}  // namespace shelfcast::server
