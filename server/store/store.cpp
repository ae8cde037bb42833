#include "store/store.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>
#include <unordered_map>

#include "auth/tokens.h"
#include "shelfcast/json.h"

namespace shelfcast::server {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

// Looks up the id of a row by its unique text key; 0 when absent.
Result<int64_t> id_by_key(Database& db, const char* sql, const std::string& key) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st, db.prepare(sql));
  st.bind(1, key);
  if (st.step()) return st.int64(0);
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return int64_t{0};
}

Status check_index(int32_t index, size_t size, bool optional, const std::string& what, size_t row) {
  if ((optional && index == -1) || (index >= 0 && static_cast<size_t>(index) < size)) {
    return Status::ok();
  }
  return invalid_argument("line " + std::to_string(row) + ": " + what + " index " +
                              std::to_string(index) + " is out of range",
                          what);
}

Status validate(const Dataset& data) {
  for (size_t i = 0; i < data.lines.size(); ++i) {
    const SalesLine& l = data.lines[i];
    SHELFCAST_RETURN_IF_ERROR(check_index(l.store, data.stores.size(), false, "store", i));
    SHELFCAST_RETURN_IF_ERROR(check_index(l.product, data.products.size(), false, "product", i));
    SHELFCAST_RETURN_IF_ERROR(check_index(l.customer, data.customers.size(), true, "customer", i));
    SHELFCAST_RETURN_IF_ERROR(
        check_index(l.promotion, data.promotions.size(), true, "promotion", i));
  }
  for (size_t i = 0; i < data.inventory.size(); ++i) {
    const InventoryPosition& p = data.inventory[i];
    SHELFCAST_RETURN_IF_ERROR(check_index(p.store, data.stores.size(), false, "store", i));
    SHELFCAST_RETURN_IF_ERROR(check_index(p.product, data.products.size(), false, "product", i));
  }
  for (const Category& c : data.categories) {
    SHELFCAST_RETURN_IF_ERROR(check_index(c.parent, data.categories.size(), true, "parent", 0));
  }
  for (const Product& p : data.products) {
    SHELFCAST_RETURN_IF_ERROR(check_index(p.category, data.categories.size(), true, "category", 0));
  }
  return Status::ok();
}

}  // namespace

Result<LoadReport> load_dataset(Database& db, const Dataset& data, const LoadSource& source) {
  SHELFCAST_RETURN_IF_ERROR(validate(data));
  // Every id written below comes from a lookup or insert in this transaction, and validate()
  // checked every index, so per-row foreign-key probes (five per sales line) only cost time.
  SHELFCAST_RETURN_IF_ERROR(db.exec("PRAGMA foreign_keys = OFF"));
  struct RestoreForeignKeys {
    Database& db;
    ~RestoreForeignKeys() { db.exec("PRAGMA foreign_keys = ON"); }
  } restore{db};
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  LoadReport report;
  const std::string now = utc_now();
  {
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement st, db.prepare("INSERT INTO ingest_batches(source, format, content_sha256, "
                                 "rows_added, rows_rejected, created_at) VALUES (?,?,?,?,?,?)"));
    st.bind(1, source.source).bind(2, source.format).bind(3, source.content_sha256);
    st.bind(4, static_cast<int64_t>(data.lines.size())).bind(5, source.rows_rejected).bind(6, now);
    SHELFCAST_RETURN_IF_ERROR(st.run());
    report.batch_id = db.last_insert_id();
  }

  // Stores.
  std::vector<int64_t> store_ids(data.stores.size());
  {
    SHELFCAST_ASSIGN_OR_RETURN(Statement ins,
                               db.prepare("INSERT INTO stores(code, name, region) VALUES (?,?,?)"));
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement upd, db.prepare("UPDATE stores SET name = CASE WHEN ?2 <> '' THEN ?2 ELSE name "
                                  "END, region = CASE WHEN ?3 <> '' THEN ?3 ELSE region END "
                                  "WHERE id = ?1"));
    for (size_t i = 0; i < data.stores.size(); ++i) {
      const Store& s = data.stores[i];
      SHELFCAST_ASSIGN_OR_RETURN(int64_t id,
                                 id_by_key(db, "SELECT id FROM stores WHERE code = ?", s.code));
      if (id == 0) {
        ins.reset();
        SHELFCAST_RETURN_IF_ERROR(ins.bind(1, s.code).bind(2, s.name).bind(3, s.region).run());
        id = db.last_insert_id();
        ++report.stores_added;
      } else {
        upd.reset();
        SHELFCAST_RETURN_IF_ERROR(upd.bind(1, id).bind(2, s.name).bind(3, s.region).run());
      }
      store_ids[i] = id;
    }
  }

  // Categories (parents resolved after all exist).
  std::vector<int64_t> category_ids(data.categories.size());
  {
    SHELFCAST_ASSIGN_OR_RETURN(Statement ins,
                               db.prepare("INSERT INTO categories(code, name) VALUES (?,?)"));
    SHELFCAST_ASSIGN_OR_RETURN(Statement parent,
                               db.prepare("UPDATE categories SET parent_id = ? WHERE id = ?"));
    for (size_t i = 0; i < data.categories.size(); ++i) {
      const Category& c = data.categories[i];
      SHELFCAST_ASSIGN_OR_RETURN(int64_t id,
                                 id_by_key(db, "SELECT id FROM categories WHERE code = ?", c.code));
      if (id == 0) {
        ins.reset();
        SHELFCAST_RETURN_IF_ERROR(ins.bind(1, c.code).bind(2, c.name).run());
        id = db.last_insert_id();
      }
      category_ids[i] = id;
    }
    for (size_t i = 0; i < data.categories.size(); ++i) {
      const int32_t p = data.categories[i].parent;
      if (p < 0) continue;
      parent.reset();
      SHELFCAST_RETURN_IF_ERROR(
          parent.bind(1, category_ids[static_cast<size_t>(p)]).bind(2, category_ids[i]).run());
    }
  }

  // Products.
  std::vector<int64_t> product_ids(data.products.size());
  {
    SHELFCAST_ASSIGN_OR_RETURN(Statement ins,
                               db.prepare("INSERT INTO products(code, name, category_id, cost, "
                                          "list_price) VALUES (?,?,?,?,?)"));
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement upd,
        db.prepare("UPDATE products SET name = CASE WHEN ?2 <> '' THEN ?2 ELSE name END, "
                   "category_id = coalesce(?3, category_id), "
                   "cost = CASE WHEN ?4 > 0 THEN ?4 ELSE cost END, "
                   "list_price = CASE WHEN ?5 > 0 THEN ?5 ELSE list_price END WHERE id = ?1"));
    for (size_t i = 0; i < data.products.size(); ++i) {
      const Product& p = data.products[i];
      SHELFCAST_ASSIGN_OR_RETURN(int64_t id,
                                 id_by_key(db, "SELECT id FROM products WHERE code = ?", p.code));
      Statement& st = id == 0 ? ins : upd;
      st.reset();
      if (id == 0) {
        st.bind(1, p.code);
      } else {
        st.bind(1, id);
      }
      st.bind(2, p.name);
      if (p.category >= 0)
        st.bind(3, category_ids[static_cast<size_t>(p.category)]);
      else
        st.bind_null(3);
      st.bind(4, p.cost_per_unit).bind(5, p.list_price_per_unit);
      SHELFCAST_RETURN_IF_ERROR(st.run());
      if (id == 0) {
        id = db.last_insert_id();
        ++report.products_added;
      }
      product_ids[i] = id;
    }
  }

  // Customers: pseudonyms only.
  std::vector<int64_t> customer_ids(data.customers.size());
  {
    SHELFCAST_ASSIGN_OR_RETURN(Statement ins,
                               db.prepare("INSERT INTO customers(pseudonym) VALUES (?)"));
    for (size_t i = 0; i < data.customers.size(); ++i) {
      SHELFCAST_ASSIGN_OR_RETURN(int64_t id,
                                 id_by_key(db, "SELECT id FROM customers WHERE pseudonym = ?",
                                           data.customers[i].pseudonym));
      if (id == 0) {
        ins.reset();
        SHELFCAST_RETURN_IF_ERROR(ins.bind(1, data.customers[i].pseudonym).run());
        id = db.last_insert_id();
        ++report.customers_added;
      }
      customer_ids[i] = id;
    }
  }

  // Promotions: replaced whole by code.
  std::vector<int64_t> promotion_ids(data.promotions.size());
  {
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement ins, db.prepare("INSERT INTO promotions(code, mechanic, depth, start_day, "
                                  "end_day, feature, display, target_segment) VALUES "
                                  "(?1,?2,?3,?4,?5,?6,?7,?8) ON CONFLICT(code) DO UPDATE SET "
                                  "mechanic=?2, depth=?3, start_day=?4, end_day=?5, feature=?6, "
                                  "display=?7, target_segment=?8"));
    SHELFCAST_ASSIGN_OR_RETURN(Statement clear,
                               db.prepare("DELETE FROM promotion_items WHERE promotion_id = ?"));
    SHELFCAST_ASSIGN_OR_RETURN(Statement item,
                               db.prepare("INSERT INTO promotion_items(promotion_id, product_id, "
                                          "store_id) VALUES (?,?,?)"));
    for (size_t i = 0; i < data.promotions.size(); ++i) {
      const Promotion& p = data.promotions[i];
      ins.reset();
      ins.bind(1, p.code).bind(2, std::string(to_string(p.mechanic))).bind(3, p.depth);
      ins.bind(4, static_cast<int64_t>(p.start.days)).bind(5, static_cast<int64_t>(p.end.days));
      ins.bind(6, p.feature ? 1 : 0).bind(7, p.display ? 1 : 0).bind(8, p.target_segment);
      SHELFCAST_RETURN_IF_ERROR(ins.run());
      SHELFCAST_ASSIGN_OR_RETURN(int64_t id,
                                 id_by_key(db, "SELECT id FROM promotions WHERE code = ?", p.code));
      promotion_ids[i] = id;
      clear.reset();
      SHELFCAST_RETURN_IF_ERROR(clear.bind(1, id).run());
      for (int32_t prod : p.products) {
        if (prod < 0 || static_cast<size_t>(prod) >= product_ids.size()) {
          return invalid_argument("promotion " + p.code + " names product index " +
                                      std::to_string(prod) + ", which does not exist",
                                  "products");
        }
        if (p.stores.empty()) {
          item.reset();
          item.bind(1, id).bind(2, product_ids[static_cast<size_t>(prod)]).bind_null(3);
          SHELFCAST_RETURN_IF_ERROR(item.run());
        }
        for (int32_t s : p.stores) {
          if (s < 0 || static_cast<size_t>(s) >= store_ids.size()) {
            return invalid_argument("promotion " + p.code + " names store index " +
                                        std::to_string(s) + ", which does not exist",
                                    "stores");
          }
          item.reset();
          item.bind(1, id).bind(2, product_ids[static_cast<size_t>(prod)]);
          item.bind(3, store_ids[static_cast<size_t>(s)]);
          SHELFCAST_RETURN_IF_ERROR(item.run());
        }
      }
    }
  }

  {
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement st, db.prepare("INSERT OR IGNORE INTO holidays(day, name) VALUES (?,?)"));
    for (const Holiday& h : data.holidays) {
      st.reset();
      SHELFCAST_RETURN_IF_ERROR(
          st.bind(1, static_cast<int64_t>(h.date.days)).bind(2, h.name).run());
    }
  }

  // Lines, and the running totals and date range they change.
  std::unordered_map<int64_t, double> units_by_product;
  int64_t min_day = INT64_MAX, max_day = INT64_MIN;
  {
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement st, db.prepare("INSERT INTO sales_lines(batch_id, day, store_id, product_id, "
                                 "customer_id, promotion_id, channel, qty, unit_price, discount, "
                                 "order_ref) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    // Insert in (product, store, day) order: rowids and the series index then grow in step, so a
    // bulk load appends instead of scattering B-tree writes, and a series reads contiguous pages.
    std::vector<size_t> order(data.lines.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const SalesLine& x = data.lines[a];
      const SalesLine& y = data.lines[b];
      if (x.product != y.product) return x.product < y.product;
      if (x.store != y.store) return x.store < y.store;
      return x.date < y.date;
    });
    for (size_t i : order) {
      const SalesLine& l = data.lines[i];
      st.reset();
      const int64_t product_id = product_ids[static_cast<size_t>(l.product)];
      st.bind(1, report.batch_id).bind(2, static_cast<int64_t>(l.date.days));
      st.bind(3, store_ids[static_cast<size_t>(l.store)]).bind(4, product_id);
      if (l.customer >= 0)
        st.bind(5, customer_ids[static_cast<size_t>(l.customer)]);
      else
        st.bind_null(5);
      if (l.promotion >= 0)
        st.bind(6, promotion_ids[static_cast<size_t>(l.promotion)]);
      else
        st.bind_null(6);
      st.bind(7, std::string(to_string(l.channel))).bind(8, l.qty).bind(9, l.unit_price);
      st.bind(10, l.discount).bind(11, l.order_ref);
      SHELFCAST_RETURN_IF_ERROR(st.run());
      units_by_product[product_id] += l.qty;
      min_day = std::min<int64_t>(min_day, l.date.days);
      max_day = std::max<int64_t>(max_day, l.date.days);
    }
    report.lines_added = static_cast<int64_t>(data.lines.size());
  }
  {
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement st, db.prepare("INSERT INTO product_totals(product_id, units) VALUES (?,?) "
                                 "ON CONFLICT(product_id) DO UPDATE SET units = units + "
                                 "excluded.units"));
    for (const auto& [product_id, units] : units_by_product) {
      st.reset();
      SHELFCAST_RETURN_IF_ERROR(st.bind(1, product_id).bind(2, units).run());
    }
  }
  if (!data.lines.empty()) {
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement st,
        db.prepare("INSERT INTO meta(key, value) VALUES ('min_day', ?1), ('max_day', ?2) "
                   "ON CONFLICT(key) DO UPDATE SET value = CASE key "
                   "WHEN 'min_day' THEN min(CAST(value AS INTEGER), ?1) "
                   "ELSE max(CAST(value AS INTEGER), ?2) END"));
    SHELFCAST_RETURN_IF_ERROR(st.bind(1, min_day).bind(2, max_day).run());
  }
  {
    SHELFCAST_ASSIGN_OR_RETURN(
        Statement st, db.prepare("INSERT OR REPLACE INTO inventory(store_id, product_id, on_hand, "
                                 "on_order, lead_time_mean_days, lead_time_sd_days) VALUES "
                                 "(?,?,?,?,?,?)"));
    for (const InventoryPosition& p : data.inventory) {
      st.reset();
      st.bind(1, store_ids[static_cast<size_t>(p.store)]);
      st.bind(2, product_ids[static_cast<size_t>(p.product)]);
      st.bind(3, p.on_hand).bind(4, p.on_order).bind(5, p.lead_time_mean_days);
      st.bind(6, p.lead_time_sd_days);
      SHELFCAST_RETURN_IF_ERROR(st.run());
    }
  }
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return report;
}

Status save_generator_run(Database& db, uint64_t seed, const std::string& config_json,
                          const std::string& truth_json) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare("INSERT INTO generator_runs(seed, config_json, truth_json, "
                                        "created_at) VALUES (?,?,?,?)"));
  st.bind(1, static_cast<int64_t>(seed)).bind(2, config_json).bind(3, truth_json);
  st.bind(4, utc_now());
  return st.run();
}

Result<std::vector<StoreRow>> list_stores(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare("SELECT code, name, region FROM stores ORDER BY code"));
  std::vector<StoreRow> rows;
  while (st.step()) rows.push_back({st.text(0), st.text(1), st.text(2)});
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return rows;
}

Result<std::vector<ProductRow>> list_products(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare("SELECT p.code, p.name, coalesce(c.name, ''), coalesce(p.cost, 0), "
                               "coalesce(p.list_price, 0), coalesce(t.units, 0), "
                               "coalesce(c.code, '') FROM products p "
                               "LEFT JOIN categories c ON c.id = p.category_id "
                               "LEFT JOIN product_totals t ON t.product_id = p.id "
                               "ORDER BY coalesce(t.units, 0) DESC, p.code"));
  std::vector<ProductRow> rows;
  while (st.step()) {
    rows.push_back(
        {st.text(0), st.text(1), st.text(2), st.real(3), st.real(4), st.real(5), st.text(6)});
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return rows;
}

Result<int64_t> count_sales_lines(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st, db.prepare("SELECT count(*) FROM sales_lines"));
  if (!st.step())
    return st.status().is_ok() ? internal_error("count returned no row") : st.status();
  return st.int64(0);
}

Result<std::vector<WeeklyPoint>> weekly_series(Database& db, const std::string& product_code,
                                               const std::string& store_code) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement prod,
      db.prepare("SELECT id, coalesce(list_price, 0) FROM products WHERE code = ?"));
  prod.bind(1, product_code);
  if (!prod.step()) {
    SHELFCAST_RETURN_IF_ERROR(prod.status());
    return Status(ErrorCode::kNotFound, "no product with code \"" + product_code + "\"", "product");
  }
  const int64_t product_id = prod.int64(0);
  const double list_price = prod.real(1);
  SHELFCAST_ASSIGN_OR_RETURN(int64_t store_id,
                             id_by_key(db, "SELECT id FROM stores WHERE code = ?", store_code));
  if (store_id == 0) {
    return Status(ErrorCode::kNotFound, "no store with code \"" + store_code + "\"", "store");
  }
  SHELFCAST_ASSIGN_OR_RETURN(Statement range,
                             db.prepare("SELECT (SELECT value FROM meta WHERE key = 'min_day'), "
                                        "(SELECT value FROM meta WHERE key = 'max_day')"));
  if (!range.step() || range.is_null(0)) {
    SHELFCAST_RETURN_IF_ERROR(range.status());
    return std::vector<WeeklyPoint>{};  // no sales loaded yet
  }
  const Date first{static_cast<int32_t>(range.int64(0))};
  const Date last{static_cast<int32_t>(range.int64(1))};

  SHELFCAST_ASSIGN_OR_RETURN(
      Statement lines_st,
      db.prepare("SELECT l.day, l.qty, l.unit_price, l.discount, l.promotion_id, p.depth, "
                 "p.feature, p.display FROM sales_lines l LEFT JOIN promotions p ON "
                 "p.id = l.promotion_id WHERE l.product_id = ? AND l.store_id = ? ORDER BY l.day"));
  lines_st.bind(1, product_id).bind(2, store_id);
  std::vector<SalesLine> lines;
  std::vector<Promotion> promotions;
  std::map<int64_t, int32_t> promotion_index;
  while (lines_st.step()) {
    SalesLine l;
    l.date = Date{static_cast<int32_t>(lines_st.int64(0))};
    l.qty = lines_st.real(1);
    l.unit_price = lines_st.real(2);
    l.discount = lines_st.real(3);
    if (!lines_st.is_null(4)) {
      const int64_t pid = lines_st.int64(4);
      auto it = promotion_index.find(pid);
      if (it == promotion_index.end()) {
        Promotion p;
        p.depth = lines_st.real(5);
        p.feature = lines_st.int64(6) != 0;
        p.display = lines_st.int64(7) != 0;
        it = promotion_index.emplace(pid, static_cast<int32_t>(promotions.size())).first;
        promotions.push_back(p);
      }
      l.promotion = it->second;
    }
    lines.push_back(l);
  }
  SHELFCAST_RETURN_IF_ERROR(lines_st.status());

  SHELFCAST_ASSIGN_OR_RETURN(Statement hol, db.prepare("SELECT day, name FROM holidays"));
  std::vector<Holiday> holidays;
  while (hol.step()) holidays.push_back({Date{static_cast<int32_t>(hol.int64(0))}, hol.text(1)});
  SHELFCAST_RETURN_IF_ERROR(hol.status());
  std::vector<WeeklyPoint> weeks =
      aggregate_weekly(lines, promotions, holidays, list_price, first, last);
  // Weeks whose lines the retention job purged come from their kept aggregates.
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement agg, db.prepare("SELECT week, units, avg_price, promo_depth, feature, display FROM "
                                "weekly_aggregates WHERE product_id = ? AND store_id = ?"));
  agg.bind(1, product_id).bind(2, store_id);
  while (agg.step()) {
    const int32_t week = static_cast<int32_t>(agg.int64(0));
    if (weeks.empty() || week < weeks.front().week.days) continue;
    const auto i = static_cast<size_t>((week - weeks.front().week.days) / 7);
    if (i >= weeks.size() || weeks[i].week.days != week) continue;
    weeks[i].units = agg.real(1);
    weeks[i].avg_price = agg.real(2);
    weeks[i].promo_depth = agg.real(3);
    weeks[i].feature = agg.int64(4) != 0;
    weeks[i].display = agg.int64(5) != 0;
  }
  SHELFCAST_RETURN_IF_ERROR(agg.status());
  return weeks;
}

Result<std::string> data_hash(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare("SELECT content_sha256 FROM ingest_batches ORDER BY id"));
  std::string all;
  while (st.step()) all += st.text(0) + "\n";
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return sha256_hex(all);
}

Result<int64_t> register_model(Database& db, const RegistryEntry& e) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("INSERT INTO model_registry(job_id, kind, model_version, data_hash, params_json, "
                 "metrics_json, models_json, created_at) VALUES (?,?,?,?,?,?,?,?)"));
  st.bind(1, e.job_id).bind(2, e.kind).bind(3, e.model_version).bind(4, e.data_hash);
  st.bind(5, e.params_json).bind(6, e.metrics_json).bind(7, e.models_json).bind(8, utc_now());
  SHELFCAST_RETURN_IF_ERROR(st.run());
  return db.last_insert_id();
}

Result<std::vector<RegistryEntry>> list_models(Database& db, int64_t limit) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT id, job_id, kind, model_version, data_hash, params_json, metrics_json, "
                 "models_json, created_at FROM model_registry ORDER BY id DESC LIMIT ?"));
  st.bind(1, limit);
  std::vector<RegistryEntry> out;
  while (st.step()) {
    out.push_back({st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5),
                   st.text(6), st.text(7), st.text(8)});
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return out;
}

Status save_weekly_aggregates(Database& db, const SeriesKey& key,
                              const std::vector<WeeklyPoint>& weeks) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("INSERT OR REPLACE INTO weekly_aggregates(product_id, store_id, week, units, "
                 "avg_price, promo_depth, feature, display) VALUES (?,?,?,?,?,?,?,?)"));
  for (const WeeklyPoint& w : weeks) {
    st.reset();
    st.bind(1, key.product_id).bind(2, key.store_id).bind(3, static_cast<int64_t>(w.week.days));
    st.bind(4, w.units).bind(5, w.avg_price).bind(6, w.promo_depth);
    st.bind(7, static_cast<int64_t>(w.feature ? 1 : 0))
        .bind(8, static_cast<int64_t>(w.display ? 1 : 0));
    SHELFCAST_RETURN_IF_ERROR(st.run());
  }
  return Status::ok();
}

Result<int64_t> purge_lines_before(Database& db, Date cutoff) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st, db.prepare("DELETE FROM sales_lines WHERE day < ?"));
  st.bind(1, static_cast<int64_t>(cutoff.days));
  SHELFCAST_RETURN_IF_ERROR(st.run());
  return db.changes();
}

std::string to_string(Role role) {
  switch (role) {
    case Role::kPlanner:
      return "planner";
    case Role::kExecutive:
      return "executive";
    case Role::kApprover:
      return "approver";
    case Role::kAdmin:
      return "admin";
    case Role::kBatch:
      return "batch";
  }
  return "planner";
}

Result<Role> parse_role(const std::string& text) {
  for (Role r : {Role::kPlanner, Role::kExecutive, Role::kApprover, Role::kAdmin, Role::kBatch}) {
    if (text == to_string(r)) return r;
  }
  return invalid_argument(
      "expected planner, executive, approver, admin or batch, got \"" + text + "\"", "role");
}

Status save_token(Database& db, const std::string& token_sha256_hex, Role role,
                  const std::string& name) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare("INSERT INTO api_tokens(name, role, token_sha256, created_at) "
                               "VALUES (?,?,?,?)"));
  st.bind(1, name).bind(2, to_string(role)).bind(3, token_sha256_hex).bind(4, utc_now());
  return st.run();
}

Result<TokenInfo> find_token(Database& db, const std::string& token_sha256_hex) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare("SELECT id, name, role FROM api_tokens WHERE token_sha256 = ? "
                               "AND revoked_at IS NULL"));
  st.bind(1, token_sha256_hex);
  if (!st.step()) {
    SHELFCAST_RETURN_IF_ERROR(st.status());
    return Status(ErrorCode::kUnauthenticated, "unknown or revoked token");
  }
  SHELFCAST_ASSIGN_OR_RETURN(Role role, parse_role(st.text(2)));
  return TokenInfo{st.int64(0), st.text(1), role};
}

// ---- jobs ---------------------------------------------------------------------------------

namespace {

JobRow read_job(const Statement& st) {
  JobRow j;
  j.id = st.int64(0);
  j.kind = st.text(1);
  j.status = st.text(2);
  j.progress = st.real(3);
  j.items_total = st.int64(4);
  j.items_done = st.int64(5);
  j.params_json = st.text(6);
  j.summary_json = st.text(7);
  j.error = st.text(8);
  j.model_version = st.text(9);
  j.created_by = st.text(10);
  j.created_at = st.text(11);
  j.started_at = st.text(12);
  j.finished_at = st.text(13);
  return j;
}

constexpr const char* kJobColumns =
    "id, kind, status, progress, items_total, items_done, params_json, summary_json, error, "
    "model_version, created_by, created_at, coalesce(started_at, ''), coalesce(finished_at, '')";

}  // namespace

Result<int64_t> create_job(Database& db, const std::string& kind, const std::string& params_json,
                           const std::string& model_version, const std::string& created_by) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare("INSERT INTO jobs(kind, status, params_json, model_version, "
                               "created_by, created_at) VALUES (?, 'queued', ?, ?, ?, ?)"));
  st.bind(1, kind).bind(2, params_json).bind(3, model_version).bind(4, created_by);
  st.bind(5, utc_now());
  SHELFCAST_RETURN_IF_ERROR(st.run());
  return db.last_insert_id();
}

Status update_job_progress(Database& db, int64_t id, int64_t items_done, int64_t items_total) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("UPDATE jobs SET status = 'running', items_done = ?2, items_total = ?3, "
                 "progress = CASE WHEN ?3 > 0 THEN CAST(?2 AS REAL) / ?3 ELSE 0 END, "
                 "started_at = coalesce(started_at, ?4) WHERE id = ?1"));
  st.bind(1, id).bind(2, items_done).bind(3, items_total).bind(4, utc_now());
  return st.run();
}

Status finish_job(Database& db, int64_t id, const std::string& status,
                  const std::string& summary_json, const std::string& error) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("UPDATE jobs SET status = ?2, summary_json = ?3, error = ?4, finished_at = ?5, "
                 "progress = CASE WHEN ?2 = 'done' THEN 1 ELSE progress END, "
                 "started_at = coalesce(started_at, ?5) WHERE id = ?1"));
  st.bind(1, id).bind(2, status).bind(3, summary_json).bind(4, error).bind(5, utc_now());
  return st.run();
}

Result<JobRow> get_job(Database& db, int64_t id) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?"));
  st.bind(1, id);
  if (!st.step()) {
    SHELFCAST_RETURN_IF_ERROR(st.status());
    return Status(ErrorCode::kNotFound, "no job " + std::to_string(id), "id");
  }
  return read_job(st);
}

Result<std::vector<JobRow>> list_jobs(Database& db, int64_t limit) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st, db.prepare(std::string("SELECT ") + kJobColumns +
                                                      " FROM jobs ORDER BY id DESC LIMIT ?"));
  st.bind(1, limit);
  std::vector<JobRow> rows;
  while (st.step()) rows.push_back(read_job(st));
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return rows;
}

Result<std::vector<int64_t>> recover_jobs(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement fail, db.prepare("UPDATE jobs SET status = 'failed', error = 'interrupted: the "
                                 "server stopped while the job ran', finished_at = ? WHERE "
                                 "status = 'running'"));
  fail.bind(1, utc_now());
  SHELFCAST_RETURN_IF_ERROR(fail.run());
  SHELFCAST_ASSIGN_OR_RETURN(Statement queued,
                             db.prepare("SELECT id FROM jobs WHERE status = 'queued' ORDER BY id"));
  std::vector<int64_t> ids;
  while (queued.step()) ids.push_back(queued.int64(0));
  SHELFCAST_RETURN_IF_ERROR(queued.status());
  return ids;
}

Result<std::vector<SeriesKey>> list_series_keys(Database& db,
                                                const std::vector<std::string>& products,
                                                const std::vector<std::string>& stores) {
  // Skip-scan over the (product_id, store_id, day) index: one probe per pair, not per line.
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT p.id, s.id, p.code, s.code, coalesce(c.code, ''), s.region FROM "
                 "products p CROSS JOIN stores s LEFT JOIN categories c ON c.id = p.category_id "
                 "WHERE EXISTS (SELECT 1 FROM sales_lines l WHERE l.product_id = p.id AND "
                 "l.store_id = s.id) OR EXISTS (SELECT 1 FROM weekly_aggregates a WHERE "
                 "a.product_id = p.id AND a.store_id = s.id) ORDER BY p.code, s.code"));
  const std::set<std::string> want_products(products.begin(), products.end());
  const std::set<std::string> want_stores(stores.begin(), stores.end());
  std::vector<SeriesKey> keys;
  while (st.step()) {
    SeriesKey k{st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5)};
    if (!want_products.empty() && !want_products.count(k.product_code)) continue;
    if (!want_stores.empty() && !want_stores.count(k.store_code)) continue;
    keys.push_back(std::move(k));
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return keys;
}

Result<std::map<int64_t, std::string>> store_main_channels(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT store_id, channel, sum(qty) AS units FROM sales_lines "
                 "GROUP BY store_id, channel ORDER BY store_id, units DESC, channel"));
  std::map<int64_t, std::string> channels;
  while (st.step()) channels.emplace(st.int64(0), st.text(1));  // first row = most units
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return channels;
}

namespace {

nlohmann::json intervals_at(const std::vector<ForecastInterval>& intervals, size_t h) {
  nlohmann::json out = nlohmann::json::array();
  for (const ForecastInterval& iv : intervals) {
    out.push_back({{"level", iv.level}, {"lower", iv.lower[h]}, {"upper", iv.upper[h]}});
  }
  return out;
}

}  // namespace

Status save_forecast(Database& db, int64_t job_id, const SeriesKey& key, Date first_week,
                     const ForecastResult& result, const std::vector<double>& base_mean) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare("INSERT INTO forecasts(job_id, product_id, store_id, step, week, "
                               "mean, intervals_json, model, model_version, base_mean, "
                               "components_json) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
  for (size_t h = 0; h < result.mean.size(); ++h) {
    nlohmann::json parts = nlohmann::json::object();
    for (const ForecastComponent& c : result.components) parts[c.name] = c.values[h];
    st.reset();
    st.bind(1, job_id).bind(2, key.product_id).bind(3, key.store_id);
    st.bind(4, static_cast<int64_t>(h + 1));
    st.bind(5, static_cast<int64_t>(first_week.days) + 7 * static_cast<int64_t>(h));
    st.bind(6, result.mean[h]).bind(7, dump_json(intervals_at(result.intervals, h)));
    st.bind(8, result.model).bind(9, result.model_version);
    if (h < base_mean.size())
      st.bind(10, base_mean[h]);
    else
      st.bind_null(10);
    st.bind(11, dump_json(parts));
    SHELFCAST_RETURN_IF_ERROR(st.run());
  }
  return Status::ok();
}

Status save_level_forecast(Database& db, int64_t job_id, const std::string& level,
                           const std::string& node, Date first_week,
                           const std::vector<double>& mean, const std::vector<double>& base_mean,
                           const std::vector<ForecastInterval>& intervals, const std::string& model,
                           const std::string& model_version) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("INSERT INTO level_forecasts(job_id, level, node, step, week, mean, base_mean, "
                 "intervals_json, model, model_version) VALUES (?,?,?,?,?,?,?,?,?,?)"));
  for (size_t h = 0; h < mean.size(); ++h) {
    st.reset();
    st.bind(1, job_id).bind(2, level).bind(3, node).bind(4, static_cast<int64_t>(h + 1));
    st.bind(5, static_cast<int64_t>(first_week.days) + 7 * static_cast<int64_t>(h));
    st.bind(6, mean[h]).bind(7, h < base_mean.size() ? base_mean[h] : mean[h]);
    st.bind(8, dump_json(intervals_at(intervals, h))).bind(9, model).bind(10, model_version);
    SHELFCAST_RETURN_IF_ERROR(st.run());
  }
  return Status::ok();
}

Result<std::vector<LevelForecastRow>> job_level_forecasts(Database& db, int64_t job_id,
                                                          const std::string& level,
                                                          const std::string& node, int64_t limit,
                                                          int64_t offset) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT level, node, step, week, mean, base_mean, intervals_json, model, "
                 "model_version FROM level_forecasts WHERE job_id = ?1 AND (?2 = '' OR level = "
                 "?2) AND (?3 = '' OR node = ?3) ORDER BY rowid LIMIT ?4 OFFSET ?5"));
  st.bind(1, job_id).bind(2, level).bind(3, node).bind(4, limit).bind(5, offset);
  std::vector<LevelForecastRow> rows;
  while (st.step()) {
    LevelForecastRow r;
    r.level = st.text(0);
    r.node = st.text(1);
    r.step = static_cast<int32_t>(st.int64(2));
    r.week = Date{static_cast<int32_t>(st.int64(3))};
    r.mean = st.real(4);
    r.base_mean = st.real(5);
    r.intervals_json = st.text(6);
    r.model = st.text(7);
    r.model_version = st.text(8);
    rows.push_back(std::move(r));
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return rows;
}

Result<InventoryPosition> inventory_position(Database& db, const std::string& product_code,
                                             const std::string& store_code) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT i.on_hand, i.on_order, i.lead_time_mean_days, i.lead_time_sd_days FROM "
                 "inventory i JOIN products p ON p.id = i.product_id JOIN stores s ON s.id = "
                 "i.store_id WHERE p.code = ? AND s.code = ?"));
  st.bind(1, product_code).bind(2, store_code);
  if (!st.step()) {
    SHELFCAST_RETURN_IF_ERROR(st.status());
    return Status(ErrorCode::kNotFound,
                  "no stock position for product " + product_code + " in store " + store_code);
  }
  InventoryPosition p;
  p.on_hand = st.real(0);
  p.on_order = st.real(1);
  p.lead_time_mean_days = st.real(2);
  p.lead_time_sd_days = st.real(3);
  return p;
}

Result<std::vector<CustomerDayRow>> customer_day_rows(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT l.customer_id, l.day, coalesce(c.code, ''), sum(l.qty), "
                 "sum(l.qty * l.unit_price * (1 - l.discount)) FROM sales_lines l "
                 "JOIN products p ON p.id = l.product_id LEFT JOIN categories c ON "
                 "c.id = p.category_id WHERE l.customer_id IS NOT NULL "
                 "GROUP BY l.customer_id, l.day, c.code ORDER BY l.customer_id, l.day"));
  std::vector<CustomerDayRow> rows;
  while (st.step()) {
    rows.push_back(
        {st.int64(0), Date{static_cast<int32_t>(st.int64(1))}, st.text(2), st.real(3), st.real(4)});
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return rows;
}

Result<std::vector<std::vector<std::string>>> loyalty_baskets(Database& db, bool by_category) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare(by_category
                     ? "SELECT l.order_ref, coalesce(c.code, 'none') FROM sales_lines l JOIN "
                       "products p ON p.id = l.product_id LEFT JOIN categories c ON c.id = "
                       "p.category_id WHERE l.order_ref != '' AND l.qty > 0 ORDER BY l.order_ref"
                     : "SELECT l.order_ref, p.code FROM sales_lines l JOIN products p ON p.id = "
                       "l.product_id WHERE l.order_ref != '' AND l.qty > 0 ORDER BY l.order_ref"));
  std::vector<std::vector<std::string>> baskets;
  std::string current;
  while (st.step()) {
    std::string ref = st.text(0);
    if (baskets.empty() || ref != current) {
      baskets.emplace_back();
      current = std::move(ref);
    }
    baskets.back().push_back(st.text(1));
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return baskets;
}

Result<int64_t> save_customer_run(Database& db, const std::string& params_json,
                                  const std::string& summary_json, const std::string& created_by,
                                  const CustomerScoring& scoring) {
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement run, db.prepare("INSERT INTO analytics_runs(kind, params_json, summary_json, "
                                "model_version, created_by, created_at) VALUES "
                                "('customers', ?, ?, ?, ?, ?)"));
  run.bind(1, params_json).bind(2, summary_json).bind(3, core_model_version());
  run.bind(4, created_by).bind(5, utc_now());
  SHELFCAST_RETURN_IF_ERROR(run.run());
  const int64_t id = db.last_insert_id();
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("INSERT INTO customer_scores(run_id, customer_id, frequency, recency, age, "
                 "p_alive, expected_purchases, clv, segment, rfm_segment) VALUES "
                 "(?,?,?,?,?,?,?,?,?,?)"));
  for (const CustomerScore& c : scoring.customers) {
    st.reset();
    st.bind(1, id).bind(2, static_cast<int64_t>(std::stoll(c.customer_id)));
    st.bind(3, static_cast<int64_t>(c.frequency)).bind(4, c.recency).bind(5, c.age);
    st.bind(6, c.p_alive).bind(7, c.expected_purchases);
    if (std::isnan(c.clv))
      st.bind_null(8);
    else
      st.bind(8, c.clv);
    st.bind(9, c.segment).bind(10, c.rfm_segment);
    SHELFCAST_RETURN_IF_ERROR(st.run());
  }
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return id;
}

Result<std::pair<int64_t, std::string>> latest_customer_run(Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare("SELECT id, summary_json FROM analytics_runs WHERE kind = "
                                        "'customers' ORDER BY id DESC LIMIT 1"));
  if (!st.step()) {
    SHELFCAST_RETURN_IF_ERROR(st.status());
    return Status(ErrorCode::kNotFound,
                  "no customer analytics run yet: POST /api/v1/analytics/customers starts one");
  }
  return std::make_pair(st.int64(0), st.text(1));
}

Status save_level_accuracy(Database& db, int64_t job_id, const LevelAccuracyRow& row) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement st,
                             db.prepare("INSERT INTO level_accuracy(job_id, level, kind, nodes, "
                                        "metrics_json) VALUES (?,?,?,?,?)"));
  st.bind(1, job_id).bind(2, row.level).bind(3, row.kind).bind(4, row.nodes);
  st.bind(5, row.metrics_json);
  return st.run();
}

Result<std::vector<LevelAccuracyRow>> job_accuracy(Database& db, int64_t job_id) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare("SELECT level, kind, nodes, metrics_json FROM level_accuracy "
                               "WHERE job_id = ? ORDER BY rowid"));
  st.bind(1, job_id);
  std::vector<LevelAccuracyRow> rows;
  while (st.step()) rows.push_back({st.text(0), st.text(1), st.int64(2), st.text(3)});
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return rows;
}

Result<std::vector<StoredForecast>> job_forecasts(Database& db, int64_t job_id,
                                                  const std::string& product,
                                                  const std::string& store, int64_t limit,
                                                  int64_t offset) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT p.code, s.code, f.step, f.week, f.mean, f.intervals_json, f.model, "
                 "f.model_version, f.base_mean, f.components_json FROM forecasts f JOIN products p "
                 "ON p.id = f.product_id "
                 "JOIN stores s ON s.id = f.store_id WHERE f.job_id = ?1 "
                 "AND (?2 = '' OR p.code = ?2) AND (?3 = '' OR s.code = ?3) "
                 "ORDER BY p.code, s.code, f.step LIMIT ?4 OFFSET ?5"));
  st.bind(1, job_id).bind(2, product).bind(3, store).bind(4, limit).bind(5, offset);
  std::vector<StoredForecast> rows;
  while (st.step()) {
    StoredForecast f;
    f.product = st.text(0);
    f.store = st.text(1);
    f.step = static_cast<int32_t>(st.int64(2));
    f.week = Date{static_cast<int32_t>(st.int64(3))};
    f.mean = st.real(4);
    f.intervals_json = st.text(5);
    f.model = st.text(6);
    f.model_version = st.text(7);
    f.base_mean = st.is_null(8) ? std::nan("") : st.real(8);
    f.components_json = st.text(9);
    rows.push_back(std::move(f));
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return rows;
}

}  // namespace shelfcast::server
