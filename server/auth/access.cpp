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
      {"POST", "/api/v1/jobs/customers", false, {Role::kPlanner, Role::kAdmin, Role::kBatch}},
      {"POST", "/api/v1/jobs/basket", false, {Role::kPlanner, Role::kAdmin, Role::kBatch}},
      {"POST", "/api/v1/jobs/retention", false, {Role::kAdmin, Role::kBatch}},
      {"POST", "/api/v1/jobs/monitoring", false, {Role::kPlanner, Role::kAdmin, Role::kBatch}},
      {"POST", "/api/v1/jobs/promo_fit", false, {Role::kPlanner, Role::kAdmin, Role::kBatch}},
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
      {"POST", "/api/v1/promo/models", false, {Role::kPlanner, Role::kAdmin, Role::kBatch}},
      {"GET", R"(/api/v1/promo/models/([^/]+))", false, kEveryRole},
      {"GET", R"(/api/v1/promo/context/([^/]+))", false, kEveryRole},
      {"GET", "/api/v1/audit", false, {Role::kAdmin}},
      {"GET", "/api/v1/audit/verify", false, {Role::kAdmin}},
      // Approval routing, the Odoo outbox and the exception inbox: planners submit and act,
      // approvers decide (never on their own submission), executives only read.
      {"POST", "/api/v1/approvals", false, {Role::kPlanner, Role::kAdmin, Role::kBatch}},
      {"GET", "/api/v1/approvals", false, kEveryRole},
      {"GET", "/api/v1/approvals/rules", false, kEveryRole},
      {"GET", "/api/v1/approvals/stats", false, kEveryRole},
      {"GET", R"(/api/v1/approvals/(\d+))", false, kEveryRole},
      {"POST", R"(/api/v1/approvals/(\d+)/approve)", false, {Role::kApprover, Role::kAdmin}},
      {"POST", R"(/api/v1/approvals/(\d+)/reject)", false, {Role::kApprover, Role::kAdmin}},
      {"GET", "/api/v1/odoo/outbox", false, {Role::kAdmin, Role::kBatch}},
      {"POST", "/api/v1/agents/run", false, {Role::kPlanner, Role::kAdmin, Role::kBatch}},
      {"GET", "/api/v1/exceptions", false, kEveryRole},
      {"POST", R"(/api/v1/exceptions/(\d+)/act)", false, {Role::kPlanner, Role::kAdmin}},
      {"POST", R"(/api/v1/exceptions/(\d+)/dismiss)", false, {Role::kPlanner, Role::kAdmin}},
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
