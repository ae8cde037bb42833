// Reliability: a writer killed with SIGKILL in the middle of an ingest loses no committed batch
// and leaves no partial one visible; readers keep reading during the ingest (write-ahead log).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "store/db.h"
#include "store/store.h"
#include "support.h"

using namespace shelfcast;

namespace {

// `rows` canonical sales lines, one order per 4 lines; distinct products so the batch is heavy.
std::string canonical_csv(int rows, const std::string& prefix) {
  std::string csv =
      "date,store,channel,product,product_name,category,customer,qty,unit_price,discount,"
      "promotion,order_ref\n";
  for (int i = 0; i < rows; ++i) {
    csv += "2024-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10) + ",S" +
           std::to_string(i % 7) + ",pos," + prefix + std::to_string(i % 3000) + ",Item " +
           std::to_string(i % 3000) + ",Cat" + std::to_string(i % 20) + ",C-" +
           std::to_string(i % 5000) + "," + std::to_string(1 + i % 4) + ",2.5,0,," + prefix + "T" +
           std::to_string(i / 4) + "\n";
  }
  return csv;
}

int64_t count(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  const int64_t n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

off_t file_size(const std::string& path) {
  struct stat s {};
  return ::stat(path.c_str(), &s) == 0 ? s.st_size : 0;
}

}  // namespace

TEST_CASE(
    "SIGKILL in the middle of an ingest: committed batches stay, the partial one never shows") {
  test::TempDir dir;
  const std::string db = dir.file("r.db");
  test::write_file(dir.file("a.csv"), canonical_csv(200, "A"));
  auto first = test::run_shelfcast({"ingest", "--db", db, "--input", dir.file("a.csv")});
  CAPTURE(first.err);
  REQUIRE(first.exit_code == 0);
  const int big_rows = 150000;
  test::write_file(dir.file("b.csv"), canonical_csv(big_rows, "B"));

  const pid_t pid = fork();
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
    std::string binary = SHELFCAST_BINARY, cmd = "ingest", db_flag = "--db", in_flag = "--input",
                input = dir.file("b.csv"), db_path = db;
    char* argv[] = {binary.data(),  cmd.data(),   db_flag.data(), db_path.data(),
                    in_flag.data(), input.data(), nullptr};
    execv(binary.c_str(), argv);
    _exit(127);
  }
  // Read while the batch is written; kill the writer once its log grows (pages of the open
  // transaction spilling to the WAL), or give up waiting after 60 s.
  sqlite3* reader = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &reader, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(reader, 5000);
  bool killed = false;
  int reads = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;  // finished before we could kill it
    const int64_t lines = count(reader, "SELECT count(*) FROM sales_lines");
    CHECK(lines == 200);  // the batch in flight is never visible, not even in part
    ++reads;
    if (file_size(db + "-wal") > (4 << 20)) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      killed = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  sqlite3_close(reader);
  MESSAGE("reads during the ingest: " << reads << ", killed mid-transaction: " << killed);
  CHECK(reads > 0);

  sqlite3* after = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &after, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  sqlite3_stmt* check = nullptr;
  REQUIRE(sqlite3_prepare_v2(after, "PRAGMA integrity_check", -1, &check, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(check) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(check, 0))) == "ok");
  sqlite3_finalize(check);
  const int64_t batches = count(after, "SELECT count(*) FROM ingest_batches");
  const int64_t lines = count(after, "SELECT count(*) FROM sales_lines");
  const int64_t recorded = count(after, "SELECT coalesce(sum(rows_added), 0) FROM ingest_batches");
  sqlite3_close(after);
  CHECK(lines == recorded);  // every visible line belongs to a committed batch
  if (killed) {
    CHECK(batches == 1);
    CHECK(lines == 200);
    // The killed batch can simply be loaded again.
    auto again = test::run_shelfcast({"ingest", "--db", db, "--input", dir.file("b.csv")});
    CHECK(again.exit_code == 0);
  } else {
    CHECK(batches == 2);
    CHECK(lines == 200 + big_rows);
  }
}

TEST_CASE("retention purges old lines and keeps every weekly series as it was") {
  test::TempDir dir;
  const std::string db = dir.file("ret.db");
  auto demo = test::run_shelfcast({"demo", "--db", db, "--stores", "2", "--products", "6", "--days",
                                   "210", "--customers", "30"});
  REQUIRE(demo.exit_code == 0);
  std::map<std::string, std::vector<WeeklyPoint>> before;
  int64_t lines_before = 0;
  {
    auto conn = server::Database::open(db, server::Database::Mode::kReadOnly);
    REQUIRE(conn.is_ok());
    auto keys = server::list_series_keys(**conn, {}, {});
    REQUIRE(keys.is_ok());
    for (const server::SeriesKey& k : *keys) {
      before[k.product_code + "@" + k.store_code] =
          *server::weekly_series(**conn, k.product_code, k.store_code);
    }
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    lines_before = count(raw, "SELECT count(*) FROM sales_lines");
    sqlite3_close(raw);
  }
  auto r = test::run_shelfcast({"retention", "--db", db, "--keep-days", "60"});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  const auto report = nlohmann::json::parse(r.out);
  CHECK(report["lines_purged"].get<int64_t>() > 0);
  CHECK(report["cutoff"] == "2024-05-27");  // the Monday on or before 2024-07-28 - 60 days

  auto conn = server::Database::open(db, server::Database::Mode::kReadOnly);
  REQUIRE(conn.is_ok());
  auto keys = server::list_series_keys(**conn, {}, {});
  REQUIRE(keys.is_ok());
  CHECK(keys->size() == before.size());
  for (const server::SeriesKey& k : *keys) {
    const std::string id = k.product_code + "@" + k.store_code;
    CAPTURE(id);
    const std::vector<WeeklyPoint> after =
        *server::weekly_series(**conn, k.product_code, k.store_code);
    REQUIRE(after.size() == before[id].size());
    for (size_t w = 0; w < after.size(); ++w) {
      CAPTURE(w);
      CHECK(after[w].units == doctest::Approx(before[id][w].units));
      CHECK(after[w].avg_price == doctest::Approx(before[id][w].avg_price));
      CHECK(after[w].promo_depth == before[id][w].promo_depth);
      CHECK(after[w].feature == before[id][w].feature);
      CHECK(after[w].holiday == before[id][w].holiday);
      CHECK(after[w].complete == before[id][w].complete);
    }
  }
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  CHECK(count(raw, "SELECT count(*) FROM sales_lines WHERE day < 19870") == 0);  // 2024-05-27
  CHECK(count(raw, "SELECT count(*) FROM sales_lines") ==
        lines_before - report["lines_purged"].get<int64_t>());
  sqlite3_close(raw);

  auto bad = test::run_shelfcast({"retention", "--db", db, "--keep-days", "3"});
  CHECK(bad.exit_code == 2);
}
