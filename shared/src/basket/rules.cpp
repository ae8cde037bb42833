// Transactions (dictionary, duplicate merging, categories), association rules with a one-item
// consequent from frequent itemsets, and the pairwise affinity table.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "basket/internal.h"
#include "shelfcast/basket.h"

namespace shelfcast {
namespace {

// FNV-1a over the ids of an itemset: the key of the support lookup.
struct ItemsHash {
  size_t operator()(const std::vector<int32_t>& items) const {
    uint64_t h = 1469598103934665603ULL;
    for (int32_t item : items) {
      h ^= static_cast<uint32_t>(item);
      h *= 1099511628211ULL;
    }
    return static_cast<size_t>(h);
  }
};

void sort_unique(std::vector<int32_t>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

namespace detail {

Status check_transactions(const Transactions& transactions) {
  if (transactions.baskets.empty()) {
    return invalid_argument("expected at least one transaction", "baskets");
  }
  const auto n_items = static_cast<int32_t>(transactions.items.size());
  for (size_t b = 0; b < transactions.baskets.size(); ++b) {
    const std::vector<int32_t>& basket = transactions.baskets[b];
    for (size_t i = 0; i < basket.size(); ++i) {
      if (basket[i] < 0 || basket[i] >= n_items || (i > 0 && basket[i] <= basket[i - 1])) {
        return invalid_argument("basket " + std::to_string(b + 1) +
                                    ": expected sorted unique item ids below " +
                                    std::to_string(n_items),
                                "baskets");
      }
    }
  }
  return Status::ok();
}

}  // namespace detail

Result<Transactions> make_transactions(const std::vector<std::vector<std::string>>& baskets) {
  Transactions out;
  for (size_t b = 0; b < baskets.size(); ++b) {
    for (const std::string& name : baskets[b]) {
      if (name.empty()) {
        return invalid_argument("basket " + std::to_string(b + 1) + ": empty item name", "baskets");
      }
      out.items.push_back(name);
    }
  }
  std::sort(out.items.begin(), out.items.end());
  out.items.erase(std::unique(out.items.begin(), out.items.end()), out.items.end());
  std::unordered_map<std::string, int32_t> id;
  id.reserve(out.items.size());
  for (size_t i = 0; i < out.items.size(); ++i) id.emplace(out.items[i], static_cast<int32_t>(i));
  out.baskets.resize(baskets.size());
  for (size_t b = 0; b < baskets.size(); ++b) {
    std::vector<int32_t>& basket = out.baskets[b];
    basket.reserve(baskets[b].size());
    for (const std::string& name : baskets[b]) basket.push_back(id.at(name));
    sort_unique(&basket);
  }
  return out;
}

Result<Transactions> make_transactions(const std::vector<std::vector<int32_t>>& baskets) {
  // Ids become names; the dictionary is ordered by name, so remap through the sorted names.
  std::vector<std::vector<std::string>> named(baskets.size());
  for (size_t b = 0; b < baskets.size(); ++b) {
    for (int32_t item : baskets[b]) {
      if (item < 0) {
        return invalid_argument("basket " + std::to_string(b + 1) +
                                    ": expected item ids >= 0, got " + std::to_string(item),
                                "baskets");
      }
      named[b].push_back(std::to_string(item));
    }
  }
  return make_transactions(named);
}

Result<Transactions> to_categories(const Transactions& transactions,
                                   const std::map<std::string, std::string>& item_to_category) {
  std::vector<std::string> category_of(transactions.items.size());
  for (size_t i = 0; i < transactions.items.size(); ++i) {
    auto it = item_to_category.find(transactions.items[i]);
    if (it == item_to_category.end() || it->second.empty()) {
      return invalid_argument("item \"" + transactions.items[i] + "\" has no category", "mapping");
    }
    category_of[i] = it->second;
  }
  Transactions out;
  out.items = category_of;
  std::sort(out.items.begin(), out.items.end());
  out.items.erase(std::unique(out.items.begin(), out.items.end()), out.items.end());
  std::vector<int32_t> remap(transactions.items.size());
  for (size_t i = 0; i < category_of.size(); ++i) {
    remap[i] = static_cast<int32_t>(
        std::lower_bound(out.items.begin(), out.items.end(), category_of[i]) - out.items.begin());
  }
  out.baskets.resize(transactions.baskets.size());
  for (size_t b = 0; b < transactions.baskets.size(); ++b) {
    for (int32_t item : transactions.baskets[b]) {
      if (item < 0 || static_cast<size_t>(item) >= remap.size()) {
        return invalid_argument("basket " + std::to_string(b + 1) + ": unknown item id", "baskets");
      }
      out.baskets[b].push_back(remap[static_cast<size_t>(item)]);
    }
    sort_unique(&out.baskets[b]);
  }
  return out;
}

Result<std::vector<AssociationRule>> association_rules(const FrequentItemsets& itemsets,
                                                       const BasketOptions& options) {
  SHELFCAST_RETURN_IF_ERROR(detail::check_basket_options(options));
  if (itemsets.n_transactions <= 0) {
    return invalid_argument("expected at least one transaction", "n_transactions");
  }
  const double n = static_cast<double>(itemsets.n_transactions);
  std::unordered_map<std::vector<int32_t>, int64_t, ItemsHash> count_of;
  count_of.reserve(itemsets.itemsets.size());
  std::vector<int64_t> single(itemsets.items.size(), 0);
  for (const FrequentItemset& set : itemsets.itemsets) {
    for (size_t i = 0; i < set.items.size(); ++i) {
      if (set.items[i] < 0 || static_cast<size_t>(set.items[i]) >= single.size() ||
          (i > 0 && set.items[i] <= set.items[i - 1]) || set.count <= 0) {
        return invalid_argument(
            "expected itemsets of sorted unique ids of the dictionary with a "
            "positive count",
            "itemsets");
      }
    }
    if (set.items.size() == 1) {
      single[static_cast<size_t>(set.items[0])] = set.count;
    } else if (set.items.size() > 1) {
      count_of.emplace(set.items, set.count);
    }
  }

  std::vector<AssociationRule> rules;
  std::vector<int32_t> antecedent;
  for (const FrequentItemset& set : itemsets.itemsets) {
    const size_t k = set.items.size();
    if (k == 0 || static_cast<int64_t>(k) > options.max_len) continue;
    if (k == 1 && !options.empty_antecedent) continue;
    for (size_t c = 0; c < k; ++c) {
      const int32_t consequent = set.items[c];
      antecedent.clear();
      for (size_t i = 0; i < k; ++i) {
        if (i != c) antecedent.push_back(set.items[i]);
      }
      int64_t antecedent_count = itemsets.n_transactions;
      if (antecedent.size() == 1) {
        antecedent_count = single[static_cast<size_t>(antecedent[0])];
        if (antecedent_count <= 0) {
          return invalid_argument("a single item of an itemset is missing", "itemsets");
        }
      } else if (!antecedent.empty()) {
        auto it = count_of.find(antecedent);
        // Downward closure guarantees the subset is there; a hand-made input may lack it.
        if (it == count_of.end()) {
          return invalid_argument(
              "an itemset's subset is missing: not a closed set of frequent "
              "itemsets",
              "itemsets");
        }
        antecedent_count = it->second;
      }
      const int64_t consequent_count = single[static_cast<size_t>(consequent)];
      if (consequent_count <= 0) {
        return invalid_argument("a single item of an itemset is missing", "itemsets");
      }
      const double support = static_cast<double>(set.count) / n;
      const double confidence =
          static_cast<double>(set.count) / static_cast<double>(antecedent_count);
      if (!(confidence >= options.min_confidence)) continue;
      const double antecedent_support = static_cast<double>(antecedent_count) / n;
      const double consequent_support = static_cast<double>(consequent_count) / n;
      AssociationRule rule;
      rule.antecedent = antecedent;
      rule.consequent = consequent;
      rule.support = support;
      rule.confidence = confidence;
      rule.lift = confidence / consequent_support;
      rule.leverage = support - antecedent_support * consequent_support;
      rule.conviction = set.count == antecedent_count
                            ? std::numeric_limits<double>::infinity()
                            : (1.0 - consequent_support) / (1.0 - confidence);
      rule.count = set.count;
      rules.push_back(std::move(rule));
    }
  }
  std::sort(rules.begin(), rules.end(), [](const AssociationRule& a, const AssociationRule& b) {
    if (a.lift != b.lift) return a.lift > b.lift;
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    if (a.support != b.support) return a.support > b.support;
    if (a.antecedent != b.antecedent) return a.antecedent < b.antecedent;
    return a.consequent < b.consequent;
  });
  return rules;
}

Result<BasketAnalysis> analyze_baskets(const Transactions& transactions,
                                       const BasketOptions& options) {
  BasketAnalysis out;
  SHELFCAST_ASSIGN_OR_RETURN(out.itemsets, mine_itemsets(transactions, options));
  SHELFCAST_ASSIGN_OR_RETURN(out.rules, association_rules(out.itemsets, options));
  return out;
}

Result<std::vector<ItemAffinity>> product_affinity(const Transactions& transactions,
                                                   double min_support) {
  BasketOptions options;
  options.min_support = min_support;
  options.max_len = 2;
  SHELFCAST_ASSIGN_OR_RETURN(FrequentItemsets sets, mine_itemsets(transactions, options));
  std::vector<int64_t> single(transactions.items.size(), 0);
  for (const FrequentItemset& set : sets.itemsets) {
    if (set.items.size() == 1) single[static_cast<size_t>(set.items[0])] = set.count;
  }
  const double n = static_cast<double>(sets.n_transactions);
  std::vector<ItemAffinity> out;
  for (const FrequentItemset& set : sets.itemsets) {
    if (set.items.size() != 2) continue;
    ItemAffinity a;
    a.item_a = set.items[0];
    a.item_b = set.items[1];
    a.count = set.count;
    a.support = static_cast<double>(set.count) / n;
    const double count_a = static_cast<double>(single[static_cast<size_t>(a.item_a)]);
    const double count_b = static_cast<double>(single[static_cast<size_t>(a.item_b)]);
    a.confidence_ab = static_cast<double>(set.count) / count_a;
    a.confidence_ba = static_cast<double>(set.count) / count_b;
    a.lift = static_cast<double>(set.count) * n / (count_a * count_b);
    out.push_back(a);
  }
  return out;
}

}  // namespace shelfcast
