#pragma once
// Governance routes (issue 7): the audit log and its verification. Registered from
// ApiServer::register_routes through its `route` wrapper, so authentication and the access
// matrix (auth/access.cpp) apply as to every other route.

#include <functional>
#include <string>

#include "store/db.h"
#include "store/store.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace shelfcast::server {

/// A handler as ApiServer's `route` takes it.
using GovernanceHandler =
    std::function<void(const httplib::Request&, httplib::Response&, Database&, const TokenInfo&)>;
/// ApiServer's `route(method, pattern, handler)`.
using RouteRegistrar =
    std::function<void(const std::string&, const std::string&, GovernanceHandler)>;

/// Registers GET /api/v1/audit and GET /api/v1/audit/verify.
void register_governance_routes(const RouteRegistrar& route);

}  // namespace shelfcast::server
