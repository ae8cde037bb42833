#include "cli/args.h"

#include <charconv>

namespace shelfcast::server {

Result<Args> parse_args(int argc, char** argv, int first, const std::set<std::string>& options,
                        const std::set<std::string>& flags) {
  Args args;
  for (int i = first; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--help" || word == "-h") {
      args.help = true;
      continue;
    }
    if (word.rfind("--", 0) != 0) return invalid_argument("unexpected argument '" + word + "'");
    std::string name = word.substr(2);
    std::string value;
    bool has_value = false;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (flags.count(name)) {
      if (has_value) return invalid_argument("--" + name + " takes no value");
      args.flags.insert(name);
    } else if (options.count(name)) {
      if (!has_value) {
        if (i + 1 >= argc) return invalid_argument("--" + name + " needs a value");
        value = argv[++i];
      }
      args.options[name] = value;
    } else {
      return invalid_argument("unknown option --" + name);
    }
  }
  return args;
}

Result<long long> int_option(const Args& args, const std::string& name, long long fallback,
                             long long lo, long long hi) {
  if (!args.has(name)) return fallback;
  const std::string text = args.get(name);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi) {
    return invalid_argument("--" + name + " expects an integer from " + std::to_string(lo) +
                            " to " + std::to_string(hi) + ", got \"" + text + "\"");
  }
  return value;
}

}  // namespace shelfcast::server
