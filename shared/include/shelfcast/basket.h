#pragma once
// Market-basket analysis: frequent itemsets by FP-growth (Han, Pei & Yin 2000), association rules
// with a one-item consequent (as arules' apriori produces them), a category-level mode and a
// sparse product-affinity table for the promotion models (halo).
//
// Counting conventions follow R's arules (Hahsler, Gruen & Hornik 2005), so the published Groceries
// figures reproduce: support = count / number of transactions, and *every* transaction counts in
// that number, including empty ones (arules keeps a basket with no items as a transaction of
// length 0: it lowers every support but never supports an itemset). Duplicate items inside a basket
// are merged (a basket is a set). Thresholds are inclusive: an itemset is frequent when
// support >= min_support, a rule is kept when confidence >= min_confidence.
//
// Memory is bounded by the FP-tree (at most one node per distinct frequent-item prefix of the
// baskets) plus the output; no item x transaction matrix is built.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "shelfcast/result.h"

namespace shelfcast {

/// Baskets over a dictionary of item names. Item id i names items[i]; ids are assigned in byte
/// order of the names, so sorting ids sorts names.
struct Transactions {
  std::vector<std::string> items;  ///< id -> name, sorted, unique
  std::vector<std::vector<int32_t>>
      baskets;  ///< each basket: sorted unique item ids (may be empty)
};

/// Builds Transactions from baskets of names: duplicates inside a basket merge, empty baskets stay
/// (and count in the total). An empty item name is kInvalidArgument (field "baskets").
Result<Transactions> make_transactions(const std::vector<std::vector<std::string>>& baskets);

/// Builds Transactions from baskets of integer ids (each >= 0); names are the decimal ids.
Result<Transactions> make_transactions(const std::vector<std::vector<int32_t>>& baskets);

/// Replaces every item by its category (e.g. Groceries' level2 or level1) and merges duplicates,
/// for category-level rules. An item without a category is kInvalidArgument (field "mapping").
Result<Transactions> to_categories(const Transactions& transactions,
                                   const std::map<std::string, std::string>& item_to_category);

/// Thresholds of the miner; defaults are arules' apriori defaults (Hahsler et al., arules manual,
/// `APparameter`), so a call without options matches `apriori(trans)` in R.
struct BasketOptions {
  double min_support = 0.1;     ///< arules default `support = 0.1`; inclusive, in [0, 1]
  double min_confidence = 0.8;  ///< arules default `confidence = 0.8`; inclusive, in [0, 1]
  int32_t max_len = 10;         ///< arules default `maxlen = 10`: items per itemset / per rule
  /// arules' default `minlen = 1` also yields rules `{} => {c}` (confidence = support of c).
  bool empty_antecedent = true;
  /// Guard against an explosion at a tiny support: more itemsets is kResourceExhausted.
  int64_t max_itemsets = 20000000;
};

/// One frequent itemset.
struct FrequentItemset {
  std::vector<int32_t> items;  ///< sorted item ids
  int64_t count = 0;           ///< transactions that contain every item
  double support = 0.0;        ///< count / number of transactions
};

/// All frequent itemsets, sorted by size, then by item ids.
struct FrequentItemsets {
  std::vector<std::string> items;         ///< the dictionary of the transactions
  std::vector<FrequentItemset> itemsets;  ///< non-empty itemsets with support >= min_support
  int64_t n_transactions = 0;             ///< the support denominator, empty baskets included
  int64_t min_count = 0;                  ///< the smallest count that met min_support
};

/// Mines every frequent itemset of length 1..max_len with FP-growth.
Result<FrequentItemsets> mine_itemsets(const Transactions& transactions,
                                       const BasketOptions& options = {});

/// An association rule antecedent => {consequent}.
struct AssociationRule {
  std::vector<int32_t> antecedent;  ///< sorted item ids (empty for `{} => {c}`)
  int32_t consequent = 0;           ///< item id
  double support = 0.0;             ///< support of antecedent + consequent
  double confidence = 0.0;          ///< support / support(antecedent)
  double lift = 0.0;                ///< confidence / support(consequent)
  double leverage = 0.0;            ///< support - support(antecedent) * support(consequent)
  /// (1 - support(consequent)) / (1 - confidence); +infinity when confidence = 1.
  double conviction = 0.0;
  int64_t count = 0;  ///< transactions containing antecedent and consequent
};

/// Rules with a one-item consequent from the itemsets (each at most max_len items including the
/// consequent), confidence >= min_confidence; sorted by lift, confidence, support (descending),
/// then antecedent and consequent ids.
Result<std::vector<AssociationRule>> association_rules(const FrequentItemsets& itemsets,
                                                       const BasketOptions& options = {});

/// Itemsets and rules of a set of transactions in one call.
struct BasketAnalysis {
  FrequentItemsets itemsets;
  std::vector<AssociationRule> rules;
};
/// mine_itemsets followed by association_rules.
Result<BasketAnalysis> analyze_baskets(const Transactions& transactions,
                                       const BasketOptions& options = {});

/// Co-purchase strength of two items, in both directions (for halo effects).
struct ItemAffinity {
  int32_t item_a = 0;          ///< smaller id of the pair
  int32_t item_b = 0;          ///< larger id
  int64_t count = 0;           ///< baskets with both
  double support = 0.0;        ///< count / transactions
  double confidence_ab = 0.0;  ///< P(b | a)
  double confidence_ba = 0.0;  ///< P(a | b)
  double lift = 0.0;           ///< support / (support(a) support(b)), symmetric
};

/// The sparse affinity table: every pair of items with support >= min_support, by (item_a,
/// item_b). Built from the FP-tree, so memory is the tree plus the pairs kept.
Result<std::vector<ItemAffinity>> product_affinity(const Transactions& transactions,
                                                   double min_support);

/// A basket analysis as the browser and the server ask for it: baskets of item names, the
/// miner's thresholds, optionally a category per item (rules between categories), and the
/// support threshold of the pair affinity table (< 0: no table).
struct BasketRequest {
  std::vector<std::vector<std::string>> baskets;
  BasketOptions options;
  std::map<std::string, std::string> item_to_category;  ///< empty = product level
  double affinity_min_support = -1.0;
  int32_t max_rules = 1000;  ///< the strongest rules by lift are kept (0 = all)
};

/// A rule with item names.
struct NamedRule {
  std::vector<std::string> antecedent;
  std::string consequent;
  double support = 0.0, confidence = 0.0, lift = 0.0, leverage = 0.0, conviction = 0.0;
  int64_t count = 0;
};

/// A pair's affinity with item names.
struct NamedAffinity {
  std::string item_a, item_b;
  int64_t count = 0;
  double support = 0.0, confidence_ab = 0.0, confidence_ba = 0.0, lift = 0.0;
};

/// What a BasketRequest produces, by name.
struct BasketReport {
  int64_t n_transactions = 0;
  int64_t n_items = 0;
  int64_t n_itemsets = 0;
  int64_t n_rules = 0;           ///< before max_rules
  std::vector<NamedRule> rules;  ///< by lift, strongest first
  std::vector<NamedAffinity> affinity;
};

/// Runs the request (to_categories when a mapping is given, analyze_baskets, product_affinity).
Result<BasketReport> basket_report(const BasketRequest& request);

}  // namespace shelfcast
