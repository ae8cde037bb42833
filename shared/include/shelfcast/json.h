#pragma once
// The JSON wire format of the canonical types, in one module: the WASM adapter, the server and
// model artifacts all go through here. Decoding never throws; a bad document yields
// kInvalidArgument naming the field path ("lines[3].qty"). NaN is written as null and null reads
// back as NaN where a number may be missing. Invariant: decode<T>(encode(x)) == x.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "shelfcast/basket.h"
#include "shelfcast/forecast.h"
#include "shelfcast/generate.h"
#include "shelfcast/pricing.h"
#include "shelfcast/result.h"
#include "shelfcast/series.h"
#include "shelfcast/types.h"

namespace shelfcast {

using Json = nlohmann::json;

/// Parses text without exceptions; malformed text is kInvalidArgument with the byte offset.
Result<Json> parse_json(std::string_view text);
/// Serializes compactly; invalid UTF-8 in strings is replaced rather than thrown on.
std::string dump_json(const Json& value);

/// Encoders (nlohmann's ADL hooks, so `Json j = product;` works).
void to_json(Json& j, const Date& v);
void to_json(Json& j, const Holiday& v);
void to_json(Json& j, const Store& v);
void to_json(Json& j, const Category& v);
void to_json(Json& j, const Product& v);
void to_json(Json& j, const Customer& v);
void to_json(Json& j, const Promotion& v);
void to_json(Json& j, const SalesLine& v);
void to_json(Json& j, const InventoryPosition& v);
void to_json(Json& j, const Dataset& v);
void to_json(Json& j, const WeeklyPoint& v);
void to_json(Json& j, const RetailRegressors& v);
void to_json(Json& j, const RegressionCoefficient& v);
void to_json(Json& j, const ForecastInput& v);
void to_json(Json& j, const WeeklyForecastRequest& v);
void to_json(Json& j, const ForecastInterval& v);
void to_json(Json& j, const ForecastComponent& v);
void to_json(Json& j, const ForecastResult& v);
void to_json(Json& j, const MarkdownInput& v);
void to_json(Json& j, const MarkdownPlan& v);
/// {"allowed_prices","policy","baselines":{"no_markdown","mid_season_markdown"},
/// "gain_vs_no_markdown","gain_vs_mid_season_markdown"}.
void to_json(Json& j, const MarkdownResult& v);
void to_json(Json& j, const BasketReport& v);
void to_json(Json& j, const Status& v);
void to_json(Json& j, const GeneratorConfig& v);
void to_json(Json& j, const ProductTruth& v);
void to_json(Json& j, const GeneratorTruth& v);

/// Decoders: decode<T>(json) for every type above (except Status and the generator's truth).
template <typename T>
Result<T> decode(const Json& j);

/// Parses then decodes in one step.
template <typename T>
Result<T> decode_text(std::string_view text) {
  Result<Json> parsed = parse_json(text);
  if (!parsed.is_ok()) return parsed.status();
  return decode<T>(*parsed);
}

/// The envelope that crosses the WASM boundary: {"ok":true,"value":…} or
/// {"ok":false,"error":{"code","message","field"}}.
std::string envelope_ok(const Json& value);
std::string envelope_error(const Status& status);

}  // namespace shelfcast
