#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "shelfcast/result.h"
#include "shelfcast/types.h"

using namespace shelfcast;

TEST_CASE("civil dates round-trip and know their weekday") {
  struct Row {
    int y, m, d, days, wd;
  };
  const Row rows[] = {
      {1970, 1, 1, 0, 3},       {2000, 2, 29, 11016, 1}, {2024, 1, 1, 19723, 0},
      {2025, 12, 31, 20453, 2}, {1969, 12, 31, -1, 2},
  };
  for (const Row& r : rows) {
    CAPTURE(r.y);
    CAPTURE(r.m);
    CAPTURE(r.d);
    const Date date = date_from_civil(r.y, r.m, r.d);
    CHECK(date.days == r.days);
    CHECK(weekday(date) == r.wd);
    int y = 0, m = 0, d = 0;
    civil_from_date(date, &y, &m, &d);
    CHECK(y == r.y);
    CHECK(m == r.m);
    CHECK(d == r.d);
    CHECK(week_start(date).days <= date.days);
    CHECK(weekday(week_start(date)) == 0);
  }
  CHECK(day_of_year(date_from_civil(2024, 12, 31)) == 366);
  CHECK(format_date(date_from_civil(2024, 3, 5)) == "2024-03-05");
}

TEST_CASE("parse_date accepts the three formats and rejects impossible dates") {
  struct Row {
    const char* text;
    bool ok;
    int days;
  };
  const Row rows[] = {
      {"2024-01-01", true, 19723},
      {"20240101", true, 19723},
      {"2024-01-01 13:45:00", true, 19723},
      {"2024-02-29", true, 19782},
      {"2023-02-29", false, 0},
      {"2024-13-01", false, 0},
      {"2024-1-1", false, 0},
      {"", false, 0},
      {"01/02/2024", false, 0},
      {"2024-01-01 25:00:00", false, 0},
      {"abcdefgh", false, 0},
  };
  for (const Row& r : rows) {
    CAPTURE(r.text);
    const Result<Date> parsed = parse_date(r.text);
    REQUIRE(parsed.is_ok() == r.ok);
    if (r.ok)
      CHECK(parsed->days == r.days);
    else
      CHECK(parsed.status().code() == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("enums round-trip through their wire names") {
  for (Channel c : {Channel::kPos, Channel::kSales, Channel::kOnline}) {
    CHECK(parse_channel(to_string(c)).value() == c);
  }
  for (PromoMechanic m : {PromoMechanic::kPercentOff, PromoMechanic::kPricePoint,
                          PromoMechanic::kMultiBuy, PromoMechanic::kBogo}) {
    CHECK(parse_promo_mechanic(to_string(m)).value() == m);
  }
  CHECK_FALSE(parse_channel("shop").is_ok());
  CHECK_FALSE(parse_promo_mechanic("").is_ok());
}

TEST_CASE("Status and Result carry code, field and message") {
  const Status s = invalid_argument("expected a number, got \"abc\"", "qty");
  CHECK(s.to_string() == "invalid_argument: field 'qty': expected a number, got \"abc\"");
  Result<int> r = s;
  CHECK_FALSE(r.is_ok());
  CHECK(r.status().field() == "qty");
  Result<int> v = 7;
  CHECK(*v == 7);
  CHECK(v.status().is_ok());
  CHECK(to_string(ErrorCode::kPermissionDenied) == "permission_denied");
}

#include "shelfcast/json.h"
#include "shelfcast/series.h"

TEST_CASE("aggregate_weekly fills every week, nets discounts and marks promotions") {
  const Date mon = date_from_civil(2024, 1, 1);  // a Monday
  Promotion promo;
  promo.depth = 0.3;
  promo.feature = true;
  std::vector<SalesLine> lines(3);
  lines[0].date = Date{mon.days + 2};
  lines[0].qty = 4;
  lines[0].unit_price = 2.0;
  lines[1].date = Date{mon.days + 15};  // week 3
  lines[1].qty = 10;
  lines[1].unit_price = 2.0;
  lines[1].discount = 0.3;
  lines[1].promotion = 0;
  lines[2].date = Date{mon.days + 400};  // outside the range: ignored
  lines[2].qty = 99;
  const std::vector<Holiday> holidays = {{Date{mon.days + 8}, "Test day"}};
  const auto weeks =
      aggregate_weekly(lines, {promo}, holidays, 2.5, Date{mon.days + 1}, Date{mon.days + 19});
  REQUIRE(weeks.size() == 3);
  CHECK(weeks[0].week == mon);
  CHECK_FALSE(weeks[0].complete);  // the range starts on Tuesday
  CHECK(weeks[1].complete);
  CHECK_FALSE(weeks[2].complete);  // and ends on Saturday
  CHECK(weeks[0].units == 4.0);
  CHECK(weeks[0].avg_price == doctest::Approx(2.0));
  CHECK_FALSE(weeks[0].holiday);
  CHECK(weeks[1].units == 0.0);
  // No sales: the regular price in force (week 0's 2.0), not today's list price 2.5.
  CHECK(weeks[1].avg_price == doctest::Approx(2.0));
  CHECK(weeks[1].holiday);
  CHECK(weeks[2].units == 10.0);
  CHECK(weeks[2].avg_price == doctest::Approx(1.4));
  CHECK(weeks[2].promo_depth == doctest::Approx(0.3));
  CHECK(weeks[2].feature);
  CHECK(aggregate_weekly(lines, {}, {}, 1.0, Date{mon.days + 5}, mon).empty());
  // Regression: a regular-price change must not date back to the weeks without sales before it
  // (the list price is the newest regular price; reading it into earlier empty weeks made their
  // zeros look like a price response and inflated elasticities tenfold on the demo data).
  std::vector<SalesLine> moves(3);
  moves[0].date = Date{mon.days + 1};  // week 0 at 1.19
  moves[0].qty = 3;
  moves[0].unit_price = 1.19;
  moves[1].date = Date{mon.days + 22};  // week 3 at 1.29, 20% off
  moves[1].qty = 5;
  moves[1].unit_price = 1.29;
  moves[1].discount = 0.2;
  moves[2].date = Date{mon.days + 36};  // week 5 at 1.29
  moves[2].qty = 2;
  moves[2].unit_price = 1.29;
  const auto moved = aggregate_weekly(moves, {}, {}, 1.49, mon, Date{mon.days + 48});
  REQUIRE(moved.size() == 7);
  CHECK(moved[1].avg_price == doctest::Approx(1.19));
  CHECK(moved[2].avg_price == doctest::Approx(1.19));
  CHECK(moved[3].avg_price == doctest::Approx(1.29 * 0.8));
  CHECK(moved[4].avg_price == doctest::Approx(1.29));  // the regular price, not the promoted one
  CHECK(moved[6].avg_price == doctest::Approx(1.29));
  // Before the first sale: the first price seen; never sold: the given regular price.
  const auto late = aggregate_weekly({moves[2]}, {}, {}, 1.49, mon, Date{mon.days + 48});
  CHECK(late[0].avg_price == doctest::Approx(1.29));
  CHECK(aggregate_weekly({}, {}, {}, 1.49, mon, Date{mon.days + 13})[1].avg_price == 1.49);
}

TEST_CASE("aggregate_weekly counts a week's holidays in average days of the series' weekdays") {
  // Ten weeks selling 10 a weekday and 30 on Saturdays, nothing on Sundays; holidays on the
  // Saturday of week 2 (its 45 units, a holiday's, stay out of the profile), on the Tuesday of
  // week 4 (two names, one day) and on the Tuesday and Wednesday of week 6 (nothing sold then).
  const Date mon = date_from_civil(2024, 1, 1);  // a Monday
  const std::vector<Holiday> holidays = {{Date{mon.days + 19}, "Sat"},
                                         {Date{mon.days + 29}, "Tue A"},
                                         {Date{mon.days + 29}, "Tue B"},
                                         {Date{mon.days + 43}, "Tue"},
                                         {Date{mon.days + 44}, "Wed"}};
  std::vector<SalesLine> lines;
  for (int32_t day = 0; day < 70; ++day) {
    const int wd = day % 7;
    const bool off = day == 29 || day == 43 || day == 44;
    if (wd == 6 || off) continue;
    SalesLine l;
    l.date = Date{mon.days + day};
    l.qty = day == 19 ? 45.0 : wd == 5 ? 30.0 : 10.0;
    l.unit_price = 1.0;
    lines.push_back(l);
  }
  // Units outside holidays: Mon 100, Tue 80, Wed 90, Thu 100, Fri 100, Sat 270, Sun 0 (740),
  // each plus 10 of the 70 pseudo-units spread evenly.
  const std::array<double, 7> shares = weekday_shares(lines, holidays, mon, Date{mon.days + 69});
  CHECK(shares[1] == doctest::Approx(90.0 / 810.0));
  CHECK(shares[5] == doctest::Approx(280.0 / 810.0));
  CHECK(shares[6] == doctest::Approx(10.0 / 810.0));
  const auto weeks = aggregate_weekly(lines, {}, holidays, 1.0, mon, Date{mon.days + 69});
  REQUIRE(weeks.size() == 10);
  CHECK(weeks[0].holiday_days == 0.0);
  CHECK(weeks[2].holiday);
  CHECK(weeks[2].holiday_days == doctest::Approx(7.0 * 280.0 / 810.0));  // a Saturday: 2.4 days
  CHECK(weeks[4].holiday_days == doctest::Approx(7.0 * 90.0 / 810.0));   // counted once: 0.78
  CHECK(weeks[6].holiday_days == doctest::Approx(7.0 * 190.0 / 810.0));  // two add up: 1.64
  // Without sales every weekday weighs the same: a holiday is one average day.
  const std::array<double, 7> flat = weekday_shares({}, holidays, mon, Date{mon.days + 69});
  for (const double s : flat) CHECK(s == doctest::Approx(1.0 / 7.0));
  CHECK(aggregate_weekly({}, {}, holidays, 1.0, mon, Date{mon.days + 69})[6].holiday_days ==
        doctest::Approx(2.0));
  // The field round-trips through JSON; a week sent with the flag alone counts one day.
  Json j = weeks[2];
  CHECK(decode<WeeklyPoint>(j).value() == weeks[2]);
  j.erase("holiday_days");
  CHECK(decode<WeeklyPoint>(j).value().holiday_days == 1.0);
}
