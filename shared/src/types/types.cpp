#include "shelfcast/types.h"

#include <cctype>

namespace shelfcast {

// Civil-date conversions after Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms".
Date date_from_civil(int year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int yoe = year - era * 400;                                          // [0, 399]
  const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;  // [0, 365]
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                     // [0, 146096]
  return Date{era * 146097 + doe - 719468};
}

void civil_from_date(Date date, int* year, int* month, int* day) {
  const int z = date.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  *year = yoe + era * 400 + (m <= 2 ? 1 : 0);
  *month = m;
  *day = d;
}

int weekday(Date date) {
  // 1970-01-01 was a Thursday (ISO weekday index 3).
  const int w = (date.days + 3) % 7;
  return w < 0 ? w + 7 : w;
}

Date week_start(Date date) { return Date{date.days - weekday(date)}; }

int day_of_year(Date date) {
  int y = 0, m = 0, d = 0;
  civil_from_date(date, &y, &m, &d);
  return date.days - date_from_civil(y, 1, 1).days + 1;
}

std::string format_date(Date date) {
  int y = 0, m = 0, d = 0;
  civil_from_date(date, &y, &m, &d);
  std::string out = std::to_string(y);
  while (out.size() < 4) out.insert(out.begin(), '0');
  out += m < 10 ? "-0" : "-";
  out += std::to_string(m);
  out += d < 10 ? "-0" : "-";
  out += std::to_string(d);
  return out;
}

namespace {

bool parse_digits(std::string_view text, size_t pos, size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

}  // namespace

Result<Date> parse_date(std::string_view text) {
  const std::string expected =
      "expected a date YYYY-MM-DD, YYYYMMDD or YYYY-MM-DD HH:MM:SS, got \"" + std::string(text) +
      "\"";
  int y = 0, m = 0, d = 0;
  bool ok = false;
  if (text.size() == 8) {
    ok = parse_digits(text, 0, 4, &y) && parse_digits(text, 4, 2, &m) &&
         parse_digits(text, 6, 2, &d);
  } else if (text.size() == 10 || (text.size() == 19 && (text[10] == ' ' || text[10] == 'T'))) {
    ok = parse_digits(text, 0, 4, &y) && text[4] == '-' && parse_digits(text, 5, 2, &m) &&
         text[7] == '-' && parse_digits(text, 8, 2, &d);
    if (ok && text.size() == 19) {
      int hh = 0, mm = 0, ss = 0;
      ok = parse_digits(text, 11, 2, &hh) && text[13] == ':' && parse_digits(text, 14, 2, &mm) &&
           text[16] == ':' && parse_digits(text, 17, 2, &ss) && hh < 24 && mm < 60 && ss < 61;
    }
  }
  if (!ok || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
    return invalid_argument(expected);
  }
  return date_from_civil(y, m, d);
}

std::string_view to_string(Channel channel) {
  switch (channel) {
    case Channel::kPos:
      return "pos";
    case Channel::kSales:
      return "sales";
    case Channel::kOnline:
      return "online";
  }
  return "pos";
}

Result<Channel> parse_channel(std::string_view text) {
  if (text == "pos") return Channel::kPos;
  if (text == "sales") return Channel::kSales;
  if (text == "online") return Channel::kOnline;
  return invalid_argument("expected pos, sales or online, got \"" + std::string(text) + "\"",
                          "channel");
}

std::string_view to_string(PromoMechanic mechanic) {
  switch (mechanic) {
    case PromoMechanic::kPercentOff:
      return "percent_off";
    case PromoMechanic::kPricePoint:
      return "price_point";
    case PromoMechanic::kMultiBuy:
      return "multi_buy";
    case PromoMechanic::kBogo:
      return "bogo";
  }
  return "percent_off";
}

Result<PromoMechanic> parse_promo_mechanic(std::string_view text) {
  if (text == "percent_off") return PromoMechanic::kPercentOff;
  if (text == "price_point") return PromoMechanic::kPricePoint;
  if (text == "multi_buy") return PromoMechanic::kMultiBuy;
  if (text == "bogo") return PromoMechanic::kBogo;
  return invalid_argument(
      "expected percent_off, price_point, multi_buy or bogo, got \"" + std::string(text) + "\"",
      "mechanic");
}

}  // namespace shelfcast
