// The ingest parser: the CSV reader, the three formats, validation messages, data minimization,
// and robustness against arbitrary bytes. Pure: no database, no server.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "governance/pseudonym.h"
#include "ingest/csv.h"
#include "ingest/ingest.h"

using namespace shelfcast;
using namespace shelfcast::server;

namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(SHELFCAST_FIXTURES_DIR) + "/ingest/" + name, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const Pseudonymizer& test_pseudonymizer() {
  static const Pseudonymizer pseudonymizer =
      std::move(Pseudonymizer::create(std::string(32, '\x42'))).value();
  return pseudonymizer;
}

std::string ps(const std::string& source_id) { return test_pseudonymizer().pseudonym(source_id); }

Result<IngestBatch> parse(const std::string& content, std::optional<IngestFormat> format = {},
                          bool skip_bad_rows = false, const std::string& file = "x.csv") {
  return parse_ingest(file, content, format, skip_bad_rows, test_pseudonymizer());
}

/// Every string a batch holds, for the data-minimization scan.
std::vector<std::string> all_strings(const IngestBatch& batch) {
  std::vector<std::string> out = {batch.file};
  for (const std::string& name : batch.ignored_columns) out.push_back(name);
  for (const IngestRow& row : batch.rows) {
    for (const std::string* s :
         {&row.store_code, &row.store_name, &row.product_code, &row.product_name, &row.category,
          &row.customer_pseudonym, &row.promotion_code, &row.order_ref}) {
      out.push_back(*s);
    }
  }
  for (const RowError& error : batch.skipped) {
    out.push_back(error.field);
    out.push_back(error.message);
  }
  return out;
}

struct ExpectedRow {
  int line;
  const char* date;
  const char* store_code;
  const char* store_name;
  Channel channel;
  const char* product_code;
  const char* product_name;
  const char* category;
  const char* customer;  // source id; nullptr = anonymous
  double qty;
  double unit_price;
  double discount;
  const char* promotion;
  const char* order_ref;
};

void check_rows(const IngestBatch& batch, const std::vector<ExpectedRow>& expected) {
  REQUIRE(batch.rows.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const IngestRow& row = batch.rows[i];
    const ExpectedRow& want = expected[i];
    CAPTURE(want.line);
    CHECK(row.line == want.line);
    CHECK(format_date(row.date) == want.date);
    CHECK(row.store_code == want.store_code);
    CHECK(row.store_name == want.store_name);
    CHECK(row.channel == want.channel);
    CHECK(row.product_code == want.product_code);
    CHECK(row.product_name == want.product_name);
    CHECK(row.category == want.category);
    CHECK(row.customer_pseudonym == (want.customer == nullptr ? "" : ps(want.customer)));
    CHECK(row.qty == doctest::Approx(want.qty));
    CHECK(row.unit_price == doctest::Approx(want.unit_price));
    CHECK(row.discount == doctest::Approx(want.discount));
    CHECK(row.promotion_code == want.promotion);
    CHECK(row.order_ref == want.order_ref);
  }
}

}  // namespace

// ---- the CSV reader -----------------------------------------------------------------------------

TEST_CASE("CsvReader reads RFC 4180 records and reports the line each starts on") {
  struct Row {
    const char* name;
    std::string input;
    std::vector<std::vector<std::string>> records;
    std::vector<int> lines;
    std::vector<std::string> errors;  // per record, "" = fine (checked by prefix)
  };
  const std::vector<Row> rows = {
      {"simple", "a,b\n1,2\n", {{"a", "b"}, {"1", "2"}}, {1, 2}, {"", ""}},
      {"no final newline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}, {1, 2}, {"", ""}},
      {"CRLF", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}, {1, 2}, {"", ""}},
      {"lone CR", "a,b\r1,2\r", {{"a", "b"}, {"1", "2"}}, {1, 2}, {"", ""}},
      {"BOM dropped",
       "\xEF\xBB\xBF"
       "a,b\n",
       {{"a", "b"}},
       {1},
       {""}},
      {"quoted comma", "\"x,y\",z\n", {{"x,y", "z"}}, {1}, {""}},
      {"doubled quotes", "\"say \"\"hi\"\"\",2\n", {{"say \"hi\"", "2"}}, {1}, {""}},
      {"quoted newline",
       "h\n\"a\nb\",c\nnext,1\n",
       {{"h"}, {"a\nb", "c"}, {"next", "1"}},
       {1, 2, 4},
       {"", "", ""}},
      {"quoted CRLF kept", "\"a\r\nb\"\r\nz\r\n", {{"a\r\nb"}, {"z"}}, {1, 3}, {"", ""}},
      {"empty fields", ",,\n\"\",x,\n", {{"", "", ""}, {"", "x", ""}}, {1, 2}, {"", ""}},
      {"blank lines skipped", "a\n\n\r\n\nb\n", {{"a"}, {"b"}}, {1, 5}, {"", ""}},
      {"quote inside unquoted field is literal", "ab\"c,d\n", {{"ab\"c", "d"}}, {1}, {""}},
      {"unterminated quote",
       "a\n\"open\nmore",
       {{"a"}, {"open\nmore"}},
       {1, 2},
       {"", "unterminated quoted field (the quote opens on line 2)"}},
      {"text after closing quote resyncs",
       "\"a\"b,c\nd,e\n",
       {{"a"}, {"d", "e"}},
       {1, 2},
       {"unexpected text after a closing quote", ""}},
      {"empty input", "", {}, {}, {}},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      CAPTURE(row.input);
      CsvReader reader(row.input);
      CsvRecord record;
      size_t n = 0;
      while (reader.next(&record)) {
        REQUIRE(n < row.records.size());
        CHECK(record.line == row.lines[n]);
        if (row.errors[n].empty()) {
          CHECK(record.error.empty());
          CHECK(record.fields == row.records[n]);
        } else {
          CHECK(record.error.rfind(row.errors[n], 0) == 0);
        }
        ++n;
      }
      CHECK(n == row.records.size());
    }
  }
}

TEST_CASE("utf8_error finds the first malformed byte") {
  struct Row {
    const char* name;
    std::string text;
    size_t bad;
  };
  const size_t ok = std::string::npos;
  const std::vector<Row> rows = {
      {"ascii", "plain text", ok},
      {"two, three and four bytes", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", ok},
      {"latin-1 e acute", "caf\xE9", 3},
      {"stray continuation", "a\x80", 1},
      {"overlong slash", "\xC0\xAF", 0},
      {"overlong three-byte", "\xE0\x80\xAF", 0},
      {"surrogate", "x\xED\xA0\x80", 1},
      {"above U+10FFFF", "\xF4\x90\x80\x80", 0},
      {"F5 lead", "\xF5\x80\x80\x80", 0},
      {"truncated", "ab\xE2\x82", 2},
      {"NUL (UTF-16?)", std::string("a\0b", 3), 1},
      {"byte order mark FF FE",
       "\xFF\xFE"
       "a",
       0},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) { CHECK(utf8_error(row.text) == row.bad); }
  }
}

// ---- the three formats --------------------------------------------------------------------------

TEST_CASE("an Odoo sale.order.line export maps onto canonical rows") {
  const Result<IngestBatch> batch =
      parse(read_fixture("odoo_sale_order_line.csv"), std::nullopt, false, "sale.csv");
  REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
  CHECK(batch->file == "sale.csv");
  CHECK(batch->format == IngestFormat::kOdooSale);
  CHECK(batch->skipped.empty());
  CHECK(batch->dropped_lines == 1);  // the "Delivery options" section line
  CHECK(batch->ignored_columns ==
        std::vector<std::string>{"id", "order_id/partner_id/email", "order_id/partner_id/phone",
                                 "order_id/partner_id/street", "name", "price_subtotal"});
  const char* const kFurniture = "All / Saleable / Office Furniture";
  check_rows(
      *batch,
      {
          {2, "2024-03-04", "San Francisco", "San Francisco", Channel::kSales, "FURN_8888",
           "Office Lamp", kFurniture, "Azure Interior, Brandon Freeman", 2.0, 40.0, 0.10, "",
           "S00023"},
          // A continuation line: order, date, customer and warehouse come from line 2.
          {4, "2024-03-04", "San Francisco", "San Francisco", Channel::kSales, "FURN_6666",
           "Acoustic Bloc Screens", kFurniture, "Azure Interior, Brandon Freeman", 1.0, 295.0, 0.0,
           "", "S00023"},
          // No [CODE] and default_code False: the display name is code and name.
          {6, "2024-03-05", "San Francisco", "San Francisco", Channel::kSales,
           "Customizable Desk (Steel, White)", "Customizable Desk (Steel, White)", kFurniture,
           "Deco Addict, Addison Olson", 1.0, 750.0, 0.0, "", "S00024"},
          // A web-shop order without a customer: online and anonymous.
          {8, "2024-03-06", "San Francisco", "San Francisco", Channel::kOnline, "E-COM11",
           "Cabinet with Doors", "All / Saleable", nullptr, 3.0, 140.0, 0.25, "", "S00025"},
          {9, "2024-03-07", "Chicago", "Chicago", Channel::kSales, "FURN_7800", "Desk Combination",
           kFurniture, "Wood Corner, Willie Burke", 1.0, 450.0, 0.125, "", "S00026"},
      });
  CHECK(batch->rows[0].customer_pseudonym.size() == kPseudonymHexChars);
  CHECK(batch->rows[0].customer_pseudonym != batch->rows[2].customer_pseudonym);
}

TEST_CASE("an Odoo pos.order.line export maps onto canonical rows") {
  const Result<IngestBatch> batch = parse(read_fixture("odoo_pos_order_line.csv"));
  REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
  CHECK(batch->format == IngestFormat::kOdooPos);
  CHECK(batch->dropped_lines == 0);
  CHECK(batch->ignored_columns == std::vector<std::string>{"order_id/partner_id/email",
                                                           "full_product_name",
                                                           "price_subtotal_incl"});
  check_rows(
      *batch,
      {
          {2, "2024-03-05", "Shop", "Shop", Channel::kPos, "DESK0004",
           "Customizable Desk (Aluminium, Black)", "", nullptr, 1.0, 800.0, 0.0, "", "Shop/0001"},
          {3, "2024-03-05", "Shop", "Shop", Channel::kPos, "FURN_0269", "Office Chair Black", "",
           nullptr, 2.0, 120.5, 0.05, "", "Shop/0001"},
          {4, "2024-03-05", "Shop", "Shop", Channel::kPos, "FURN_0269", "Office Chair Black", "",
           "Gemini Furniture, Edwin Hansen", -1.0, 120.5, 0.0, "", "Shop/0002"},
          {5, "2024-03-06", "Bakery Shop", "Bakery Shop", Channel::kPos, "Croissant", "Croissant",
           "", "Lumber Inc, Lorraine Douglas", 6.0, 1.9, 0.0, "", "Bakery Shop/0001"},
      });
}

TEST_CASE("the canonical CSV maps one to one") {
  const Result<IngestBatch> batch = parse(read_fixture("canonical.csv"));
  REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
  CHECK(batch->format == IngestFormat::kCanonical);
  CHECK(batch->ignored_columns.empty());
  check_rows(*batch, {
                         {2, "2024-03-04", "BRU01", "", Channel::kPos, "SKU-001",
                          "Espresso beans, 1 kg", "Coffee", "C-1001", 2.0, 12.5, 0.0, "", "T-1"},
                         {3, "2024-03-04", "BRU01", "", Channel::kPos, "SKU-002", "Milk 1 L",
                          "Dairy", nullptr, 1.0, 1.2, 0.1, "PROMO-MILK", "T-1"},
                         {4, "2024-03-05", "ANT02", "", Channel::kOnline, "SKU-001", "", "",
                          "C-1002", -1.0, 12.5, 0.0, "", ""},
                         {5, "2024-03-05", "ANT02", "", Channel::kSales, "SKU-003", "Croissant",
                          "Bakery", "C-1001", 12.0, 0.9, 0.25, "", "O-7"},
                     });
}

TEST_CASE("Odoo details: external ids, warehouse codes, dropped lines, False") {
  const std::string head =
      "order_id,order_id/date_order,order_id/warehouse_id,order_id/warehouse_id/code,"
      "order_id/partner_id,order_id/partner_id/id,product_id,product_id/default_code,"
      "product_uom_qty,price_unit,discount,display_type,is_reward_line\n";
  SUBCASE("the partner's external id is preferred to its display name") {
    const Result<IngestBatch> batch =
        parse(head +
              "S1,2024-01-02 10:00:00,San Francisco,WH,\"Azure Interior, Brandon Freeman\","
              "base.res_partner_12,[A1] Lamp,False,1,10,0,False,False\n");
    REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
    REQUIRE(batch->rows.size() == 1);
    CHECK(batch->rows[0].customer_pseudonym == ps("base.res_partner_12"));
    CHECK(batch->rows[0].store_code == "WH");
    CHECK(batch->rows[0].store_name == "San Francisco");
    CHECK(batch->rows[0].product_code == "A1");
  }
  SUBCASE("default_code wins over the [CODE] of the display name") {
    const Result<IngestBatch> batch =
        parse(head + "S1,2024-01-02,WH1,False,False,False,[OLD] Lamp,NEW-1,1,10,0,,\n");
    REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
    CHECK(batch->rows[0].product_code == "NEW-1");
    CHECK(batch->rows[0].product_name == "Lamp");
    CHECK(batch->rows[0].store_code == "WH1");  // warehouse code False: the name
    CHECK(batch->rows[0].customer_pseudonym.empty());
  }
  SUBCASE("note, section and reward lines are dropped, not rejected") {
    const Result<IngestBatch> batch =
        parse(head + "S1,2024-01-02,WH1,,,,[A1] Lamp,,1,10,0,,\n" +
              ",,,,,,False,,0,0,0,line_note,\n" + ",,,,,,,,,,,line_section,\n" +
              ",,,,,,[REWARD] 10% on your order,,1,-5.0,0,,True\n" + ",,,,,,,,,,,,\n");
    REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
    CHECK(batch->rows.size() == 1);
    CHECK(batch->dropped_lines == 4);
  }
  SUBCASE("a line that continues no order is an error") {
    const Result<IngestBatch> batch = parse(head + ",,,,,,[A1] Lamp,,1,10,0,,\n");
    REQUIRE_FALSE(batch.is_ok());
    CHECK(batch.status().message() ==
          "x.csv:2: field 'order_id': missing value (and no earlier line of an order to "
          "continue)");
  }
  SUBCASE("a product line without a product is an error") {
    const Result<IngestBatch> batch = parse(head + "S1,2024-01-02,WH1,,,,False,,2,10,0,,\n");
    REQUIRE_FALSE(batch.is_ok());
    CHECK(batch.status().message() == "x.csv:2: field 'product_id': missing value");
  }
  SUBCASE("after an unreadable line, continuation lines are not credited to an earlier order") {
    const Result<IngestBatch> batch =
        parse(head + "S1,2024-01-02,WH1,,Ann,,[A1] Lamp,,1,10,0,,\n" +
                  "S2,2024-01-03,WH1,,\"Bob\"x,,[A2] Desk,,1,10,0,,\n" +
                  ",,,,,,[A3] Chair,,1,10,0,,\n" + "S3,2024-01-04,WH1,,,,[A4] Shelf,,1,10,0,,\n",
              std::nullopt, true);
    REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
    REQUIRE(batch->rows.size() == 2);
    CHECK(batch->rows[0].order_ref == "S1");
    CHECK(batch->rows[1].order_ref == "S3");
    REQUIRE(batch->skipped.size() == 2);
    CHECK(batch->skipped[0].line == 3);
    CHECK(batch->skipped[1].line == 4);
    CHECK(batch->skipped[1].field == "order_id");
    CHECK(batch->skipped[1].message ==
          "missing value (the line continues an order, but line 3 before it could not be read)");
  }
  SUBCASE("continuation lines keep their own non-empty order columns") {
    const Result<IngestBatch> batch = parse(head + "S1,2024-01-02,WH1,,Ann,,[A1] Lamp,,1,10,0,,\n" +
                                            ",2024-01-03,,,,,[A2] Desk,,1,10,0,,\n");
    REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
    REQUIRE(batch->rows.size() == 2);
    CHECK(format_date(batch->rows[1].date) == "2024-01-03");
    CHECK(batch->rows[1].order_ref == "S1");
    CHECK(batch->rows[1].customer_pseudonym == ps("Ann"));
  }
}

// ---- formats, headers and messages --------------------------------------------------------------

TEST_CASE("ignored columns are reported by name, unnamed ones by position") {
  const Result<IngestBatch> batch =
      parse("date,store,email,product,qty,unit_price,\n2024-01-01,S,a@b.example,P,1,2,\n");
  REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
  CHECK(batch->ignored_columns == std::vector<std::string>{"email", "(unnamed column 7)"});
}

TEST_CASE("the format is detected from the header, or checked against it") {
  struct Row {
    const char* name;
    std::vector<std::string> header;
    std::optional<IngestFormat> want;  // nullopt = an error
  };
  const std::vector<Row> rows = {
      {"sale",
       {"order_id", "order_id/date_order", "order_id/warehouse_id", "product_id", "product_uom_qty",
        "price_unit"},
       IngestFormat::kOdooSale},
      {"sale without product_uom_qty still looks like sale",
       {"order_id", "order_id/date_order", "order_id/warehouse_id", "product_id", "price_unit"},
       IngestFormat::kOdooSale},
      {"pos",
       {"order_id", "order_id/date_order", "order_id/config_id", "product_id", "qty", "price_unit"},
       IngestFormat::kOdooPos},
      {"canonical", {"date", "store", "product", "qty", "unit_price"}, IngestFormat::kCanonical},
      {"canonical, other order and extras",
       {"unit_price", "x", "qty", "product", "store", "date"},
       IngestFormat::kCanonical},
      {"nothing known", {"a", "b", "c"}, std::nullopt},
      {"Odoo labels, not technical names",
       {"Order Reference", "Product", "Quantity"},
       std::nullopt},
      {"a tie", {"qty"}, std::nullopt},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      const Result<IngestFormat> format = detect_ingest_format(row.header);
      REQUIRE(format.is_ok() == row.want.has_value());
      if (row.want.has_value()) CHECK(*format == *row.want);
    }
  }

  SUBCASE("an explicit format that does not fit names the missing column") {
    const Result<IngestBatch> batch =
        parse(read_fixture("canonical.csv"), IngestFormat::kOdooPos, false, "canonical.csv");
    REQUIRE_FALSE(batch.is_ok());
    CHECK(batch.status().message() ==
          "canonical.csv:1: missing required column 'order_id' (format odoo-pos)");
    CHECK(batch.status().field() == "order_id");
  }
  SUBCASE("an explicit format that fits") {
    const Result<IngestBatch> batch =
        parse(read_fixture("odoo_pos_order_line.csv"), IngestFormat::kOdooPos);
    REQUIRE(batch.is_ok());
    CHECK(batch->rows.size() == 4);
  }
  SUBCASE("--format names") {
    for (IngestFormat f :
         {IngestFormat::kOdooSale, IngestFormat::kOdooPos, IngestFormat::kCanonical}) {
      CHECK(parse_ingest_format(to_string(f)).value() == f);
    }
    CHECK(parse_ingest_format("odoo").status().field() == "format");
  }
}

TEST_CASE("bad files fail with FILE:LINE: field 'F': reason") {
  struct Row {
    const char* file;
    const char* message;
    const char* field;
  };
  const Row rows[] = {
      {"bad_header.csv",
       "bad_header.csv:1: missing required column 'product_uom_qty' (format odoo-sale, detected "
       "from the header)",
       "product_uom_qty"},
      {"bad_qty.csv", "bad_qty.csv:3: field 'qty': expected a number, got \"abc\"", "qty"},
      {"bad_price.csv", "bad_price.csv:3: field 'price_unit': must not be negative, got \"-120.5\"",
       "price_unit"},
      {"bad_date.csv",
       "bad_date.csv:2: field 'order_id/date_order': expected a date YYYY-MM-DD, YYYYMMDD or "
       "YYYY-MM-DD HH:MM:SS, got \"04/03/2024 09:15\"",
       "order_id/date_order"},
      {"latin1.csv",
       "latin1.csv:3: field 'product_name': not valid UTF-8 (byte 0xE9); save the file as UTF-8 "
       "(is it Latin-1 or UTF-16?)",
       "product_name"},
      {"empty.csv", "empty.csv:1: empty file (expected a header row)", ""},
      {"header_only.csv", "header_only.csv:1: no data rows after the header", ""},
      {"mixed_bad_rows.csv", "mixed_bad_rows.csv:3: field 'qty': expected a number, got \"two\"",
       "qty"},
  };
  for (const Row& row : rows) {
    SUBCASE(row.file) {
      const Result<IngestBatch> batch =
          parse_ingest(row.file, read_fixture(row.file), std::nullopt, false, test_pseudonymizer());
      REQUIRE_FALSE(batch.is_ok());
      CHECK(batch.status().code() == ErrorCode::kInvalidArgument);
      CHECK(batch.status().message() == row.message);
      CHECK(batch.status().field() == row.field);
    }
  }
}

TEST_CASE("skip_bad_rows keeps good rows and records each bad one with its reason") {
  const Result<IngestBatch> batch = parse(read_fixture("mixed_bad_rows.csv"), std::nullopt, true);
  REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
  REQUIRE(batch->rows.size() == 2);
  CHECK(batch->rows[0].line == 2);
  CHECK(batch->rows[1].line == 14);
  CHECK(batch->rows[1].qty == -1.0);  // returns are allowed
  CHECK(batch->rows[1].discount == doctest::Approx(0.5));
  struct Skip {
    int line;
    const char* field;
    const char* message;
  };
  const std::vector<Skip> want = {
      {3, "qty", "expected a number, got \"two\""},
      {4, "unit_price", "must not be negative, got \"-0.5\""},
      {5, "date",
       "expected a date YYYY-MM-DD, YYYYMMDD or YYYY-MM-DD HH:MM:SS, got \"2024-02-30\""},
      {6, "discount",
       "expected a fraction between 0 and 1, got \"15\" (a percent? write it as a fraction: "
       "0.15)"},
      {7, "", "expected 7 fields, got 6"},
      {8, "qty", "expected a finite number, got \"nan\""},
      {9, "unit_price", "expected a finite number, got \"inf\""},
      {10, "",
       "unexpected text after a closing quote (a quote inside a quoted field must be doubled)"},
      {11, "channel", "expected pos, sales or online, got \"shop\""},
      {12, "store", "missing value"},
  };
  REQUIRE(batch->skipped.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(want[i].line);
    CHECK(batch->skipped[i].line == want[i].line);
    CHECK(batch->skipped[i].field == want[i].field);
    CHECK(batch->skipped[i].message == want[i].message);
  }
  CHECK(format_row_error("m.csv", batch->skipped[0]) ==
        "m.csv:3: field 'qty': expected a number, got \"two\"");
  CHECK(format_row_error("m.csv", batch->skipped[4]) == "m.csv:7: expected 7 fields, got 6");
}

TEST_CASE("skip_bad_rows does not excuse a wrong encoding or a bad header") {
  for (const char* file : {"latin1.csv", "bad_header.csv", "empty.csv", "header_only.csv"}) {
    CAPTURE(file);
    CHECK_FALSE(parse(read_fixture(file), std::nullopt, true).is_ok());
  }
}

TEST_CASE("edge cases of values and files") {
  const std::string head = "date,store,product,qty,unit_price,discount\n";
  const std::string sale_head =
      "order_id,order_id/date_order,order_id/warehouse_id,product_id,product_uom_qty,price_unit,"
      "discount\n";
  struct Row {
    const char* name;
    std::string content;
    const char* error;  // nullptr = ok
    double qty;
    double unit_price;
  };
  const std::string long_value(100, 'x');
  const std::vector<Row> rows = {
      {"BOM only", "\xEF\xBB\xBF", "x.csv:1: empty file (expected a header row)", 0, 0},
      {"blank lines only", "\n\r\n\n", "x.csv:1: empty file (expected a header row)", 0, 0},
      {"header and blank lines", head + "\n\n", "x.csv:1: no data rows after the header", 0, 0},
      {"spaces-only line is blank", head + "   \n2024-01-01,S,P,1,2,0\n", nullptr, 1, 2},
      {"duplicate column", "date,store,product,qty,unit_price,qty\n2024-01-01,S,P,1,2,3\n",
       "x.csv:1: duplicate column 'qty'", 0, 0},
      {"unknown header", "foo,bar\n1,2\n",
       "x.csv:1: cannot tell the format from the header: expected Odoo technical field names (an "
       "import-compatible export of sale.order.line or pos.order.line) or the canonical columns "
       "date,store,product,qty,unit_price; or pass --format",
       0, 0},
      {"unterminated quote in header", "date,\"store\n",
       "x.csv:1: header: unterminated quoted field (the quote opens on line 1)", 0, 0},
      {"latin-1 in the header", "date,store,product,qty,unit_price,caf\xE9\n",
       "x.csv:1: not valid UTF-8 (byte 0xE9 in column 6); save the file as UTF-8 (is it Latin-1 "
       "or UTF-16?)",
       0, 0},
      {"latin-1 in an ignored column",
       "date,store,product,qty,unit_price,note\n"
       "2024-01-01,S,P,1,2,caf\xE9\n",
       "x.csv:2: field 'note': not valid UTF-8 (byte 0xE9); save the file as UTF-8 (is it "
       "Latin-1 or UTF-16?)",
       0, 0},
      {"UTF-16 (NUL bytes)", std::string("d\0a\0t\0e\0\n\0", 10), "x.csv:1: not valid UTF-8", 0, 0},
      {"trimmed number", head + "2024-01-01,S,P, 3 ,2,0\n", nullptr, 3, 2},
      {"plus sign", head + "2024-01-01,S,P,+5,2,0\n", nullptr, 5, 2},
      {"exponent", head + "2024-01-01,S,P,2e3,2,0\n", nullptr, 2000, 2},
      {"negative zero price", head + "2024-01-01,S,P,1,-0,0\n", nullptr, 1, 0},
      {"zero qty", head + "2024-01-01,S,P,0,2,0\n", nullptr, 0, 2},
      {"empty qty", head + "2024-01-01,S,P,,2,0\n", "x.csv:2: field 'qty': missing value", 0, 0},
      {"thousands separator", head + "2024-01-01,S,P,\"1,234\",2,0\n",
       "x.csv:2: field 'qty': expected a number, got \"1,234\"", 0, 0},
      {"decimal comma", head + "2024-01-01,S,P,1,\"12,5\",0\n",
       "x.csv:2: field 'unit_price': expected a number, got \"12,5\"", 0, 0},
      {"hex", head + "2024-01-01,S,P,0x10,2,0\n",
       "x.csv:2: field 'qty': expected a number, got \"0x10\"", 0, 0},
      {"plus minus", head + "2024-01-01,S,P,+-1,2,0\n",
       "x.csv:2: field 'qty': expected a number, got \"+-1\"", 0, 0},
      {"out of range", head + "2024-01-01,S,P,1e400,2,0\n",
       "x.csv:2: field 'qty': number out of range, got \"1e400\"", 0, 0},
      {"infinity", head + "2024-01-01,S,P,1,-infinity,0\n",
       "x.csv:2: field 'unit_price': expected a finite number, got \"-infinity\"", 0, 0},
      {"huge qty", head + "2024-01-01,S,P,-2e9,2,0\n",
       "x.csv:2: field 'qty': out of range (at most 1e9 units), got \"-2e9\"", 0, 0},
      {"huge price", head + "2024-01-01,S,P,1,1e13,0\n",
       "x.csv:2: field 'unit_price': out of range (at most 1e12), got \"1e13\"", 0, 0},
      {"negative discount", head + "2024-01-01,S,P,1,2,-0.1\n",
       "x.csv:2: field 'discount': expected a fraction between 0 and 1, got \"-0.1\"", 0, 0},
      {"long value is cut", head + "2024-01-01,S,P," + long_value + ",2,0\n",
       "x.csv:2: field 'qty': expected a number, got \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
       "\xE2\x80\xA6\"",
       0, 0},
      {"newline in a value is escaped", head + "2024-01-01,S,P,\"1\n2\",2,0\n",
       "x.csv:2: field 'qty': expected a number, got \"1\\n2\"", 0, 0},
      {"False is not a number", sale_head + "S1,2024-01-01,WH,P,False,2,0\n",
       "x.csv:2: field 'product_uom_qty': missing value", 0, 0},
      {"Odoo discount above 100", sale_head + "S1,2024-01-01,WH,P,1,2,150\n",
       "x.csv:2: field 'discount': expected a percent between 0 and 100, got \"150\"", 0, 0},
      {"Odoo discount False = 0", sale_head + "S1,2024-01-01,WH,P,1,2,False\n", nullptr, 1, 2},
      {"record after a multi-line field", head + "2024-01-01,\"S\n1\",P,x,2,0\n",
       "x.csv:2: field 'qty': expected a number, got \"x\"", 0, 0},
      {"line counts through multi-line fields",
       head + "2024-01-01,\"S\n1\",P,1,2,0\n2024-01-01,S,P,y,2,0\n",
       "x.csv:4: field 'qty': expected a number, got \"y\"", 0, 0},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      CAPTURE(row.content);
      const Result<IngestBatch> batch = parse(row.content);
      if (row.error == nullptr) {
        REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
        REQUIRE(batch->rows.size() == 1);
        CHECK(batch->rows[0].qty == row.qty);
        CHECK(batch->rows[0].unit_price == row.unit_price);
        CHECK_FALSE(std::signbit(batch->rows[0].unit_price));
      } else {
        REQUIRE_FALSE(batch.is_ok());
        CHECK(batch.status().code() == ErrorCode::kInvalidArgument);
        CHECK(batch.status().message().rfind(row.error, 0) == 0);
      }
    }
  }
}

// ---- data minimization --------------------------------------------------------------------------

TEST_CASE("no personal data from the export reaches the parsed batch") {
  const char* const kPii[] = {
      "Azure Interior",   "Brandon Freeman",    "brandon.freeman55", "(355)-687-3262",
      "4557 De Silva",    "Deco Addict",        "Addison Olson",     "addison.olson28",
      "(223)-399-7637",   "Santa Barbara",      "Wood Corner",       "Willie Burke",
      "willie.burke80",   "(828)-316-0593",     "Mill Rd",           "example.com",
      "Gemini Furniture", "Edwin Hansen",       "edwin.hansen58",    "Lumber Inc",
      "Lorraine Douglas", "lorraine.douglas35",
  };
  for (const char* file : {"odoo_sale_order_line.csv", "odoo_pos_order_line.csv"}) {
    for (const bool skip : {false, true}) {
      CAPTURE(file);
      CAPTURE(skip);
      std::string content = read_fixture(file);
      if (skip) content += "S9,2024-03-08 10:00:00,\"Jane Q. Private, Secret\",x,y,z,w,P,1,2,3\n";
      const Result<IngestBatch> batch = parse(content, std::nullopt, skip);
      REQUIRE_MESSAGE(batch.is_ok(), batch.status().message());
      if (skip) CHECK(batch->skipped.size() == 1);
      for (const std::string& text : all_strings(*batch)) {
        for (const char* pii : kPii) {
          CAPTURE(pii);
          CHECK(text.find(pii) == std::string::npos);
        }
        CHECK(text.find("Jane Q. Private") == std::string::npos);
      }
      for (const IngestRow& row : batch->rows) {
        CHECK((row.customer_pseudonym.empty() ||
               row.customer_pseudonym.size() == kPseudonymHexChars));
      }
    }
  }
}

// ---- robustness ---------------------------------------------------------------------------------

namespace {

/// Parses arbitrary bytes both ways and checks the outcome is a clean batch or a clean error.
void check_clean(const std::string& content) {
  for (const bool skip : {false, true}) {
    const Result<IngestBatch> batch =
        parse_ingest("fuzz.csv", content, std::nullopt, skip, test_pseudonymizer());
    if (!batch.is_ok()) {
      CHECK(batch.status().code() == ErrorCode::kInvalidArgument);
      CHECK(batch.status().message().rfind("fuzz.csv:", 0) == 0);
      CHECK(batch.status().message().find('\n') == std::string::npos);
      continue;
    }
    if (!skip) CHECK(batch->skipped.empty());
    for (const IngestRow& row : batch->rows) {
      CHECK(std::isfinite(row.qty));
      CHECK(std::isfinite(row.unit_price));
      CHECK(row.unit_price >= 0.0);
      CHECK(row.discount >= 0.0);
      CHECK(row.discount <= 1.0);
      CHECK(!row.product_code.empty());
      CHECK(!row.store_code.empty());
      CHECK(
          (row.customer_pseudonym.empty() || row.customer_pseudonym.size() == kPseudonymHexChars));
    }
    for (const RowError& error : batch->skipped) {
      CHECK(error.line >= 2);
      CHECK(error.message.find('\n') == std::string::npos);
    }
  }
}

}  // namespace

TEST_CASE("fuzz: truncations, mutations and random bytes never crash") {
  std::mt19937 rng(20240304u);
  const std::vector<std::string> seeds = {
      read_fixture("odoo_sale_order_line.csv"), read_fixture("odoo_pos_order_line.csv"),
      read_fixture("canonical.csv"), read_fixture("mixed_bad_rows.csv")};
  SUBCASE("every truncation") {
    for (const std::string& seed : seeds) {
      for (size_t n = 0; n <= seed.size(); ++n) check_clean(seed.substr(0, n));
    }
  }
  SUBCASE("random mutations") {
    const char kSpecial[] = {'"', ',', '\n', '\r', '\0', '\xFF', '\xC3', '[', ']', '-', 'e', '.'};
    for (int i = 0; i < 3000; ++i) {
      std::string text = seeds[static_cast<size_t>(i) % seeds.size()];
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !text.empty(); ++e) {
        const size_t at = rng() % text.size();
        const char c =
            (rng() % 2 == 0) ? kSpecial[rng() % sizeof kSpecial] : static_cast<char>(rng() % 256);
        switch (rng() % 3) {
          case 0:
            text[at] = c;
            break;
          case 1:
            text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
            break;
          default:
            text.erase(at, 1);
            break;
        }
      }
      check_clean(text);
    }
  }
  SUBCASE("random bytes") {
    for (int i = 0; i < 500; ++i) {
      std::string text(rng() % 300, '\0');
      for (char& c : text) c = static_cast<char>(rng() % 256);
      if (i % 2 == 0) text = "date,store,product,qty,unit_price\n" + text;
      check_clean(text);
    }
  }
}
