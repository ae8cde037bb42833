// Wire-format round trips: decode(encode(x)) == x for every canonical type, and decoders reject
// bad documents with the field path instead of throwing.
#include <doctest/doctest.h>

#include <cmath>

#include "shelfcast/json.h"

using namespace shelfcast;

namespace {

template <typename T>
T round_trip(const T& value) {
  Json encoded = value;
  const std::string text = dump_json(encoded);
  Result<T> decoded = decode_text<T>(text);
  REQUIRE_MESSAGE(decoded.is_ok(), decoded.status().to_string());
  return std::move(decoded).value();
}

Dataset sample_dataset() {
  Dataset d;
  d.stores = {{"S01", "Main Street", "North"}, {"S02", "Harbour \"Quay\"", "South"}};
  d.categories = {{"DAIRY", "Dairy", -1}, {"MILK", "Milk, fresh", 0}};
  d.products = {{"P1", "Whole milk 1L", 1, 0.61, 1.09}, {"P2", "Oat drink ☕", 1, 0.9, 1.99}};
  d.customers = {{"3f9a0c1d2e4b5a6978877665544332211"}};
  Promotion promo;
  promo.code = "PR1";
  promo.mechanic = PromoMechanic::kMultiBuy;
  promo.depth = 1.0 / 3.0;
  promo.start = date_from_civil(2024, 3, 4);
  promo.end = date_from_civil(2024, 3, 17);
  promo.feature = true;
  promo.target_segment = "loyal";
  promo.products = {0, 1};
  promo.stores = {1};
  d.promotions = {promo};
  d.holidays = {{date_from_civil(2024, 12, 25), "Christmas Day"}};
  SalesLine line;
  line.date = date_from_civil(2024, 3, 5);
  line.store = 1;
  line.product = 0;
  line.customer = 0;
  line.promotion = 0;
  line.channel = Channel::kOnline;
  line.qty = -2.0;
  line.unit_price = 1.09;
  line.discount = 0.125;
  line.order_ref = "SO/2024/0001";
  d.lines = {line, SalesLine{}};
  d.inventory = {{1, 0, 40.0, 12.0, 3.5, 1.25}};
  return d;
}

}  // namespace

TEST_CASE("every canonical type survives a round trip") {
  const Dataset d = sample_dataset();
  CHECK(round_trip(d.stores[1]) == d.stores[1]);
  CHECK(round_trip(d.categories[1]) == d.categories[1]);
  CHECK(round_trip(d.products[1]) == d.products[1]);
  CHECK(round_trip(d.customers[0]) == d.customers[0]);
  CHECK(round_trip(d.promotions[0]) == d.promotions[0]);
  CHECK(round_trip(d.holidays[0]) == d.holidays[0]);
  CHECK(round_trip(d.lines[0]) == d.lines[0]);
  CHECK(round_trip(d.inventory[0]) == d.inventory[0]);
  const Dataset back = round_trip(d);
  CHECK(back.stores == d.stores);
  CHECK(back.products == d.products);
  CHECK(back.promotions == d.promotions);
  CHECK(back.lines == d.lines);
  CHECK(back.inventory == d.inventory);
  WeeklyPoint p{date_from_civil(2024, 1, 1), 12.0, 1.99, 0.25, true, false, true};
  CHECK(round_trip(p) == p);
}

TEST_CASE("doubles keep every bit through the wire") {
  // nlohmann prints the shortest representation that round-trips; check awkward values.
  for (double v : {0.1, 1.0 / 3.0, 1e-300, 123456789.123456789, -0.0, 5e-324}) {
    CAPTURE(v);
    Product p{"X", "", -1, v, v};
    CHECK(round_trip(p).cost_per_unit == v);
  }
}

TEST_CASE("forecast input and result round-trip, NaN travels as null") {
  ForecastInput in;
  in.values = {1.0, std::nan(""), 3.0};
  in.season_length = 52;
  in.horizon = 4;
  in.levels = {50.0, 99.0};
  in.method = ForecastMethod::kSes;
  const Json encoded = in;
  CHECK(encoded["values"][1].is_null());
  const ForecastInput back = round_trip(in);
  CHECK(back.values.size() == 3);
  CHECK(std::isnan(back.values[1]));
  CHECK(back.values[2] == 3.0);
  CHECK(back.method == ForecastMethod::kSes);
  CHECK(back.levels == in.levels);

  Result<ForecastResult> r = forecast(in);
  REQUIRE(r.is_ok());
  const ForecastResult rb = round_trip(*r);
  CHECK(rb.mean == r->mean);
  CHECK(rb.model == r->model);
  CHECK(rb.alpha == r->alpha);
  REQUIRE(rb.intervals.size() == 2);
  CHECK(rb.intervals[1].upper == r->intervals[1].upper);
  CHECK(rb.summary == r->summary);
}

TEST_CASE("decoders name the bad field instead of throwing") {
  struct Row {
    const char* text;
    const char* field;
  };
  const Row rows[] = {
      {R"({"date":"2024-01-01","store":0,"product":"x","qty":1,"unit_price":2})", "product"},
      {R"({"date":"2024-02-30","store":0,"product":0,"qty":1,"unit_price":2})", "date"},
      {R"({"date":"2024-01-01","store":0,"product":0,"unit_price":2})", "qty"},
      {R"({"date":"2024-01-01","store":0,"product":0,"qty":1,"unit_price":2,"channel":"fax"})",
       "channel"},
      {R"({"date":"2024-01-01","store":1e20,"product":0,"qty":1,"unit_price":2})", "store"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.text);
    Result<SalesLine> line = decode_text<SalesLine>(r.text);
    REQUIRE_FALSE(line.is_ok());
    CHECK(line.status().code() == ErrorCode::kInvalidArgument);
    CHECK(line.status().field() == r.field);
  }
  Result<Dataset> d = decode_text<Dataset>(
      R"({"lines":[{"date":"2024-01-01","store":0,"product":0,"qty":1,"unit_price":2},
                   {"date":"2024-01-01","store":0,"product":0,"qty":"two","unit_price":2}]})");
  REQUIRE_FALSE(d.is_ok());
  CHECK(d.status().field() == "lines[1].qty");
  CHECK_FALSE(
      decode_text<Promotion>(R"({"code":"P","depth":0.99,"start":"2024-01-01","end":"2024-01-02"})")
          .is_ok());
  CHECK_FALSE(parse_json("{\"a\":").is_ok());
  CHECK_FALSE(parse_json("").is_ok());
  CHECK_FALSE(decode_text<Store>("[1,2]").is_ok());
}

TEST_CASE("the WASM envelope carries value or error") {
  CHECK(envelope_ok(Json{{"x", 1}}) == R"({"ok":true,"value":{"x":1}})");
  CHECK(envelope_error(invalid_argument("bad", "qty")) ==
        R"({"error":{"code":"invalid_argument","field":"qty","message":"bad"},"ok":false})");
  // Invalid UTF-8 in a message must not throw on serialization.
  const std::string bad = std::string("caf") + static_cast<char>(0xE9);
  CHECK_FALSE(envelope_error(invalid_argument(bad)).empty());
}

TEST_CASE("generator config round-trips and absent fields keep the demo defaults") {
  GeneratorConfig config;
  config.seed = 9007199254740993ULL;  // above 2^53: must survive as an integer
  config.n_stores = 3;
  config.start = date_from_civil(2023, 7, 3);
  config.weekly_profile = {{1, 2, 3, 4, 5, 6, 7}};
  config.promo_depth_max = 0.45;
  const Json encoded = config;
  Result<GeneratorConfig> back = decode<GeneratorConfig>(encoded);
  REQUIRE(back.is_ok());
  CHECK(back->seed == config.seed);
  CHECK(back->n_stores == 3);
  CHECK(back->start == config.start);
  CHECK(back->weekly_profile == config.weekly_profile);
  CHECK(back->promo_depth_max == 0.45);
  CHECK(dump_json(Json(*back)) == dump_json(encoded));

  Result<GeneratorConfig> partial = decode_text<GeneratorConfig>(R"({"n_products": 40})");
  REQUIRE(partial.is_ok());
  CHECK(partial->n_products == 40);
  CHECK(partial->n_stores == GeneratorConfig().n_stores);

  struct Row {
    const char* text;
    const char* field;
  };
  const Row rows[] = {{R"({"n_stores": "many"})", "n_stores"},
                      {R"({"n_stores": 1e12})", "n_stores"},
                      {R"({"n_stores": 3000000000})", "n_stores"},
                      {R"({"seed": -1})", "seed"},
                      {R"({"weekly_profile": [1, 2]})", "weekly_profile"},
                      {R"({"start": "2023-13-01"})", "start"}};
  for (const Row& r : rows) {
    CAPTURE(r.text);
    Result<GeneratorConfig> bad = decode_text<GeneratorConfig>(r.text);
    REQUIRE_FALSE(bad.is_ok());
    CHECK(bad.status().field() == r.field);
  }
}

TEST_CASE("a forecast names only the parameters its model has") {
  ForecastInput in;
  in.values = {10, 20, 30, 40, 12, 22, 32, 42};
  in.season_length = 4;
  in.horizon = 2;
  in.method = ForecastMethod::kSeasonalNaive;
  Json snaive = *forecast(in);
  CHECK_FALSE(snaive["params"].contains("alpha"));
  CHECK(snaive["params"]["sigma"] == 2.0);
  in.method = ForecastMethod::kSes;
  Json ses = *forecast(in);
  CHECK(ses["params"].contains("alpha"));
}
