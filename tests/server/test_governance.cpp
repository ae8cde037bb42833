// Governance (issue 7): the audit log is append-only through SQLite, and `shelfcast audit verify`
// catches an edited, a deleted and a reordered entry made by someone who drops the triggers.
#include <doctest/doctest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "auth/tokens.h"
#include "governance/audit.h"
#include "routes/api.h"
#include "store/audit_store.h"
#include "store/db.h"
#include "store/store.h"
#include "support.h"

using namespace shelfcast;
using shelfcast::test::run_shelfcast;
using shelfcast::test::TempDir;

namespace {

// A database with `n` chained audit entries, closed again.
void seed_audit_log(const std::string& path, int n) {
  auto db = server::Database::open(path, server::Database::Mode::kReadWrite);
  REQUIRE(db.is_ok());
  for (int i = 1; i <= n; ++i) {
    REQUIRE(server::record_audit_now(**db, server::audit_actor("alice", "planner"), "job.submit",
                                     "job:" + std::to_string(i),
                                     "{\"horizon\":" + std::to_string(i) + "}")
                .is_ok());
  }
}

// Runs SQL on the file directly, as an attacker with file access would; true when it succeeded.
bool raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  if (sqlite3_open(path.c_str(), &raw) != SQLITE_OK) {
    sqlite3_close(raw);
    return false;
  }
  char* err = nullptr;
  const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
  if (err != nullptr) sqlite3_free(err);
  sqlite3_close(raw);
  return rc == SQLITE_OK;
}

const char* const kDropTriggers =
    "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;";

}  // namespace

TEST_CASE("audit: an intact chain verifies and lists in order") {
  TempDir dir;
  const std::string path = dir.file("a.db");
  seed_audit_log(path, 4);
  auto db = server::Database::open(path, server::Database::Mode::kReadOnly);
  REQUIRE(db.is_ok());
  auto v = server::verify_audit(**db);
  REQUIRE(v.is_ok());
  CHECK(v->intact);
  CHECK(v->entries == 4);
  auto entries = server::list_audit(**db, 0, 100);
  REQUIRE(entries.is_ok());
  REQUIRE(entries->size() == 4);
  CHECK((*entries)[0].prev_hash == server::kAuditGenesisHash);
  CHECK((*entries)[1].prev_hash == (*entries)[0].hash);
  CHECK((*entries)[3].hash == v->head_hash);
  CHECK((*entries)[2].actor == "alice (planner)");

  auto r = run_shelfcast({"audit", "verify", "--db", path});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("4 entries") != std::string::npos);
}

TEST_CASE("audit: SQLite refuses UPDATE and DELETE on the log") {
  TempDir dir;
  const std::string path = dir.file("a.db");
  seed_audit_log(path, 2);
  CHECK_FALSE(raw_exec(path, "UPDATE audit_log SET target = 'x' WHERE seq = 1"));
  CHECK_FALSE(raw_exec(path, "DELETE FROM audit_log WHERE seq = 2"));
  CHECK(run_shelfcast({"audit", "verify", "--db", path}).exit_code == 0);
}

TEST_CASE("audit verify detects an edited, a deleted and a reordered entry") {
  struct Row {
    const char* name;
    const char* tamper;
    const char* problem;
    const char* bad_entry;
  };
  const Row rows[] = {
      {"edited", "UPDATE audit_log SET details_json = '{\"horizon\":99}' WHERE seq = 3", "edited",
       "audit entry 3: edited"},
      {"deleted", "DELETE FROM audit_log WHERE seq = 2", "deleted", "audit entry 2: deleted"},
      {"reordered",
       "UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3;"
       " UPDATE audit_log SET seq = 3 WHERE seq = -1;",
       "reordered", "audit entry 2: reordered"},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      CAPTURE(row.tamper);
      TempDir dir;
      const std::string path = dir.file("a.db");
      seed_audit_log(path, 5);
      REQUIRE(raw_exec(path, kDropTriggers));
      REQUIRE(raw_exec(path, row.tamper));
      {
        auto db = server::Database::open(path, server::Database::Mode::kReadOnly);
        REQUIRE(db.is_ok());
        auto v = server::verify_audit(**db);
        REQUIRE(v.is_ok());
        CHECK_FALSE(v->intact);
        CHECK(v->problem == row.problem);
      }
      auto r = run_shelfcast({"audit", "verify", "--db", path});
      CHECK(r.exit_code == 1);
      CAPTURE(r.err);
      CHECK(r.err.find(row.bad_entry) != std::string::npos);
      CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
    }
  }
}

TEST_CASE("audit: token creation is recorded; verify usage errors exit 2") {
  TempDir dir;
  const std::string path = dir.file("t.db");
  auto t = run_shelfcast({"token", "create", "--db", path, "--role", "approver", "--name", "bo"});
  REQUIRE(t.exit_code == 0);
  {
    auto db = server::Database::open(path, server::Database::Mode::kReadOnly);
    REQUIRE(db.is_ok());
    auto entries = server::list_audit(**db, 0, 10);
    REQUIRE(entries.is_ok());
    REQUIRE(entries->size() == 1);
    CHECK((*entries)[0].action == "token.create");
    CHECK((*entries)[0].target == "token:bo");
    CHECK((*entries)[0].details_json == "{\"role\":\"approver\"}");
  }
  CHECK(run_shelfcast({"audit", "verify", "--db", path}).exit_code == 0);
  CHECK(run_shelfcast({"audit", "verify"}).exit_code == 2);
  CHECK(run_shelfcast({"audit"}).exit_code == 2);
  CHECK(run_shelfcast({"audit", "--help"}).exit_code == 0);
  CHECK(run_shelfcast({"audit", "verify", "--db", dir.file("missing.db")}).exit_code == 1);
}

TEST_CASE("audit: the REST API records job submission and serves the log to admins only") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  std::string planner, admin;
  {
    auto db = server::Database::open(path, server::Database::Mode::kReadWrite);
    REQUIRE(db.is_ok());
    planner = *server::generate_token();
    admin = *server::generate_token();
    REQUIRE(server::save_token(**db, server::sha256_hex(planner), server::Role::kPlanner, "pat")
                .is_ok());
    REQUIRE(
        server::save_token(**db, server::sha256_hex(admin), server::Role::kAdmin, "ada").is_ok());
  }
  server::ServeOptions options{path, dir.path()};
  auto created = server::ApiServer::create(options);
  REQUIRE(created.is_ok());
  std::unique_ptr<server::ApiServer> api = std::move(created).value();
  auto bound = api->bind("127.0.0.1", 0);
  REQUIRE(bound.is_ok());
  std::thread thread([&api] { api->listen(); });
  httplib::Client c("127.0.0.1", *bound);
  c.set_read_timeout(10);
  const httplib::Headers as_planner = {{"Authorization", "Bearer " + planner}};
  const httplib::Headers as_admin = {{"Authorization", "Bearer " + admin}};

  auto submitted =
      c.Post("/api/v1/jobs/forecast", as_planner, R"({"horizon":2})", "application/json");
  REQUIRE(submitted);
  CHECK(submitted->status == 202);
  auto denied = c.Get("/api/v1/audit", as_planner);
  REQUIRE(denied);
  CHECK(denied->status == 403);
  auto log = c.Get("/api/v1/audit", as_admin);
  REQUIRE(log);
  REQUIRE(log->status == 200);
  const nlohmann::json entries = nlohmann::json::parse(log->body)["entries"];
  REQUIRE(entries.size() == 1);
  CHECK(entries[0]["action"] == "job.submit");
  CHECK(entries[0]["actor"] == "pat (planner)");
  auto verified = c.Get("/api/v1/audit/verify", as_admin);
  REQUIRE(verified);
  REQUIRE(verified->status == 200);
  CHECK(nlohmann::json::parse(verified->body)["intact"] == true);
  auto bad_limit = c.Get("/api/v1/audit?limit=abc", as_admin);
  REQUIRE(bad_limit);
  CHECK(bad_limit->status == 400);

  api->stop();
  thread.join();
}
