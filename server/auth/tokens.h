#pragma once
// API tokens: 256 random bits shown once; only their SHA-256 is stored.

#include <string>
#include <string_view>

#include "shelfcast/result.h"

namespace shelfcast::server {

/// Lowercase hex SHA-256 of bytes.
std::string sha256_hex(std::string_view bytes);

/// A new token: "sc_" + 64 hex characters from the OS CSPRNG.
Result<std::string> generate_token();

}  // namespace shelfcast::server
