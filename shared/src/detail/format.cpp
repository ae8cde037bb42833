#include "detail/format.h"

#include <cmath>
#include <cstdint>

namespace shelfcast::detail {

std::string format_count(double value) {
  if (!std::isfinite(value)) return "n/a";
  const bool negative = value < 0.0;
  const auto rounded = static_cast<int64_t>(std::llround(std::fabs(value)));
  std::string digits = std::to_string(rounded);
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    out += digits[i];
    const size_t remaining = n - i - 1;
    if (remaining > 0 && remaining % 3 == 0) out += ',';
  }
  return negative && rounded != 0 ? "-" + out : out;
}

std::string format_percent(double fraction, bool with_sign) {
  if (!std::isfinite(fraction)) return "n/a";
  const auto pct = static_cast<int64_t>(std::llround(fraction * 100.0));
  std::string out = std::to_string(pct) + "%";
  if (with_sign && pct > 0) out = "+" + out;
  return out;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0.0 ? "inf" : "-inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  std::string s = std::to_string(value);  // fixed, six decimals
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" || s.empty() ? "0" : s;
}

}  // namespace shelfcast::detail
