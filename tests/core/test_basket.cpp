// Market-basket analysis: FP-growth against a brute-force counter on a cut of Groceries, rules and
// their measures against direct counts, arules' counting conventions, categories, affinity, and the
// edge cases. Fixtures are compiled in (the WASM test binary has no file system).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "shelfcast/basket.h"

namespace {

using shelfcast::AssociationRule;
using shelfcast::BasketOptions;
using shelfcast::FrequentItemsets;
using shelfcast::Transactions;

const char* const kGroceries20 =
#include "../fixtures/basket/groceries_every20.v1.inc"
    ;
const char* const kItemInfo =
#include "../fixtures/basket/groceries_iteminfo.v1.inc"
    ;

// Pinned from a native run (see the last test case); the WASM run must reproduce them bit for bit.
constexpr size_t kPinnedItemsets = 1327;
constexpr size_t kPinnedRules = 826;
constexpr double kPinnedLiftSum = 0x1.5d0d4d7aed50bp+12;
constexpr double kPinnedLeverageSum = 0x1.29a370fb84127p+2;

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::stringstream in(line);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

std::vector<std::vector<std::string>> groceries_subset() {
  std::vector<std::vector<std::string>> baskets;
  std::stringstream in(kGroceries20);
  std::string line;
  while (std::getline(in, line)) baskets.push_back(split(line, ','));
  return baskets;
}

std::string unquote(const std::string& s) {
  return s.size() >= 2 && s.front() == '"' && s.back() == '"' ? s.substr(1, s.size() - 2) : s;
}

// The independent counter: every subset (size 1..max_len) of each basket's frequent items.
std::map<std::vector<int32_t>, int64_t> brute_force(const Transactions& t, int64_t min_count,
                                                    int32_t max_len) {
  std::vector<int64_t> single(t.items.size(), 0);
  for (const auto& b : t.baskets) {
    for (int32_t i : b) ++single[static_cast<size_t>(i)];
  }
  std::map<std::vector<int32_t>, int64_t> counts;
  for (const auto& b : t.baskets) {
    std::vector<int32_t> items;
    for (int32_t i : b) {
      if (single[static_cast<size_t>(i)] >= min_count) items.push_back(i);
    }
    // Enumerate combinations of size k by index vectors.
    const int32_t n = static_cast<int32_t>(items.size());
    for (int32_t k = 1; k <= std::min(n, max_len); ++k) {
      std::vector<int32_t> idx(static_cast<size_t>(k));
      for (int32_t i = 0; i < k; ++i) idx[static_cast<size_t>(i)] = i;
      while (true) {
        std::vector<int32_t> set;
        for (int32_t i : idx) set.push_back(items[static_cast<size_t>(i)]);
        ++counts[set];
        int32_t pos = k - 1;
        while (pos >= 0 && idx[static_cast<size_t>(pos)] == n - k + pos) --pos;
        if (pos < 0) break;
        ++idx[static_cast<size_t>(pos)];
        for (int32_t i = pos + 1; i < k; ++i) {
          idx[static_cast<size_t>(i)] = idx[static_cast<size_t>(i - 1)] + 1;
        }
      }
    }
  }
  for (auto it = counts.begin(); it != counts.end();) {
    it = it->second >= min_count ? std::next(it) : counts.erase(it);
  }
  return counts;
}

int64_t count_containing(const Transactions& t, const std::vector<int32_t>& items) {
  int64_t c = 0;
  for (const auto& b : t.baskets) {
    if (std::includes(b.begin(), b.end(), items.begin(), items.end())) ++c;
  }
  return c;
}

}  // namespace

TEST_CASE("basket: FP-growth equals a brute-force count on a cut of Groceries") {
  auto t = shelfcast::make_transactions(groceries_subset());
  REQUIRE(t.is_ok());
  REQUIRE(t->baskets.size() == 492);
  struct Row {
    double support;
    int32_t max_len;
  };
  const Row rows[] = {{3.0 / 492.0, 4}, {5.0 / 492.0, 4}, {0.02, 10}, {0.05, 10}, {0.3, 10}};
  for (const Row& row : rows) {
    SUBCASE(("support " + std::to_string(row.support)).c_str()) {
      CAPTURE(row.support);
      CAPTURE(row.max_len);
      BasketOptions options;
      options.min_support = row.support;
      options.max_len = row.max_len;
      auto sets = shelfcast::mine_itemsets(*t, options);
      REQUIRE(sets.is_ok());
      const auto expected = brute_force(*t, sets->min_count, row.max_len);
      CHECK(sets->min_count == static_cast<int64_t>(std::ceil(row.support * 492.0 - 1e-9)));
      REQUIRE(sets->itemsets.size() == expected.size());
      for (const auto& set : sets->itemsets) {
        auto it = expected.find(set.items);
        REQUIRE(it != expected.end());
        CHECK(set.count == it->second);
        CHECK(set.support == doctest::Approx(static_cast<double>(it->second) / 492.0));
      }
    }
  }
}

TEST_CASE("basket: rules and their measures match direct counts") {
  auto t = shelfcast::make_transactions(groceries_subset());
  REQUIRE(t.is_ok());
  BasketOptions options;
  options.min_support = 4.0 / 492.0;
  options.min_confidence = 0.4;
  options.max_len = 4;  // keeps the brute-force recount below fast
  auto analysis = shelfcast::analyze_baskets(*t, options);
  REQUIRE(analysis.is_ok());
  const double n = 492.0;
  // Every rule: recount it from the baskets.
  for (const AssociationRule& r : analysis->rules) {
    std::vector<int32_t> all = r.antecedent;
    all.push_back(r.consequent);
    std::sort(all.begin(), all.end());
    const double both = static_cast<double>(count_containing(*t, all));
    const double ante = static_cast<double>(count_containing(*t, r.antecedent));
    const double cons = static_cast<double>(count_containing(*t, {r.consequent}));
    CAPTURE(r.count);
    CHECK(static_cast<double>(r.count) == both);
    CHECK(r.support == doctest::Approx(both / n));
    CHECK(r.confidence == doctest::Approx(both / ante));
    CHECK(r.confidence >= 0.4);
    CHECK(r.lift == doctest::Approx(both / ante / (cons / n)));
    CHECK(r.leverage == doctest::Approx(both / n - ante / n * cons / n));
    if (both == ante) {
      CHECK(std::isinf(r.conviction));
      CHECK(r.conviction > 0);
    } else {
      CHECK(r.conviction == doctest::Approx((1.0 - cons / n) / (1.0 - both / ante)));
    }
  }
  // And no rule is missing: count candidate rules from the brute-force itemsets.
  const auto sets = brute_force(*t, analysis->itemsets.min_count, options.max_len);
  size_t expected_rules = 0;
  for (const auto& [items, count] : sets) {
    if (items.size() < 2) continue;
    for (size_t c = 0; c < items.size(); ++c) {
      std::vector<int32_t> ante = items;
      ante.erase(ante.begin() + static_cast<std::ptrdiff_t>(c));
      if (static_cast<double>(count) / static_cast<double>(sets.at(ante)) >= 0.4) ++expected_rules;
    }
  }
  size_t with_antecedent = 0;
  for (const AssociationRule& r : analysis->rules) with_antecedent += !r.antecedent.empty();
  CHECK(with_antecedent == expected_rules);
  // Sorted by lift, descending.
  for (size_t i = 1; i < analysis->rules.size(); ++i) {
    CHECK(analysis->rules[i - 1].lift >= analysis->rules[i].lift);
  }
}

TEST_CASE("basket: arules conventions on a hand-made example") {
  // 5 transactions, one of them empty; duplicates inside a basket merge.
  const std::vector<std::vector<std::string>> baskets = {
      {"milk", "bread", "milk"}, {"milk", "bread"}, {"milk"}, {}, {"beer", "bread"}};
  auto t = shelfcast::make_transactions(baskets);
  REQUIRE(t.is_ok());
  CHECK(t->items == std::vector<std::string>{"beer", "bread", "milk"});
  CHECK(t->baskets[0] == std::vector<int32_t>{1, 2});
  CHECK(t->baskets[3].empty());
  BasketOptions options;
  options.min_support = 0.4;  // count >= 2 of 5 (the empty basket counts)
  options.min_confidence = 0.5;
  auto a = shelfcast::analyze_baskets(*t, options);
  REQUIRE(a.is_ok());
  CHECK(a->itemsets.n_transactions == 5);
  CHECK(a->itemsets.min_count == 2);
  REQUIRE(a->itemsets.itemsets.size() == 3);  // {bread} 3, {milk} 3, {bread, milk} 2
  CHECK(a->itemsets.itemsets[0].support == doctest::Approx(0.6));
  CHECK(a->itemsets.itemsets[2].count == 2);
  // Rules: {} => {bread} (0.6), {} => {milk} (0.6), {bread} => {milk}, {milk} => {bread} (2/3).
  REQUIRE(a->rules.size() == 4);
  for (const AssociationRule& r : a->rules) {
    CAPTURE(r.consequent);
    if (r.antecedent.empty()) {
      CHECK(r.confidence == doctest::Approx(0.6));
      CHECK(r.lift == doctest::Approx(1.0));
    } else {
      CHECK(r.confidence == doctest::Approx(2.0 / 3.0));
      CHECK(r.lift == doctest::Approx((2.0 / 3.0) / 0.6));
      CHECK(r.leverage == doctest::Approx(0.4 - 0.36));
      CHECK(r.conviction == doctest::Approx(0.4 / (1.0 / 3.0)));
    }
  }
  options.empty_antecedent = false;
  auto b = shelfcast::analyze_baskets(*t, options);
  REQUIRE(b.is_ok());
  CHECK(b->rules.size() == 2);
  // Inclusive confidence: at exactly 2/3 both rules stay.
  options.min_confidence = 2.0 / 3.0;
  b = shelfcast::analyze_baskets(*t, options);
  REQUIRE(b.is_ok());
  CHECK(b->rules.size() == 2);
  // max_len 1: single items, and only empty-antecedent rules.
  options.max_len = 1;
  options.empty_antecedent = true;
  options.min_confidence = 0.5;
  b = shelfcast::analyze_baskets(*t, options);
  REQUIRE(b.is_ok());
  CHECK(b->itemsets.itemsets.size() == 2);
  CHECK(b->rules.size() == 2);
}

TEST_CASE("basket: conviction is infinite at confidence 1") {
  auto t = shelfcast::make_transactions(
      std::vector<std::vector<std::string>>{{"a", "b"}, {"a", "b"}, {"b"}, {"c"}});
  REQUIRE(t.is_ok());
  BasketOptions options;
  options.min_support = 0.5;
  options.min_confidence = 1.0;
  options.empty_antecedent = false;
  auto a = shelfcast::analyze_baskets(*t, options);
  REQUIRE(a.is_ok());
  REQUIRE(a->rules.size() == 1);  // {a} => {b}
  CHECK(a->rules[0].conviction == std::numeric_limits<double>::infinity());
  CHECK(a->rules[0].lift == doctest::Approx(1.0 / 0.75));
}

TEST_CASE("basket: integer ids and the edge-case table") {
  auto ids = shelfcast::make_transactions(std::vector<std::vector<int32_t>>{{3, 1, 3}, {1}});
  REQUIRE(ids.is_ok());
  CHECK(ids->items == std::vector<std::string>{"1", "3"});
  CHECK(ids->baskets[0] == std::vector<int32_t>{0, 1});

  struct Row {
    const char* name;
    std::vector<std::vector<std::string>> baskets;
    double support;
    double confidence;
    int32_t max_len;
    bool ok;
    size_t itemsets;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Row rows[] = {
      {"no transactions", {}, 0.1, 0.5, 10, false, 0},
      {"only empty baskets", {{}, {}}, 0.1, 0.5, 10, true, 0},
      {"one basket", {{"x", "y"}}, 1.0, 1.0, 10, true, 3},
      {"support 0 = count 1", {{"x"}, {"y"}}, 0.0, 0.5, 10, true, 2},
      {"support above every item", {{"x"}, {"y"}}, 0.9, 0.5, 10, true, 0},
      {"negative support", {{"x"}}, -0.1, 0.5, 10, false, 0},
      {"support above 1", {{"x"}}, 1.5, 0.5, 10, false, 0},
      {"NaN support", {{"x"}}, nan, 0.5, 10, false, 0},
      {"NaN confidence", {{"x"}}, 0.5, nan, 10, false, 0},
      {"max_len 0", {{"x"}}, 0.5, 0.5, 0, false, 0},
      {"empty item name", {{"x", ""}}, 0.5, 0.5, 10, false, 0},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      const std::string name = row.name;
      CAPTURE(name);
      BasketOptions options;
      options.min_support = row.support;
      options.min_confidence = row.confidence;
      options.max_len = row.max_len;
      auto t = shelfcast::make_transactions(row.baskets);
      shelfcast::Result<shelfcast::BasketAnalysis> a = shelfcast::Status();
      a = t.is_ok() ? shelfcast::analyze_baskets(*t, options)
                    : shelfcast::Result<shelfcast::BasketAnalysis>(t.status());
      CHECK(a.is_ok() == row.ok);
      if (a.is_ok()) {
        CHECK(a->itemsets.itemsets.size() == row.itemsets);
      } else {
        CHECK(a.status().code() == shelfcast::ErrorCode::kInvalidArgument);
      }
    }
  }
}

TEST_CASE("basket: the itemset limit is a resource error, not a crash") {
  std::vector<std::vector<std::string>> baskets(3);
  for (int i = 0; i < 16; ++i) {
    for (auto& b : baskets) b.push_back("item" + std::to_string(i));
  }
  auto t = shelfcast::make_transactions(baskets);
  REQUIRE(t.is_ok());
  BasketOptions options;
  options.min_support = 0.5;
  options.max_len = 16;
  options.max_itemsets = 1000;  // 2^16 - 1 itemsets are frequent
  auto sets = shelfcast::mine_itemsets(*t, options);
  REQUIRE_FALSE(sets.is_ok());
  CHECK(sets.status().code() == shelfcast::ErrorCode::kResourceExhausted);
  options.max_itemsets = 100000;
  sets = shelfcast::mine_itemsets(*t, options);
  REQUIRE(sets.is_ok());
  CHECK(sets->itemsets.size() == 65535);
}

TEST_CASE("basket: category-level mining merges items of a category") {
  std::map<std::string, std::string> level2;
  std::stringstream in(kItemInfo);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const std::vector<std::string> f = split(line, ',');
    REQUIRE(f.size() == 3);
    level2[unquote(f[0])] = unquote(f[1]);
  }
  CHECK(level2.size() == 169);
  auto t = shelfcast::make_transactions(groceries_subset());
  REQUIRE(t.is_ok());
  auto c = shelfcast::to_categories(*t, level2);
  REQUIRE(c.is_ok());
  CHECK(c->baskets.size() == t->baskets.size());
  CHECK(c->items.size() < t->items.size());
  for (size_t b = 0; b < t->baskets.size(); ++b) {
    std::vector<std::string> expected;
    for (int32_t i : t->baskets[b]) expected.push_back(level2.at(t->items[static_cast<size_t>(i)]));
    std::sort(expected.begin(), expected.end());
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    std::vector<std::string> got;
    for (int32_t i : c->baskets[b]) got.push_back(c->items[static_cast<size_t>(i)]);
    CHECK(got == expected);
  }
  BasketOptions options;
  options.min_support = 0.02;
  auto sets = shelfcast::mine_itemsets(*c, options);
  REQUIRE(sets.is_ok());
  CHECK(sets->itemsets.size() == brute_force(*c, sets->min_count, 10).size());

  std::map<std::string, std::string> partial = {{"whole milk", "dairy"}};
  auto bad = shelfcast::to_categories(*t, partial);
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().field() == "mapping");
}

TEST_CASE("basket: product affinity lists every frequent pair in both directions") {
  auto t = shelfcast::make_transactions(groceries_subset());
  REQUIRE(t.is_ok());
  auto pairs = shelfcast::product_affinity(*t, 0.01);
  REQUIRE(pairs.is_ok());
  const auto expected = brute_force(*t, 5, 2);  // 0.01 * 492 = 4.92 -> 5
  size_t n_pairs = 0;
  for (const auto& kv : expected) n_pairs += kv.first.size() == 2;
  CHECK(pairs->size() == n_pairs);
  for (const shelfcast::ItemAffinity& p : *pairs) {
    CAPTURE(p.item_a);
    CAPTURE(p.item_b);
    REQUIRE(p.item_a < p.item_b);
    const double a = static_cast<double>(expected.at({p.item_a}));
    const double b = static_cast<double>(expected.at({p.item_b}));
    const double ab = static_cast<double>(expected.at({p.item_a, p.item_b}));
    CHECK(static_cast<double>(p.count) == ab);
    CHECK(p.confidence_ab == doctest::Approx(ab / a));
    CHECK(p.confidence_ba == doctest::Approx(ab / b));
    CHECK(p.lift == doctest::Approx(ab * 492.0 / (a * b)));
  }
  CHECK_FALSE(shelfcast::product_affinity(*t, 2.0).is_ok());
}

TEST_CASE("basket: results are bit-identical on every platform (pinned values)") {
  // The same numbers natively and under node: the WASM run of this test checks the native bits.
  auto t = shelfcast::make_transactions(groceries_subset());
  REQUIRE(t.is_ok());
  BasketOptions options;
  options.min_support = 3.0 / 492.0;
  options.min_confidence = 0.5;
  auto a = shelfcast::analyze_baskets(*t, options);
  REQUIRE(a.is_ok());
  double lift_sum = 0.0, leverage_sum = 0.0;
  for (const AssociationRule& r : a->rules) {
    lift_sum += r.lift;
    leverage_sum += r.leverage;
  }
  CAPTURE(a->itemsets.itemsets.size());
  CAPTURE(a->rules.size());
  std::ostringstream pinned;
  pinned << std::hexfloat << "itemsets=" << a->itemsets.itemsets.size()
         << " rules=" << a->rules.size() << " lift_sum=" << lift_sum
         << " leverage_sum=" << leverage_sum;
  CAPTURE(pinned.str());
  CHECK(a->itemsets.itemsets.size() == kPinnedItemsets);
  CHECK(a->rules.size() == kPinnedRules);
  CHECK(lift_sum == kPinnedLiftSum);
  CHECK(leverage_sum == kPinnedLeverageSum);
}
