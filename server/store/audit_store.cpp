#include "store/audit_store.h"

#include <ctime>
#include <unordered_map>

#include "auth/tokens.h"
#include "store/store.h"

namespace shelfcast::server {
namespace {

// "<byte length>:<bytes>;" so that no choice of field contents can collide with another.
void put_field(std::string* out, const std::string& value) {
  out->append(std::to_string(value.size()));
  out->push_back(':');
  out->append(value);
  out->push_back(';');
}

AuditEntry read_entry(const Statement& st) {
  AuditEntry e;
  e.seq = st.int64(0);
  e.at = st.text(1);
  e.actor = st.text(2);
  e.action = st.text(3);
  e.target = st.text(4);
  e.details_json = st.text(5);
  e.prev_hash = st.text(6);
  e.hash = st.text(7);
  return e;
}

constexpr const char* kSelectColumns =
    "SELECT seq, at, actor, action, target, details_json, prev_hash, hash FROM audit_log ";

}  // namespace

const char* const kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::string audit_entry_hash(const AuditEntry& entry) {
  std::string canonical = "shelfcast-audit-v1;";
  put_field(&canonical, std::to_string(entry.seq));
  put_field(&canonical, entry.at);
  put_field(&canonical, entry.actor);
  put_field(&canonical, entry.action);
  put_field(&canonical, entry.target);
  put_field(&canonical, entry.details_json);
  put_field(&canonical, entry.prev_hash);
  return sha256_hex(canonical);
}

Result<AuditEntry> append_audit(Database& db, const std::string& actor, const std::string& action,
                                const std::string& target, const std::string& details_json) {
  AuditEntry e;
  e.seq = 1;
  e.prev_hash = kAuditGenesisHash;
  {
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement last, db.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
    if (last.step()) {
      e.seq = last.int64(0) + 1;
      e.prev_hash = last.text(1);
    }
    SHELFCAST_RETURN_IF_ERROR(last.status());
  }
  e.at = utc_now();
  e.actor = actor;
  e.action = action;
  e.target = target;
  e.details_json = details_json.empty() ? "{}" : details_json;
  e.hash = audit_entry_hash(e);
  SHELFCAST_ASSIGN_OR_RETURN(Statement ins,
                             db.prepare("INSERT INTO audit_log(seq, at, actor, action, target, "
                                        "details_json, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)"));
  ins.bind(1, e.seq)
      .bind(2, e.at)
      .bind(3, e.actor)
      .bind(4, e.action)
      .bind(5, e.target)
      .bind(6, e.details_json)
      .bind(7, e.prev_hash)
      .bind(8, e.hash);
  SHELFCAST_RETURN_IF_ERROR(ins.run());
  return e;
}

Result<std::vector<AuditEntry>> list_audit(Database& db, int64_t after_seq, int64_t limit) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare(std::string(kSelectColumns) + "WHERE seq > ? ORDER BY seq LIMIT ?"));
  st.bind(1, after_seq).bind(2, limit);
  std::vector<AuditEntry> out;
  while (st.step()) out.push_back(read_entry(st));
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return out;
}

Result<AuditVerification> verify_audit(Database& db) {
  // Every stored hash and the seq that holds it, to tell a reordered link from a lost one.
  std::unordered_map<std::string, int64_t> seq_of_hash;
  {
    SHELFCAST_ASSIGN_OR_RETURN(Statement st, db.prepare("SELECT seq, hash FROM audit_log"));
    while (st.step()) seq_of_hash.emplace(st.text(1), st.int64(0));
    SHELFCAST_RETURN_IF_ERROR(st.status());
  }
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare(std::string(kSelectColumns) + "ORDER BY seq"));
  AuditVerification v;
  int64_t expected_seq = 1;
  std::string prev_hash = kAuditGenesisHash;
  auto fail = [&v](int64_t seq, const char* problem, const std::string& why) {
    v.intact = false;
    v.bad_seq = seq;
    v.problem = problem;
    v.message = "audit entry " + std::to_string(seq) + ": " + problem + ": " + why;
  };
  while (st.step()) {
    const AuditEntry e = read_entry(st);
    ++v.entries;
    if (e.seq != expected_seq) {
      if (e.seq > expected_seq) {
        fail(expected_seq, "deleted",
             "missing; entry " + std::to_string(e.seq) + " follows entry " +
                 std::to_string(expected_seq - 1));
      } else {
        fail(e.seq, "reordered", "out of sequence");
      }
      return v;
    }
    if (e.prev_hash != prev_hash) {
      const auto it = seq_of_hash.find(e.prev_hash);
      if (it != seq_of_hash.end()) {
        fail(e.seq, "reordered",
             "chained to entry " + std::to_string(it->second) + " instead of entry " +
                 std::to_string(e.seq - 1));
      } else {
        fail(e.seq, "deleted",
             "chained to an entry that is no longer in the log (the one before it was removed "
             "or replaced)");
      }
      return v;
    }
    if (audit_entry_hash(e) != e.hash) {
      fail(e.seq, "edited", "its contents no longer match its hash");
      return v;
    }
    prev_hash = e.hash;
    ++expected_seq;
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  v.head_hash = prev_hash;
  return v;
}

}  // namespace shelfcast::server
