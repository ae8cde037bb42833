// FP-growth (Han, Pei & Yin 2000, "Mining frequent patterns without candidate generation", SIGMOD):
// one FP-tree of the baskets (frequent items only, in descending order of support), then
// conditional trees per suffix item, recursively. Items inside a tree are re-indexed locally
// (0 = most frequent overall), so a conditional tree costs memory for the items it holds only.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

#include "basket/internal.h"
#include "shelfcast/basket.h"

namespace shelfcast {
namespace {

constexpr int32_t kNone = -1;

struct Node {
  int32_t item = kNone;  // local item index
  int64_t count = 0;
  int32_t parent = kNone;
  int32_t first_child = kNone;
  int32_t next_sibling = kNone;
  int32_t next_link = kNone;  // next node of the same item
};

// An FP-tree over local items 0..k-1; local_to_rank maps them to global ranks (ascending), so
// every root-to-leaf path lists items in ascending local (and global) order.
struct Tree {
  std::vector<Node> nodes;  // nodes[0] is the root
  std::vector<int32_t> head;
  std::vector<int64_t> item_count;
  std::vector<int32_t> local_to_rank;

  // (node, item) -> child for trees over many items: the root and the first levels hold a child
  // for nearly every item, and scanning sibling lists there made inserting a million baskets
  // over 2,000 items take over a minute. Trees over fewer items (Groceries has 169, conditional
  // trees fewer still) keep the sibling scan, which is faster there.
  bool indexed = false;
  std::unordered_map<uint64_t, int32_t> child_index;

  explicit Tree(std::vector<int32_t> ranks) : local_to_rank(std::move(ranks)) {
    nodes.emplace_back();
    head.assign(local_to_rank.size(), kNone);
    item_count.assign(local_to_rank.size(), 0);
    indexed = local_to_rank.size() > 256;
  }

  // Inserts a path of ascending local items with a count.
  void insert(const int32_t* path, size_t length, int64_t count) {
    int32_t at = 0;
    for (size_t i = 0; i < length; ++i) {
      const int32_t item = path[i];
      int32_t child = kNone;
      const uint64_t key = (static_cast<uint64_t>(at) << 32) | static_cast<uint32_t>(item);
      if (indexed) {
        const auto it = child_index.find(key);
        if (it != child_index.end()) child = it->second;
      } else {
        child = nodes[static_cast<size_t>(at)].first_child;
        while (child != kNone && nodes[static_cast<size_t>(child)].item != item) {
          child = nodes[static_cast<size_t>(child)].next_sibling;
        }
      }
      if (child == kNone) {
        Node node;
        node.item = item;
        node.parent = at;
        node.next_sibling = nodes[static_cast<size_t>(at)].first_child;
        node.next_link = head[static_cast<size_t>(item)];
        child = static_cast<int32_t>(nodes.size());
        nodes.push_back(node);
        nodes[static_cast<size_t>(at)].first_child = child;
        head[static_cast<size_t>(item)] = child;
        if (indexed) child_index.emplace(key, child);
      }
      nodes[static_cast<size_t>(child)].count += count;
      item_count[static_cast<size_t>(item)] += count;
      at = child;
    }
  }
};

class Miner {
 public:
  Miner(const std::vector<int32_t>& rank_to_item, int64_t min_count, int32_t max_len,
        int64_t max_itemsets, std::vector<FrequentItemset>* out)
      : rank_to_item_(rank_to_item),
        min_count_(min_count),
        max_len_(max_len),
        max_itemsets_(max_itemsets),
        out_(out) {}

  // Mines `tree` with the current prefix; false when the itemset limit was hit.
  bool mine(const Tree& tree) {
    const size_t k = tree.local_to_rank.size();
    std::vector<int64_t> counts;
    std::vector<int32_t> path, path_items;
    std::vector<size_t> path_ends;
    std::vector<int64_t> path_counts;
    for (size_t j = k; j-- > 0;) {
      const int64_t count = tree.item_count[j];
      if (count < min_count_) continue;
      prefix_.push_back(tree.local_to_rank[j]);
      if (static_cast<int64_t>(out_->size()) >= max_itemsets_) return false;
      emit(count);
      if (static_cast<int32_t>(prefix_.size()) < max_len_ && j > 0) {
        // Conditional pattern base: the prefix paths of every node of item j, walked once and
        // kept (leaf-to-root order) for the conditional tree.
        counts.assign(j, 0);
        path_items.clear();
        path_ends.clear();
        path_counts.clear();
        for (int32_t n = tree.head[j]; n != kNone;
             n = tree.nodes[static_cast<size_t>(n)].next_link) {
          const int64_t c = tree.nodes[static_cast<size_t>(n)].count;
          for (int32_t p = tree.nodes[static_cast<size_t>(n)].parent; p > 0;
               p = tree.nodes[static_cast<size_t>(p)].parent) {
            const int32_t item = tree.nodes[static_cast<size_t>(p)].item;
            counts[static_cast<size_t>(item)] += c;
            path_items.push_back(item);
          }
          path_ends.push_back(path_items.size());
          path_counts.push_back(c);
        }
        std::vector<int32_t> old_to_new(j, kNone);
        std::vector<int32_t> ranks;
        for (size_t i = 0; i < j; ++i) {
          if (counts[i] >= min_count_) {
            old_to_new[i] = static_cast<int32_t>(ranks.size());
            ranks.push_back(tree.local_to_rank[i]);
          }
        }
        if (!ranks.empty()) {
          Tree conditional(std::move(ranks));
          conditional.nodes.reserve(path_items.size() + 1);
          size_t begin = 0;
          for (size_t q = 0; q < path_ends.size(); ++q) {
            path.clear();
            for (size_t e = path_ends[q]; e-- > begin;) {  // root-to-leaf
              const int32_t mapped = old_to_new[static_cast<size_t>(path_items[e])];
              if (mapped != kNone) path.push_back(mapped);
            }
            begin = path_ends[q];
            conditional.insert(path.data(), path.size(), path_counts[q]);
          }
          if (!mine(conditional)) return false;
        }
      }
      prefix_.pop_back();
    }
    return true;
  }

 private:
  void emit(int64_t count) {
    FrequentItemset set;
    set.items.reserve(prefix_.size());
    for (int32_t rank : prefix_) set.items.push_back(rank_to_item_[static_cast<size_t>(rank)]);
    std::sort(set.items.begin(), set.items.end());
    set.count = count;
    out_->push_back(std::move(set));
  }

  const std::vector<int32_t>& rank_to_item_;
  int64_t min_count_;
  int32_t max_len_;
  int64_t max_itemsets_;
  std::vector<FrequentItemset>* out_;
  std::vector<int32_t> prefix_;
};

}  // namespace

namespace detail {

Status check_basket_options(const BasketOptions& options) {
  if (!(options.min_support >= 0.0 && options.min_support <= 1.0)) {
    return invalid_argument(
        "expected min_support in [0, 1], got " + detail::format_number(options.min_support),
        "min_support");
  }
  if (!(options.min_confidence >= 0.0 && options.min_confidence <= 1.0)) {
    return invalid_argument(
        "expected min_confidence in [0, 1], got " + detail::format_number(options.min_confidence),
        "min_confidence");
  }
  if (options.max_len < 1) {
    return invalid_argument("expected max_len >= 1, got " + std::to_string(options.max_len),
                            "max_len");
  }
  if (options.max_itemsets < 1) {
    return invalid_argument("expected max_itemsets >= 1", "max_itemsets");
  }
  return Status::ok();
}

int64_t min_count_for(double min_support, int64_t n_transactions) {
  const double n = static_cast<double>(n_transactions);
  int64_t c = static_cast<int64_t>(std::ceil(min_support * n));
  // The smallest count whose support (computed as count / n, as arules does) meets the threshold.
  while (c > 0 && static_cast<double>(c - 1) / n >= min_support) --c;
  while (static_cast<double>(c) / n < min_support) ++c;
  return std::max<int64_t>(c, 1);
}

}  // namespace detail

Result<FrequentItemsets> mine_itemsets(const Transactions& transactions,
                                       const BasketOptions& options) {
  SHELFCAST_RETURN_IF_ERROR(detail::check_basket_options(options));
  SHELFCAST_RETURN_IF_ERROR(detail::check_transactions(transactions));
  FrequentItemsets out;
  out.items = transactions.items;
  out.n_transactions = static_cast<int64_t>(transactions.baskets.size());
  out.min_count = detail::min_count_for(options.min_support, out.n_transactions);

  // Item supports, then ranks: frequent items by descending count (ties by id).
  const size_t n_items = transactions.items.size();
  std::vector<int64_t> item_count(n_items, 0);
  for (const std::vector<int32_t>& basket : transactions.baskets) {
    for (int32_t item : basket) ++item_count[static_cast<size_t>(item)];
  }
  std::vector<int32_t> rank_to_item;
  for (size_t i = 0; i < n_items; ++i) {
    if (item_count[i] >= out.min_count) rank_to_item.push_back(static_cast<int32_t>(i));
  }
  std::stable_sort(rank_to_item.begin(), rank_to_item.end(), [&](int32_t a, int32_t b) {
    return item_count[static_cast<size_t>(a)] > item_count[static_cast<size_t>(b)];
  });
  std::vector<int32_t> item_to_rank(n_items, kNone);
  for (size_t r = 0; r < rank_to_item.size(); ++r) {
    item_to_rank[static_cast<size_t>(rank_to_item[r])] = static_cast<int32_t>(r);
  }

  Tree tree(std::vector<int32_t>(rank_to_item.size()));
  std::iota(tree.local_to_rank.begin(), tree.local_to_rank.end(), 0);
  std::vector<int32_t> path;
  for (const std::vector<int32_t>& basket : transactions.baskets) {
    path.clear();
    for (int32_t item : basket) {
      const int32_t rank = item_to_rank[static_cast<size_t>(item)];
      if (rank != kNone) path.push_back(rank);
    }
    std::sort(path.begin(), path.end());
    tree.insert(path.data(), path.size(), 1);
  }

  Miner miner(rank_to_item, out.min_count, options.max_len, options.max_itemsets, &out.itemsets);
  if (!miner.mine(tree)) {
    return Status(ErrorCode::kResourceExhausted,
                  "more than " + std::to_string(options.max_itemsets) +
                      " frequent itemsets: raise min_support or lower max_len",
                  "min_support");
  }
  const double n = static_cast<double>(out.n_transactions);
  for (FrequentItemset& set : out.itemsets) set.support = static_cast<double>(set.count) / n;
  std::sort(out.itemsets.begin(), out.itemsets.end(),
            [](const FrequentItemset& a, const FrequentItemset& b) {
              if (a.items.size() != b.items.size()) return a.items.size() < b.items.size();
              return a.items < b.items;
            });
  return out;
}

}  // namespace shelfcast
