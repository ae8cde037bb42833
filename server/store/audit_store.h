#pragma once
// The audit log at rest: an append-only table whose rows form a SHA-256 hash chain
// (migrations/007_governance.sql). Only this file and audit_store.cpp know its layout.

#include <cstdint>
#include <string>
#include <vector>

#include "shelfcast/result.h"
#include "store/db.h"

namespace shelfcast::server {

/// One audit entry as stored. `actor` is "token name (role)" or "cli", never a customer.
struct AuditEntry {
  int64_t seq = 0;
  std::string at;  ///< UTC, ISO 8601
  std::string actor;
  std::string action;  ///< e.g. "token.create", "job.submit", "approval.approve"
  std::string target;  ///< what was acted on, e.g. "job:12"
  std::string details_json = "{}";
  std::string prev_hash;
  std::string hash;
};

/// The prev_hash of the first entry: 64 zeros.
extern const char* const kAuditGenesisHash;

/// The hash an entry must carry: SHA-256 over a length-prefixed serialization of seq, at, actor,
/// action, target, details_json and prev_hash.
std::string audit_entry_hash(const AuditEntry& entry);

/// Appends an entry chained to the last one. Call inside the caller's Transaction so the entry
/// commits (or rolls back) with the change it records. Returns the stored entry.
Result<AuditEntry> append_audit(Database& db, const std::string& actor, const std::string& action,
                                const std::string& target, const std::string& details_json);

/// Entries with seq > after_seq in seq order, at most `limit`.
Result<std::vector<AuditEntry>> list_audit(Database& db, int64_t after_seq, int64_t limit);

/// The outcome of walking the chain.
struct AuditVerification {
  bool intact = true;
  int64_t entries = 0;    ///< rows checked
  int64_t bad_seq = 0;    ///< the first broken entry (0 when intact)
  std::string problem;    ///< "edited", "deleted" or "reordered" (empty when intact)
  std::string message;    ///< one line naming the entry and why
  std::string head_hash;  ///< hash of the last entry (anchor it elsewhere to catch truncation)
};

/// Walks the whole chain in seq order and reports the first broken entry.
Result<AuditVerification> verify_audit(Database& db);

}  // namespace shelfcast::server
