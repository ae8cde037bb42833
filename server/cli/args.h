#pragma once
// Command-line parsing for the shelfcast binary: `--name value` options and `--flag` switches.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "shelfcast/result.h"

namespace shelfcast::server {

/// Parsed arguments of one subcommand.
struct Args {
  std::map<std::string, std::string> options;
  std::set<std::string> flags;
  bool help = false;

  bool has(const std::string& name) const { return options.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
};

/// Parses argv[first..argc) against the allowed options (take a value) and flags (do not);
/// unknown names, missing values and stray words are kInvalidArgument (a usage error).
Result<Args> parse_args(int argc, char** argv, int first, const std::set<std::string>& options,
                        const std::set<std::string>& flags);

/// An integer option in [lo, hi], or the fallback when absent.
Result<long long> int_option(const Args& args, const std::string& name, long long fallback,
                             long long lo, long long hi);

}  // namespace shelfcast::server
