#include "store/db.h"

#include <sqlite3.h>

#include "store/migrations.h"

namespace shelfcast::server {
namespace {

Status sqlite_error(sqlite3* db, std::string_view what) {
  const char* message = db ? sqlite3_errmsg(db) : "out of memory";
  const int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
  const ErrorCode ec =
      (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB ? ErrorCode::kDataLoss
      : (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED  ? ErrorCode::kUnavailable
      : (code & 0xff) == SQLITE_CANTOPEN || (code & 0xff) == SQLITE_READONLY
          ? ErrorCode::kFailedPrecondition
      : (code & 0xff) == SQLITE_FULL ? ErrorCode::kResourceExhausted
                                     : ErrorCode::kInternal;
  return Status(ec, std::string(what) + ": " + message);
}

}  // namespace

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), status_(std::move(other.status_)) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    status_ = std::move(other.status_);
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE && status_.is_ok()) status_ = sqlite_error(db_, "sqlite step");
  return false;
}

Status Statement::run() {
  while (step()) {
  }
  return status_;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }
std::string Statement::text(int column) const {
  const unsigned char* t = sqlite3_column_text(stmt_, column);
  return t ? std::string(reinterpret_cast<const char*>(t),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}
bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path, Mode mode) {
  sqlite3* raw = nullptr;
  const int flags =
      mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = sqlite_error(raw, "cannot open database " + path);
    sqlite3_close(raw);
    return s;
  }
  std::unique_ptr<Database> db(new Database(raw, path));
  sqlite3_busy_timeout(raw, 5000);
  SHELFCAST_RETURN_IF_ERROR(db->exec("PRAGMA foreign_keys = ON"));
  // A file that is not a database, or is corrupt, fails here rather than mid-request.
  SHELFCAST_RETURN_IF_ERROR(db->exec("SELECT count(*) FROM sqlite_master"));
  if (mode == Mode::kReadWrite) {
    // Write-ahead log: readers keep reading the last committed state while a batch is written,
    // and a killed writer leaves only an uncommitted tail that the next open discards.
    {
      SHELFCAST_ASSIGN_OR_RETURN(Statement wal, db->prepare("PRAGMA journal_mode = WAL"));
      if (!wal.step() || wal.text(0) != "wal") {
        return Status(ErrorCode::kUnavailable, "cannot switch " + path +
                                                   " to write-ahead logging (is it on a network "
                                                   "disk?)");
      }
    }  // finalized here: an open statement would block the migration's commit
    SHELFCAST_RETURN_IF_ERROR(db->migrate());
  }
  return db;
}

Database::~Database() { sqlite3_close(db_); }

Status Database::exec(std::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    Status s = sqlite_error(db_, "sqlite exec");
    sqlite3_free(error);
    return s;
  }
  return Status::ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return sqlite_error(db_, "sqlite prepare");
  }
  return Statement(db_, stmt);
}

int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

int64_t Database::changes() const { return sqlite3_changes64(db_); }

Result<int> Database::schema_version() {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st, prepare("PRAGMA user_version"));
  if (!st.step()) return st.status().is_ok() ? internal_error("no user_version") : st.status();
  return static_cast<int>(st.int64(0));
}

Status Database::migrate() {
  SHELFCAST_ASSIGN_OR_RETURN(int current, schema_version());
  for (const migrations::Migration& m : migrations::kAll) {
    if (m.version <= current) continue;
    Transaction tx(*this);
    SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
    SHELFCAST_RETURN_IF_ERROR(exec(m.sql));
    SHELFCAST_RETURN_IF_ERROR(exec("PRAGMA user_version = " + std::to_string(m.version)));
    SHELFCAST_RETURN_IF_ERROR(tx.commit());
  }
  return Status::ok();
}

Transaction::Transaction(Database& db) : db_(db) { begin_ = db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_ && begin_.is_ok()) db_.exec("ROLLBACK");
}

Status Transaction::commit() {
  Status s = db_.exec("COMMIT");
  if (s.is_ok()) done_ = true;
  return s;
}

}  // namespace shelfcast::server
