#pragma once
// The one matrix of which role may call which route. Routes not listed here are refused.

#include <string>
#include <vector>

#include "store/store.h"

namespace shelfcast::server {

/// One row of the access matrix.
struct RouteAccess {
  std::string method;       ///< GET, POST, ...
  std::string path;         ///< the route pattern as registered
  bool is_public = false;   ///< no token needed
  std::vector<Role> roles;  ///< roles allowed when not public
};

/// Every API route with the roles that may call it (README "Roles" mirrors this table).
const std::vector<RouteAccess>& access_matrix();

/// The matrix row of a route; nullptr when the route is unknown.
const RouteAccess* find_route_access(const std::string& method, const std::string& path);

/// True when the role appears in the row.
bool role_allowed(const RouteAccess& access, Role role);

}  // namespace shelfcast::server
