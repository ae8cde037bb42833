#pragma once
// What every shelfcast command shares: exit codes, the one-line error format, option parsing,
// and writing an output file all at once (INTERFACES.md: "writes nothing partial").

#include <set>
#include <string>
#include <vector>

#include "cli/args.h"
#include "shelfcast/result.h"

namespace shelfcast::server {

constexpr int kExitOk = 0;
constexpr int kExitBadInput = 1;
constexpr int kExitUsage = 2;

/// Prints `shelfcast: MESSAGE` and the usage; returns 2.
int usage_error(const std::string& message, const char* usage);
/// Prints `shelfcast: MESSAGE`; returns 1.
int input_error(const std::string& message);

/// Parses argv[first..] into *args; false (with *exit_code set) when the command should stop:
/// bad usage (2), or --help printed (0). `required` options must be present and non-empty.
bool parse_or_exit(int argc, char** argv, int first, const std::set<std::string>& options,
                   const std::set<std::string>& flags, const char* usage,
                   const std::vector<std::string>& required, Args* args, int* exit_code);

/// Reads a whole file; kNotFound with `PATH:0: cannot open the file: reason` when it cannot.
Result<std::string> read_whole_file(const std::string& path);

/// Writes `bytes` to `path` through a temporary file renamed into place, or to stdout when path
/// is empty or "-".
Status write_output(const std::string& path, const std::string& bytes);

}  // namespace shelfcast::server
