#include "cli/common.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace shelfcast::server {

int usage_error(const std::string& message, const char* usage) {
  std::cerr << "shelfcast: " << message << "\n" << usage;
  return kExitUsage;
}

int input_error(const std::string& message) {
  std::cerr << "shelfcast: " << message << "\n";
  return kExitBadInput;
}

bool parse_or_exit(int argc, char** argv, int first, const std::set<std::string>& options,
                   const std::set<std::string>& flags, const char* usage,
                   const std::vector<std::string>& required, Args* args, int* exit_code) {
  Result<Args> parsed = parse_args(argc, argv, first, options, flags);
  if (!parsed.is_ok()) {
    *exit_code = usage_error(parsed.status().message(), usage);
    return false;
  }
  if (parsed->help) {
    std::cout << usage;
    *exit_code = kExitOk;
    return false;
  }
  for (const std::string& name : required) {
    if (!parsed->has(name) || parsed->get(name).empty()) {
      *exit_code = usage_error("--" + name + " is required", usage);
      return false;
    }
  }
  *args = std::move(parsed).value();
  return true;
}

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(ErrorCode::kNotFound, path + ":0: cannot open the file: " + std::strerror(errno));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status(ErrorCode::kDataLoss, path + ":0: cannot read the file");
  return buffer.str();
}

Status write_output(const std::string& path, const std::string& bytes) {
  if (path.empty() || path == "-") {
    std::cout << bytes << std::flush;
    return std::cout ? Status::ok() : Status(ErrorCode::kUnavailable, "cannot write stdout");
  }
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return Status(ErrorCode::kFailedPrecondition, path + ": cannot write the file");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status(ErrorCode::kFailedPrecondition,
                  path + ": cannot write the file: " + std::strerror(errno));
  }
  return Status::ok();
}

}  // namespace shelfcast::server
