#include "ingest/to_dataset.h"

#include <algorithm>
#include <unordered_map>

namespace shelfcast::server {
namespace {

// Index of `key` in `table`, appending a new entry made by `make` when absent.
template <typename T, typename Make>
int32_t intern(std::unordered_map<std::string, int32_t>& index, std::vector<T>& table,
               const std::string& key, Make make) {
  auto it = index.find(key);
  if (it != index.end()) return it->second;
  const auto id = static_cast<int32_t>(table.size());
  table.push_back(make());
  index.emplace(key, id);
  return id;
}

}  // namespace

Dataset to_dataset(const IngestBatch& batch) {
  Dataset data;
  std::unordered_map<std::string, int32_t> stores, products, categories, customers, promotions;
  data.lines.reserve(batch.rows.size());
  for (const IngestRow& row : batch.rows) {
    SalesLine line;
    line.date = row.date;
    line.channel = row.channel;
    line.qty = row.qty;
    line.unit_price = row.unit_price;
    line.discount = row.discount;
    line.order_ref = row.order_ref;
    line.store = intern(stores, data.stores, row.store_code, [&] {
      return Store{row.store_code, row.store_name, ""};
    });
    int32_t category = -1;
    if (!row.category.empty()) {
      category = intern(categories, data.categories, row.category, [&] {
        return Category{row.category, row.category, -1};
      });
    }
    line.product = intern(products, data.products, row.product_code, [&] {
      Product p;
      p.code = row.product_code;
      p.name = row.product_name;
      p.category = category;
      return p;
    });
    Product& product = data.products[static_cast<size_t>(line.product)];
    if (product.name.empty()) product.name = row.product_name;
    if (product.category < 0) product.category = category;
    // The highest undiscounted unit price seen is the best guess of the list price.
    product.list_price_per_unit = std::max(product.list_price_per_unit, row.unit_price);
    if (!row.customer_pseudonym.empty()) {
      line.customer = intern(customers, data.customers, row.customer_pseudonym,
                             [&] { return Customer{row.customer_pseudonym}; });
    }
    if (!row.promotion_code.empty()) {
      line.promotion = intern(promotions, data.promotions, row.promotion_code, [&] {
        Promotion p;
        p.code = row.promotion_code;
        p.start = row.date;
        p.end = row.date;
        return p;
      });
      Promotion& p = data.promotions[static_cast<size_t>(line.promotion)];
      p.start = std::min(p.start, row.date);
      p.end = std::max(p.end, row.date);
      p.depth = std::min(0.95, std::max(p.depth, row.discount));
      if (std::find(p.products.begin(), p.products.end(), line.product) == p.products.end()) {
        p.products.push_back(line.product);
      }
    }
    data.lines.push_back(std::move(line));
  }
  return data;
}

}  // namespace shelfcast::server
