#include "store/odoo_store.h"

#include <map>
#include <set>

namespace shelfcast::server {
namespace {

// The id of a row by its unique code; 0 when absent.
Result<int64_t> id_of(Database& db, const char* sql, const std::string& code) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st, db.prepare(sql));
  st.bind(1, code);
  if (st.step()) return st.int64(0);
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return int64_t{0};
}

// A store by code, created when absent (a non-empty name updates an empty stored one).
Result<int64_t> ensure_store(Database& db, const std::string& code, const std::string& name,
                             MasterWriteReport* report) {
  SHELFCAST_ASSIGN_OR_RETURN(int64_t id, id_of(db, "SELECT id FROM stores WHERE code = ?", code));
  if (id != 0) {
    if (!name.empty()) {
      SHELFCAST_ASSIGN_OR_RETURN(
          Statement st, db.prepare("UPDATE stores SET name = ? WHERE id = ? AND name = ''"));
      SHELFCAST_RETURN_IF_ERROR(st.bind(1, name).bind(2, id).run());
    }
    return id;
  }
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare("INSERT INTO stores(code, name) VALUES (?,?)"));
  SHELFCAST_RETURN_IF_ERROR(st.bind(1, code).bind(2, name).run());
  ++report->stores_added;
  return db.last_insert_id();
}

Result<int64_t> ensure_category(Database& db, const std::string& code) {
  if (code.empty()) return int64_t{0};
  SHELFCAST_ASSIGN_OR_RETURN(int64_t id,
                             id_of(db, "SELECT id FROM categories WHERE code = ?", code));
  if (id != 0) return id;
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare("INSERT INTO categories(code, name) VALUES (?,?)"));
  SHELFCAST_RETURN_IF_ERROR(st.bind(1, code).bind(2, code).run());
  return db.last_insert_id();
}

// A product by code: created when absent; otherwise a non-empty name, a category or a positive
// price updates the stored one (the rules of load_dataset).
Result<int64_t> upsert_product(Database& db, const MasterProduct& p, MasterWriteReport* report) {
  SHELFCAST_ASSIGN_OR_RETURN(int64_t category, ensure_category(db, p.category));
  SHELFCAST_ASSIGN_OR_RETURN(int64_t id,
                             id_of(db, "SELECT id FROM products WHERE code = ?", p.code));
  if (id == 0) {
    SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                               db.prepare("INSERT INTO products(code, name, category_id, cost, "
                                          "list_price) VALUES (?,?,?,?,?)"));
    st.bind(1, p.code).bind(2, p.name);
    if (category > 0) {
      st.bind(3, category);
    } else {
      st.bind_null(3);
    }
    st.bind(4, p.cost_per_unit).bind(5, p.list_price_per_unit);
    SHELFCAST_RETURN_IF_ERROR(st.run());
    ++report->products_added;
    return db.last_insert_id();
  }
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("UPDATE products SET name = CASE WHEN ?2 <> '' THEN ?2 ELSE name END, "
                 "category_id = coalesce(?3, category_id), "
                 "cost = CASE WHEN ?4 > 0 THEN ?4 ELSE cost END, "
                 "list_price = CASE WHEN ?5 > 0 THEN ?5 ELSE list_price END WHERE id = ?1"));
  st.bind(1, id).bind(2, p.name);
  if (category > 0) {
    st.bind(3, category);
  } else {
    st.bind_null(3);
  }
  st.bind(4, p.cost_per_unit).bind(5, p.list_price_per_unit);
  SHELFCAST_RETURN_IF_ERROR(st.run());
  return id;
}

Result<int64_t> ensure_product(Database& db, const std::string& code, const std::string& name,
                               MasterWriteReport* report) {
  MasterProduct p;
  p.code = code;
  p.name = name;
  return upsert_product(db, p, report);
}

}  // namespace

Result<int64_t> insert_pull_batch(Database& db, const LoadSource& source, int64_t rows) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare("INSERT INTO ingest_batches(source, format, content_sha256, "
                               "rows_added, rows_rejected, created_at) VALUES (?,?,?,?,?,?)"));
  st.bind(1, source.source).bind(2, source.format).bind(3, source.content_sha256);
  st.bind(4, rows).bind(5, source.rows_rejected).bind(6, utc_now());
  SHELFCAST_RETURN_IF_ERROR(st.run());
  return db.last_insert_id();
}

Result<MasterWriteReport> save_master_products(Database& db,
                                               const std::vector<MasterProduct>& products) {
  MasterWriteReport report;
  for (const MasterProduct& p : products) {
    SHELFCAST_RETURN_IF_ERROR(upsert_product(db, p, &report).status());
    ++report.rows;
  }
  return report;
}

Result<MasterWriteReport> save_stock_levels(Database& db, const std::vector<StockLevel>& levels,
                                            bool full_snapshot) {
  MasterWriteReport report;
  std::set<int64_t> stores_seen;
  std::set<std::pair<int64_t, int64_t>> written;
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement upsert,
      db.prepare("INSERT INTO inventory(store_id, product_id, on_hand) VALUES (?,?,?) "
                 "ON CONFLICT(store_id, product_id) DO UPDATE SET on_hand = excluded.on_hand"));
  for (const StockLevel& l : levels) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t store,
                               ensure_store(db, l.store_code, l.store_name, &report));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t product,
                               ensure_product(db, l.product_code, l.product_name, &report));
    upsert.reset();
    SHELFCAST_RETURN_IF_ERROR(upsert.bind(1, store).bind(2, product).bind(3, l.on_hand).run());
    stores_seen.insert(store);
    written.emplace(store, product);
    ++report.rows;
  }
  if (full_snapshot) {
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement rows,
        db.prepare("SELECT store_id, product_id FROM inventory WHERE on_hand <> 0"));
    std::vector<std::pair<int64_t, int64_t>> stale;
    while (rows.step()) {
      const std::pair<int64_t, int64_t> key{rows.int64(0), rows.int64(1)};
      if (stores_seen.count(key.first) > 0 && written.count(key) == 0) stale.push_back(key);
    }
    SHELFCAST_RETURN_IF_ERROR(rows.status());
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement zero,
        db.prepare("UPDATE inventory SET on_hand = 0 WHERE store_id = ? AND product_id = ?"));
    for (const auto& [store, product] : stale) {
      zero.reset();
      SHELFCAST_RETURN_IF_ERROR(zero.bind(1, store).bind(2, product).run());
      ++report.zeroed;
    }
  }
  return report;
}

Result<MasterWriteReport> save_orderpoints(Database& db, int64_t batch_id,
                                           const std::vector<OrderpointRow>& rows) {
  MasterWriteReport report;
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement upsert,
      db.prepare("INSERT INTO orderpoints(odoo_id, store_id, product_id, min_qty, max_qty, "
                 "qty_multiple, lead_time_days, trigger_mode, batch_id) VALUES "
                 "(?1,?2,?3,?4,?5,?6,?7,?8,?9) ON CONFLICT(odoo_id) DO UPDATE SET store_id = ?2, "
                 "product_id = ?3, min_qty = ?4, max_qty = ?5, qty_multiple = ?6, "
                 "lead_time_days = ?7, trigger_mode = ?8, batch_id = ?9"));
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement lead, db.prepare("UPDATE inventory SET lead_time_mean_days = ? WHERE store_id = ? "
                                 "AND product_id = ?"));
  for (const OrderpointRow& o : rows) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t store,
                               ensure_store(db, o.store_code, o.store_name, &report));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t product,
                               ensure_product(db, o.product_code, o.product_name, &report));
    upsert.reset();
    upsert.bind(1, o.odoo_id).bind(2, store).bind(3, product).bind(4, o.min_qty);
    upsert.bind(5, o.max_qty).bind(6, o.qty_multiple);
    if (o.lead_time_days.has_value()) {
      upsert.bind(7, *o.lead_time_days);
    } else {
      upsert.bind_null(7);
    }
    upsert.bind(8, o.trigger).bind(9, batch_id);
    SHELFCAST_RETURN_IF_ERROR(upsert.run());
    if (o.lead_time_days.has_value()) {
      lead.reset();
      SHELFCAST_RETURN_IF_ERROR(
          lead.bind(1, *o.lead_time_days).bind(2, store).bind(3, product).run());
    }
    ++report.rows;
  }
  return report;
}

Result<MasterWriteReport> save_loyalty_programs(Database& db, int64_t batch_id,
                                                const std::vector<LoyaltyProgramRow>& programs) {
  MasterWriteReport report;
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement promo,
      db.prepare("INSERT INTO promotions(code, mechanic, depth, start_day, end_day) VALUES "
                 "(?1,?2,?3,?4,?5) ON CONFLICT(code) DO UPDATE SET mechanic = ?2, depth = ?3, "
                 "start_day = ?4, end_day = ?5"));
  SHELFCAST_ASSIGN_OR_RETURN(Statement clear,
                             db.prepare("DELETE FROM promotion_items WHERE promotion_id = ?"));
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement item, db.prepare("INSERT INTO promotion_items(promotion_id, product_id, store_id) "
                                 "VALUES (?,?,NULL)"));
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement program,
      db.prepare("INSERT INTO loyalty_programs(odoo_id, name, program_type, date_from, date_to, "
                 "rules_json, rewards_json, promotion_id, note, batch_id) VALUES "
                 "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) ON CONFLICT(odoo_id) DO UPDATE SET name = ?2, "
                 "program_type = ?3, date_from = ?4, date_to = ?5, rules_json = ?6, "
                 "rewards_json = ?7, promotion_id = ?8, note = ?9, batch_id = ?10"));
  for (const LoyaltyProgramRow& p : programs) {
    int64_t promotion_id = 0;
    const std::string code = "ODOO-LOYALTY-" + std::to_string(p.odoo_id);
    if (p.promotion && p.date_from.has_value() && p.date_to.has_value()) {
      promo.reset();
      promo.bind(1, code).bind(2, std::string(to_string(p.mechanic))).bind(3, p.depth);
      promo.bind(4, static_cast<int64_t>(p.date_from->days));
      promo.bind(5, static_cast<int64_t>(p.date_to->days));
      SHELFCAST_RETURN_IF_ERROR(promo.run());
      SHELFCAST_ASSIGN_OR_RETURN(promotion_id,
                                 id_of(db, "SELECT id FROM promotions WHERE code = ?", code));
      clear.reset();
      SHELFCAST_RETURN_IF_ERROR(clear.bind(1, promotion_id).run());
      std::set<int64_t> seen;
      for (const auto& [product_code, product_name] : p.products) {
        SHELFCAST_ASSIGN_OR_RETURN(int64_t product,
                                   ensure_product(db, product_code, product_name, &report));
        if (!seen.insert(product).second) continue;
        item.reset();
        SHELFCAST_RETURN_IF_ERROR(item.bind(1, promotion_id).bind(2, product).run());
      }
    } else {
      // A program that stopped being a promotion loses its promotions row's items.
      SHELFCAST_ASSIGN_OR_RETURN(int64_t old,
                                 id_of(db, "SELECT id FROM promotions WHERE code = ?", code));
      if (old != 0) {
        clear.reset();
        SHELFCAST_RETURN_IF_ERROR(clear.bind(1, old).run());
      }
    }
    program.reset();
    program.bind(1, p.odoo_id).bind(2, p.name).bind(3, p.program_type);
    if (p.date_from.has_value()) {
      program.bind(4, static_cast<int64_t>(p.date_from->days));
    } else {
      program.bind_null(4);
    }
    if (p.date_to.has_value()) {
      program.bind(5, static_cast<int64_t>(p.date_to->days));
    } else {
      program.bind_null(5);
    }
    program.bind(6, p.rules_json).bind(7, p.rewards_json);
    if (promotion_id > 0) {
      program.bind(8, promotion_id);
    } else {
      program.bind_null(8);
    }
    program.bind(9, p.note).bind(10, batch_id);
    SHELFCAST_RETURN_IF_ERROR(program.run());
    ++report.rows;
  }
  return report;
}

}  // namespace shelfcast::server
