#pragma once
// Helpers for server tests: temporary directories, running the shelfcast binary, reading files.

#include <string>
#include <vector>

namespace shelfcast::test {

/// A fresh directory under $TMPDIR, removed with its contents when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// The outcome of running a command.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the shelfcast binary with arguments (no shell), capturing stdout and stderr.
RunResult run_shelfcast(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {});

/// The whole file as bytes ("" when missing).
std::string read_file(const std::string& path);
/// Writes bytes to a file.
void write_file(const std::string& path, const std::string& bytes);
/// A fixture's path under tests/fixtures.
std::string fixture(const std::string& relative);

}  // namespace shelfcast::test
