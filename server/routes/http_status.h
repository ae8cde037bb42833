#pragma once
// The one table that maps the core's error codes onto HTTP statuses and the error envelope.

#include <string>

#include "shelfcast/result.h"

namespace shelfcast::server {

/// HTTP status for an error code (200 for kOk).
int http_status(ErrorCode code);

/// `{"error":{"code":"...","message":"...","field":"..."}}` for a non-ok status.
std::string error_body(const Status& status);

}  // namespace shelfcast::server
