#pragma once
// Human number formatting for plain-language summaries (the core may not use <cstdio>).

#include <string>

namespace shelfcast::detail {

/// Rounds to the nearest integer and groups thousands: 12345.6 -> "12,346"; NaN -> "n/a".
std::string format_count(double value);

/// A number for error messages and reasons: whole numbers without decimals, others with up to six
/// decimals and trailing zeros trimmed: 3 -> "3", 0.95 -> "0.95", NaN -> "NaN", inf -> "inf".
std::string format_number(double value);

/// A percentage with no decimals, signed when asked: 0.123 -> "12%" or "+12%".
std::string format_percent(double fraction, bool with_sign);

}  // namespace shelfcast::detail
