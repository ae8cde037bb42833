// A basket analysis by item names, for the browser (WASM) and the server's endpoints.

#include <algorithm>
#include <string>
#include <vector>

#include "shelfcast/basket.h"

namespace shelfcast {

Result<BasketReport> basket_report(const BasketRequest& request) {
  if (request.max_rules < 0) {
    return invalid_argument("expected max_rules >= 0 (0 = all)", "max_rules");
  }
  SHELFCAST_ASSIGN_OR_RETURN(Transactions transactions, make_transactions(request.baskets));
  if (!request.item_to_category.empty()) {
    SHELFCAST_ASSIGN_OR_RETURN(transactions, to_categories(transactions, request.item_to_category));
  }
  SHELFCAST_ASSIGN_OR_RETURN(BasketAnalysis analysis,
                             analyze_baskets(transactions, request.options));
  BasketReport report;
  report.n_transactions = analysis.itemsets.n_transactions;
  report.n_items = static_cast<int64_t>(transactions.items.size());
  report.n_itemsets = static_cast<int64_t>(analysis.itemsets.itemsets.size());
  report.n_rules = static_cast<int64_t>(analysis.rules.size());
  std::vector<const AssociationRule*> order;
  for (const AssociationRule& r : analysis.rules) order.push_back(&r);
  std::stable_sort(
      order.begin(), order.end(),
      [](const AssociationRule* a, const AssociationRule* b) { return a->lift > b->lift; });
  if (request.max_rules > 0 && order.size() > static_cast<size_t>(request.max_rules)) {
    order.resize(static_cast<size_t>(request.max_rules));
  }
  const std::vector<std::string>& name = transactions.items;
  for (const AssociationRule* r : order) {
    NamedRule n;
    for (int32_t i : r->antecedent) n.antecedent.push_back(name[static_cast<size_t>(i)]);
    n.consequent = name[static_cast<size_t>(r->consequent)];
    n.support = r->support;
    n.confidence = r->confidence;
    n.lift = r->lift;
    n.leverage = r->leverage;
    n.conviction = r->conviction;
    n.count = r->count;
    report.rules.push_back(std::move(n));
  }
  if (request.affinity_min_support >= 0.0) {
    SHELFCAST_ASSIGN_OR_RETURN(std::vector<ItemAffinity> pairs,
                               product_affinity(transactions, request.affinity_min_support));
    for (const ItemAffinity& p : pairs) {
      report.affinity.push_back({name[static_cast<size_t>(p.item_a)],
                                 name[static_cast<size_t>(p.item_b)], p.count, p.support,
                                 p.confidence_ab, p.confidence_ba, p.lift});
    }
  }
  return report;
}

}  // namespace shelfcast
