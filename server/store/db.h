#pragma once
// A thin RAII layer over one SQLite connection: the only code (with store.cpp) that includes
// sqlite3.h. Errors come back as Status, never as exceptions.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "shelfcast/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace shelfcast::server {

/// A prepared statement with 1-based binds and 0-based column reads.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind_null(int index);

  /// Advances: true with a row, false when done; errors land in status().
  bool step();
  /// Runs to completion (for writes).
  Status run();
  /// Resets for another execution with new binds.
  void reset();
  /// The first error seen by step()/run().
  const Status& status() const { return status_; }

  int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

/// One connection. Opening applies pending migrations when writable.
class Database {
 public:
  enum class Mode { kReadOnly, kReadWrite };

  /// Opens (creating when writable) and migrates.
  static Result<std::unique_ptr<Database>> open(const std::string& path, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs one or more statements without results.
  Status exec(std::string_view sql);
  /// Prepares a statement.
  Result<Statement> prepare(std::string_view sql);
  /// Rowid of the last insert.
  int64_t last_insert_id() const;
  /// Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const;
  /// The schema version after migrations.
  Result<int> schema_version();
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status migrate();

  sqlite3* db_ = nullptr;
  std::string path_;
};

/// BEGIN IMMEDIATE on construction; ROLLBACK unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  const Status& begin_status() const { return begin_; }
  Status commit();

 private:
  Database& db_;
  Status begin_;
  bool done_ = false;
};

}  // namespace shelfcast::server
