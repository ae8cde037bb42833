#include "governance/audit.h"

#include <memory>

namespace shelfcast::server {

std::string audit_actor(const std::string& token_name, const std::string& role) {
  return token_name + " (" + role + ")";
}

Status record_audit(Database& db, const std::string& actor, const std::string& action,
                    const std::string& target, const std::string& details_json) {
  Result<AuditEntry> appended = append_audit(db, actor, action, target, details_json);
  return appended.is_ok() ? Status::ok() : appended.status();
}

Status record_audit_now(Database& db, const std::string& actor, const std::string& action,
                        const std::string& target, const std::string& details_json) {
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  SHELFCAST_RETURN_IF_ERROR(record_audit(db, actor, action, target, details_json));
  return tx.commit();
}

Status record_audit_at(const std::string& db_path, const std::string& actor,
                       const std::string& action, const std::string& target,
                       const std::string& details_json) {
  SHELFCAST_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                             Database::open(db_path, Database::Mode::kReadWrite));
  return record_audit_now(*db, actor, action, target, details_json);
}

}  // namespace shelfcast::server
