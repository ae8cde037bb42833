#pragma once
// Governance over the audit log: who an actor is, and recording an action with the change it
// records. Storage and the hash chain live in store/audit_store.h.

#include <string>

#include "shelfcast/result.h"
#include "store/audit_store.h"
#include "store/db.h"

namespace shelfcast::server {

/// The actor string for a token: "name (role)". Never a customer.
std::string audit_actor(const std::string& token_name, const std::string& role);

/// Records one action; call inside the Transaction of the change it records.
Status record_audit(Database& db, const std::string& actor, const std::string& action,
                    const std::string& target, const std::string& details_json = "{}");

/// Records one action in its own transaction (for callers without one).
Status record_audit_now(Database& db, const std::string& actor, const std::string& action,
                        const std::string& target, const std::string& details_json = "{}");

/// Records one action through a fresh read-write connection to `db_path` (for REST handlers,
/// which read through a read-only connection).
Status record_audit_at(const std::string& db_path, const std::string& actor,
                       const std::string& action, const std::string& target,
                       const std::string& details_json = "{}");

}  // namespace shelfcast::server
