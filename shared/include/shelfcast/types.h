#pragma once
// The canonical data model. Every ingest path (Odoo CSV export, Odoo JSON-RPC, the public data
// sets, the synthetic generator) maps into these types, so every model sees one shape.
//
// Entities refer to each other by index into the Dataset's tables (dense int32 ids), which keeps
// millions of sales lines compact and lets the core run without string lookups. Codes (SKU, store
// code) are the stable external keys; customers exist only as pseudonyms.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shelfcast/result.h"

namespace shelfcast {

// ---- calendar ---------------------------------------------------------------------------------

/// A calendar day, counted in days since 1970-01-01 (proleptic Gregorian, no time zone).
struct Date {
  int32_t days = 0;

  friend bool operator==(Date a, Date b) { return a.days == b.days; }
  friend bool operator!=(Date a, Date b) { return a.days != b.days; }
  friend bool operator<(Date a, Date b) { return a.days < b.days; }
  friend bool operator<=(Date a, Date b) { return a.days <= b.days; }
  friend bool operator>(Date a, Date b) { return a.days > b.days; }
  friend bool operator>=(Date a, Date b) { return a.days >= b.days; }
};

/// The date of a civil year, month (1-12) and day (1-31); no validation (see parse_date).
Date date_from_civil(int year, int month, int day);
/// Year, month and day of a date.
void civil_from_date(Date date, int* year, int* month, int* day);
/// 0 = Monday ... 6 = Sunday (ISO 8601).
int weekday(Date date);
/// The Monday on or before the date: the key of its ISO week.
Date week_start(Date date);
/// 1..366.
int day_of_year(Date date);
/// "YYYY-MM-DD".
std::string format_date(Date date);
/// Parses "YYYY-MM-DD", "YYYYMMDD" or "YYYY-MM-DD HH:MM:SS" (time ignored); rejects impossible
/// dates such as 2023-02-30.
Result<Date> parse_date(std::string_view text);

/// A public holiday or retail event that moves demand.
struct Holiday {
  Date date;
  std::string name;
  friend bool operator==(const Holiday& a, const Holiday& b) {
    return a.date == b.date && a.name == b.name;
  }
};

// ---- master data ------------------------------------------------------------------------------

/// Where a sale happened: a point of sale in a shop, a back-office sales order, or the web shop.
enum class Channel : uint8_t { kPos = 0, kSales = 1, kOnline = 2 };
std::string_view to_string(Channel channel);
Result<Channel> parse_channel(std::string_view text);

/// A shop or warehouse that sells.
struct Store {
  std::string code;  ///< stable external key (Odoo warehouse short name or POS config name)
  std::string name;
  std::string region;  ///< grouping for category x region forecasts
  friend bool operator==(const Store& a, const Store& b) {
    return a.code == b.code && a.name == b.name && a.region == b.region;
  }
};

/// A node of the product category tree; parent is -1 for a root.
struct Category {
  std::string code;
  std::string name;
  int32_t parent = -1;
  friend bool operator==(const Category& a, const Category& b) {
    return a.code == b.code && a.name == b.name && a.parent == b.parent;
  }
};

/// A sellable item (Odoo product.product).
struct Product {
  std::string code;  ///< SKU, Odoo default_code
  std::string name;
  int32_t category = -1;             ///< index into Dataset::categories, -1 when unknown
  double cost_per_unit = 0.0;        ///< standard cost, currency units
  double list_price_per_unit = 0.0;  ///< regular shelf price, currency units
  friend bool operator==(const Product& a, const Product& b) {
    return a.code == b.code && a.name == b.name && a.category == b.category &&
           a.cost_per_unit == b.cost_per_unit && a.list_price_per_unit == b.list_price_per_unit;
  }
};

/// A customer as the core may see one: a keyed pseudonym, never a name, e-mail or raw id.
struct Customer {
  std::string pseudonym;  ///< HMAC-SHA256 of the source id, hex; made at ingest
  friend bool operator==(const Customer& a, const Customer& b) {
    return a.pseudonym == b.pseudonym;
  }
};

// ---- promotions -------------------------------------------------------------------------------

/// How a promotion gives value.
enum class PromoMechanic : uint8_t {
  kPercentOff = 0,  ///< depth = fraction off the regular price
  kPricePoint = 1,  ///< a fixed promotional price; depth = implied fraction off
  kMultiBuy = 2,    ///< e.g. 3 for 2; depth = effective fraction off per unit
  kBogo = 3,        ///< buy one get one free; depth = 0.5 effective
};
std::string_view to_string(PromoMechanic mechanic);
Result<PromoMechanic> parse_promo_mechanic(std::string_view text);

/// A planned or past promotion on some products in some stores.
struct Promotion {
  std::string code;
  PromoMechanic mechanic = PromoMechanic::kPercentOff;
  double depth = 0.0;             ///< effective fraction off the regular price, in [0, 0.95]
  Date start;                     ///< first day, inclusive
  Date end;                       ///< last day, inclusive
  bool feature = false;           ///< in the leaflet / front page
  bool display = false;           ///< end-cap or secondary display
  std::string target_segment;     ///< empty = everyone
  std::vector<int32_t> products;  ///< indexes into Dataset::products
  std::vector<int32_t> stores;    ///< indexes into Dataset::stores; empty = all stores
  friend bool operator==(const Promotion& a, const Promotion& b) {
    return a.code == b.code && a.mechanic == b.mechanic && a.depth == b.depth &&
           a.start == b.start && a.end == b.end && a.feature == b.feature &&
           a.display == b.display && a.target_segment == b.target_segment &&
           a.products == b.products && a.stores == b.stores;
  }
};

// ---- transactions and stock -------------------------------------------------------------------

/// One line of a sale: a product sold on a day in a store through a channel.
/// Anonymous walk-in sales have customer == -1; order_ref groups lines into one basket.
struct SalesLine {
  Date date;
  int32_t store = -1;      ///< index into Dataset::stores
  int32_t product = -1;    ///< index into Dataset::products
  int32_t customer = -1;   ///< index into Dataset::customers, -1 = anonymous
  int32_t promotion = -1;  ///< index into Dataset::promotions, -1 = none
  Channel channel = Channel::kPos;
  double qty = 0.0;         ///< units (negative for returns)
  double unit_price = 0.0;  ///< price per unit before the line discount, currency units
  double discount = 0.0;    ///< line discount as a fraction in [0, 1]
  std::string order_ref;    ///< basket / order key; empty for daily aggregates
  friend bool operator==(const SalesLine& a, const SalesLine& b) {
    return a.date == b.date && a.store == b.store && a.product == b.product &&
           a.customer == b.customer && a.promotion == b.promotion && a.channel == b.channel &&
           a.qty == b.qty && a.unit_price == b.unit_price && a.discount == b.discount &&
           a.order_ref == b.order_ref;
  }
};

/// Stock of one product in one store, and how long replenishment takes.
struct InventoryPosition {
  int32_t store = -1;
  int32_t product = -1;
  double on_hand = 0.0;   ///< units
  double on_order = 0.0;  ///< units already ordered, not yet received
  double lead_time_mean_days = 0.0;
  double lead_time_sd_days = 0.0;
  friend bool operator==(const InventoryPosition& a, const InventoryPosition& b) {
    return a.store == b.store && a.product == b.product && a.on_hand == b.on_hand &&
           a.on_order == b.on_order && a.lead_time_mean_days == b.lead_time_mean_days &&
           a.lead_time_sd_days == b.lead_time_sd_days;
  }
};

/// Everything one ingest or one generator run produces, in one shape.
struct Dataset {
  std::vector<Store> stores;
  std::vector<Category> categories;
  std::vector<Product> products;
  std::vector<Customer> customers;
  std::vector<Promotion> promotions;
  std::vector<Holiday> holidays;
  std::vector<SalesLine> lines;
  std::vector<InventoryPosition> inventory;
};

// ---- series -----------------------------------------------------------------------------------

/// One week of one product in one store, aggregated from sales lines.
struct WeeklyPoint {
  Date week;  ///< Monday of the ISO week
  double units = 0.0;
  double avg_price = 0.0;    ///< revenue / units; the regular price when nothing sold
  double promo_depth = 0.0;  ///< deepest promotion running that week, 0 = none
  bool feature = false;
  bool display = false;
  bool holiday = false;  ///< a holiday falls in the week
  /// The week's holidays in average days: each holiday weighs its weekday's share of the series'
  /// usual weekly units x 7 (one holiday on an average day = 1, on a Saturday that sells twice an
  /// average day's units = 2; two holidays add up). 0 when no holiday falls in the week.
  double holiday_days = 0.0;
  bool complete = true;  ///< all seven days lie inside the data period (edge weeks may not)
  friend bool operator==(const WeeklyPoint& a, const WeeklyPoint& b) {
    return a.week == b.week && a.units == b.units && a.avg_price == b.avg_price &&
           a.promo_depth == b.promo_depth && a.feature == b.feature && a.display == b.display &&
           a.holiday == b.holiday && a.holiday_days == b.holiday_days && a.complete == b.complete;
  }
};

}  // namespace shelfcast
