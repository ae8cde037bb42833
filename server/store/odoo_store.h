#pragma once
// What `shelfcast odoo pull` writes beside the sales the ingest path loads: the product master,
// stock on hand, reordering rules and loyalty programs (migration 011). Every function writes
// inside the caller's Transaction, so one pull batch (its ingest_batches row, its rows and its
// audit entry) commits or rolls back as one.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shelfcast/result.h"
#include "shelfcast/types.h"
#include "store/db.h"
#include "store/store.h"

namespace shelfcast::server {

/// Inserts the ingest_batches row of a pull batch (`rows` records written); returns its id.
Result<int64_t> insert_pull_batch(Database& db, const LoadSource& source, int64_t rows);

/// A product as Odoo's product.product describes it (codes as the CSV ingest makes them).
struct MasterProduct {
  std::string code;      ///< default_code, else the code of the display name
  std::string name;      ///< display name without its [CODE]
  std::string category;  ///< categ_id display name ("All / Saleable / Office Furniture"), or ""
  double cost_per_unit = 0.0;        ///< standard_price; 0 = unknown, keeps the stored one
  double list_price_per_unit = 0.0;  ///< lst_price; 0 = unknown, keeps the stored one
};

/// What a master-data write added.
struct MasterWriteReport {
  int64_t rows = 0;
  int64_t products_added = 0;
  int64_t stores_added = 0;
  int64_t zeroed = 0;  ///< stock rows set to 0 because the snapshot had no quant for them
};

/// Upserts products (and their categories) by code, as load_dataset does: a non-empty name, a
/// category or a positive price updates the stored one.
Result<MasterWriteReport> save_master_products(Database& db,
                                               const std::vector<MasterProduct>& products);

/// On-hand units of one product in one store (an Odoo warehouse), summed over its internal
/// locations.
struct StockLevel {
  std::string store_code, store_name;
  std::string product_code, product_name;
  double on_hand = 0.0;
};

/// Sets inventory.on_hand of each product-store (on order and lead times are kept; unknown
/// products and stores are created by code). With `full_snapshot`, products of the stores seen
/// that have no level in it are set to 0 (Odoo keeps no quant for an empty shelf).
Result<MasterWriteReport> save_stock_levels(Database& db, const std::vector<StockLevel>& levels,
                                            bool full_snapshot);

/// One stock.warehouse.orderpoint.
struct OrderpointRow {
  int64_t odoo_id = 0;
  std::string store_code, store_name;
  std::string product_code, product_name;
  double min_qty = 0.0, max_qty = 0.0, qty_multiple = 0.0;
  std::optional<double> lead_time_days;  ///< when Odoo gave one
  std::string trigger;
};

/// Upserts orderpoints by Odoo id; a known lead time also becomes the product-store's
/// inventory.lead_time_mean_days when it has a stock row.
Result<MasterWriteReport> save_orderpoints(Database& db, int64_t batch_id,
                                           const std::vector<OrderpointRow>& rows);

/// One loyalty.program, and the promotion it maps to when it is a dated product discount.
struct LoyaltyProgramRow {
  int64_t odoo_id = 0;
  std::string name, program_type;
  std::optional<Date> date_from, date_to;
  std::string rules_json, rewards_json;
  bool promotion = false;  ///< a promotions row is written (code "ODOO-LOYALTY-<id>")
  PromoMechanic mechanic = PromoMechanic::kPercentOff;
  double depth = 0.0;
  std::vector<std::pair<std::string, std::string>> products;  ///< (code, name)
  std::string note;                                           ///< why it is not a promotion
};

/// Upserts programs by Odoo id and their promotions by code (items replaced, every store).
Result<MasterWriteReport> save_loyalty_programs(Database& db, int64_t batch_id,
                                                const std::vector<LoyaltyProgramRow>& programs);

}  // namespace shelfcast::server
