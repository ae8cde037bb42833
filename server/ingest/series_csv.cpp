#include "ingest/series_csv.h"

#include <charconv>
#include <cmath>
#include <unordered_map>

#include "ingest/csv.h"
#include "shelfcast/types.h"

namespace shelfcast::server {
namespace {

const char* const kRegressors[] = {"price", "promo_depth", "feature", "display", "holiday"};

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

bool parse_double(const std::string& text, double* out) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, *out);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

// A sortable key of a period: an integer, or a date as days since 1970.
bool parse_period(const std::string& text, int64_t* key) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *key);
  if (ec == std::errc() && ptr == text.data() + text.size()) return true;
  Result<Date> date = parse_date(text);
  if (!date.is_ok()) return false;
  *key = date->days;
  return true;
}

std::string show(const std::string& value) {
  return "\"" + (value.size() > 40 ? value.substr(0, 40) + "..." : value) + "\"";
}

// The range each driver column must lie in (regression.h): "" when v is fine, else the
// expectation, to which the caller appends the text it read.
std::string driver_range_problem(const std::string& column, double v) {
  if (column == "price" && !(v > 0.0)) return "expected a price > 0, got ";
  if (column == "promo_depth" && !(v >= 0.0 && v < 1.0)) {
    return "expected a fraction off the regular price in [0, 1), got ";
  }
  if ((column == "feature" || column == "display") && !(v >= 0.0 && v <= 1.0)) {
    return "expected 0, 1 or a share of the period in between, got ";
  }
  if (column == "holiday" && !(v >= 0.0)) return "expected 0, 1 or a count of holidays, got ";
  return "";
}

}  // namespace

Result<LongSeriesFile> parse_long_series(std::string_view file_name, std::string_view content) {
  const std::string file(file_name);
  auto error = [&file](int line, const std::string& field, const std::string& message) {
    return invalid_argument(file + ":" + std::to_string(line) + ": " +
                                (field.empty() ? "" : "field '" + field + "': ") + message,
                            field);
  };
  if (utf8_error(content) != std::string_view::npos) {
    return error(1, "", "expected UTF-8 text (is the file in another encoding?)");
  }
  CsvReader reader(content);
  CsvRecord header;
  if (!reader.next(&header)) return error(1, "", "empty file (expected a header row)");
  if (!header.error.empty()) return error(header.line, "", header.error);
  int col_id = -1, col_period = -1, col_value = -1;
  std::vector<int> regressor_cols;
  LongSeriesFile out;
  std::vector<std::string> regressor_names;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name = trim(header.fields[i]);
    bool known = true;
    if (name == "series_id")
      col_id = static_cast<int>(i);
    else if (name == "period")
      col_period = static_cast<int>(i);
    else if (name == "value")
      col_value = static_cast<int>(i);
    else {
      known = false;
      for (const char* r : kRegressors) {
        if (name == r) {
          regressor_cols.push_back(static_cast<int>(i));
          regressor_names.push_back(name);
          known = true;
        }
      }
    }
    if (!known) out.ignored_columns.push_back(name);
  }
  for (const auto& [col, name] : {std::pair<int, const char*>{col_id, "series_id"},
                                  {col_period, "period"},
                                  {col_value, "value"}}) {
    if (col < 0) return error(1, name, "missing required column (expected series_id,period,value)");
  }

  std::unordered_map<std::string, size_t> index;
  std::vector<int64_t> last_period;
  std::vector<int> last_observed_row;  // rows counted per series up to the last observation
  std::vector<int> rows;
  CsvRecord record;
  bool any = false;
  while (reader.next(&record)) {
    any = true;
    if (!record.error.empty()) return error(record.line, "", record.error);
    if (record.fields.size() != header.fields.size()) {
      return error(record.line, "",
                   "expected " + std::to_string(header.fields.size()) + " fields, got " +
                       std::to_string(record.fields.size()));
    }
    const std::string id = trim(record.fields[static_cast<size_t>(col_id)]);
    if (id.empty())
      return error(record.line, "series_id", "expected a series id, got an empty value");
    int64_t period = 0;
    const std::string period_text = trim(record.fields[static_cast<size_t>(col_period)]);
    if (!parse_period(period_text, &period)) {
      return error(record.line, "period",
                   "expected an integer or a date YYYY-MM-DD, got " + show(period_text));
    }
    auto [it, inserted] = index.emplace(id, out.series.size());
    if (inserted) {
      LongSeries s;
      s.id = id;
      s.regressor_names = regressor_names;
      s.regressors.resize(regressor_names.size());
      out.series.push_back(std::move(s));
      last_period.push_back(period);
      last_observed_row.push_back(0);
      rows.push_back(0);
    } else if (period <= last_period[it->second]) {
      return error(record.line, "period",
                   "expected periods to increase within series " + show(id) + ", got " +
                       show(period_text) + " after an equal or later one");
    }
    LongSeries& s = out.series[it->second];
    last_period[it->second] = period;
    const std::string value_text = trim(record.fields[static_cast<size_t>(col_value)]);
    double value = std::nan("");
    if (!value_text.empty() && !parse_double(value_text, &value)) {
      return error(record.line, "value", "expected a number, got " + show(value_text));
    }
    s.values.push_back(value);
    ++rows[it->second];
    if (!value_text.empty()) last_observed_row[it->second] = rows[it->second];
    for (size_t r = 0; r < regressor_cols.size(); ++r) {
      const std::string text = trim(record.fields[static_cast<size_t>(regressor_cols[r])]);
      double v = std::nan("");
      if (!text.empty() && !parse_double(text, &v)) {
        return error(record.line, regressor_names[r], "expected a number, got " + show(text));
      }
      if (!text.empty()) {
        const std::string range = driver_range_problem(regressor_names[r], v);
        if (!range.empty()) return error(record.line, regressor_names[r], range + show(text));
      }
      s.regressors[r].push_back(v);
    }
  }
  if (!any) return error(reader.line(), "", "no data rows after the header");
  for (size_t i = 0; i < out.series.size(); ++i) {
    LongSeries& s = out.series[i];
    const auto observed = static_cast<size_t>(last_observed_row[i]);
    if (observed == 0) {
      return error(1, "value", "series " + show(s.id) + " has no observed value");
    }
    s.future_rows = static_cast<int32_t>(s.values.size() - observed);
    s.values.resize(observed);
  }
  return out;
}

}  // namespace shelfcast::server
