// `shelfcast audit verify` (INTERFACES.md): walks the audit log's hash chain.

#include "cli/audit_cmd.h"

#include <iostream>
#include <string>

#include "cli/common.h"
#include "store/audit_store.h"
#include "store/db.h"

namespace shelfcast::server {
namespace {

const char* const kAuditUsage =
    "usage: shelfcast audit verify --db PATH\n"
    "  Walks the audit log's SHA-256 hash chain in sequence order, read-only. Exits 0 and prints\n"
    "  the entry count and the head hash when it is intact; exits 1 naming the first broken entry\n"
    "  and why: edited (contents no longer match the hash), deleted (a gap, or a link to an entry\n"
    "  that is gone) or reordered (linked to another entry than its predecessor). Removing the\n"
    "  newest entries leaves a shorter valid chain: compare the head hash with one kept "
    "elsewhere.\n";

}  // namespace

int cmd_audit(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) != "verify") {
    if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h")) {
      std::cout << kAuditUsage;
      return kExitOk;
    }
    return usage_error("expected `audit verify`", kAuditUsage);
  }
  Args args;
  int exit_code = 0;
  if (!parse_or_exit(argc, argv, 3, {"db"}, {}, kAuditUsage, {"db"}, &args, &exit_code)) {
    return exit_code;
  }
  const std::string path = args.get("db");
  Result<std::unique_ptr<Database>> db = Database::open(path, Database::Mode::kReadOnly);
  if (!db.is_ok()) return input_error(path + ": " + db.status().message());
  Result<AuditVerification> v = verify_audit(**db);
  if (!v.is_ok()) return input_error(path + ": " + v.status().message());
  if (!v->intact) return input_error(path + ": " + v->message);
  std::cout << "audit log intact: " << v->entries << " entries, head " << v->head_hash << "\n";
  return kExitOk;
}

}  // namespace shelfcast::server
