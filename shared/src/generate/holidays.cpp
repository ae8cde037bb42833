// Retail holidays for the generator: fixed dates plus the movable feasts computed from the
// calendar.

#include <algorithm>

#include "shelfcast/generate.h"

namespace shelfcast {

Date easter_sunday(int year) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return date_from_civil(year, month, day);
}

namespace {

// The n-th (1-based) given weekday (0 = Monday) of a month.
Date nth_weekday(int year, int month, int wday, int n) {
  const Date first = date_from_civil(year, month, 1);
  const int offset = (wday - weekday(first) + 7) % 7;
  return Date{first.days + offset + 7 * (n - 1)};
}

}  // namespace

std::vector<Holiday> retail_holidays(Date first, Date last) {
  std::vector<Holiday> out;
  if (last < first) return out;
  int y0 = 0, y1 = 0, m = 0, d = 0;
  civil_from_date(first, &y0, &m, &d);
  civil_from_date(last, &y1, &m, &d);
  for (int year = y0; year <= y1; ++year) {
    const Date easter = easter_sunday(year);
    const Date thanksgiving = nth_weekday(year, 11, 3, 4);
    const Holiday days[] = {
        {date_from_civil(year, 1, 1), "New Year's Day"},
        {date_from_civil(year, 2, 14), "Valentine's Day"},
        {Date{easter.days - 2}, "Good Friday"},
        {easter, "Easter Sunday"},
        {Date{easter.days + 1}, "Easter Monday"},
        {Date{easter.days + 39}, "Ascension Day"},
        {nth_weekday(year, 5, 6, 2), "Mother's Day"},
        {Date{easter.days + 50}, "Whit Monday"},
        {date_from_civil(year, 10, 31), "Halloween"},
        {Date{thanksgiving.days + 1}, "Black Friday"},
        {date_from_civil(year, 12, 24), "Christmas Eve"},
        {date_from_civil(year, 12, 25), "Christmas Day"},
        {date_from_civil(year, 12, 26), "Boxing Day"},
        {date_from_civil(year, 12, 31), "New Year's Eve"},
    };
    for (const Holiday& h : days) {
      if (first <= h.date && h.date <= last) out.push_back(h);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Holiday& a, const Holiday& b) { return a.date < b.date; });
  return out;
}

}  // namespace shelfcast
