// Building the aggregation structure of a grouped hierarchy from bottom series attributes.

#include "shelfcast/hierarchy.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace shelfcast {
namespace {

bool has_reserved_char(const std::string& text) {
  return text.find('|') != std::string::npos || text.find('=') != std::string::npos;
}

}  // namespace

Result<int32_t> Hierarchy::find(std::string_view name) const {
  for (size_t i = 0; i < node_names.size(); ++i) {
    if (node_names[i] == name) return static_cast<int32_t>(i);
  }
  return not_found("no hierarchy node named '" + std::string(name) + "'");
}

Result<Hierarchy> build_hierarchy(const HierarchySpec& spec) {
  if (spec.bottom.empty()) return invalid_argument("hierarchy has no bottom series", "bottom");
  std::set<std::string> keys;
  for (const BottomSeries& b : spec.bottom) {
    if (b.key.empty()) return invalid_argument("empty bottom series key", "bottom");
    if (!keys.insert(b.key).second) {
      return invalid_argument("duplicate bottom series key '" + b.key + "'", "bottom");
    }
  }
  std::set<std::vector<std::string>> seen_levels;
  for (const std::vector<std::string>& level : spec.levels) {
    std::set<std::string> attrs(level.begin(), level.end());
    if (attrs.size() != level.size()) {
      return invalid_argument("a level names an attribute twice", "levels");
    }
    if (!seen_levels.insert(level).second) return invalid_argument("duplicate level", "levels");
    for (const std::string& a : level) {
      if (a.empty() || has_reserved_char(a)) {
        return invalid_argument("attribute names must be non-empty without '|' or '='", "levels");
      }
    }
  }

  Hierarchy h;
  h.levels = spec.levels;
  h.num_bottom = static_cast<int32_t>(spec.bottom.size());
  std::vector<Eigen::Triplet<double>> triplets;
  int32_t row = 0;
  for (size_t li = 0; li < spec.levels.size(); ++li) {
    const std::vector<std::string>& level = spec.levels[li];
    // std::map orders nodes by their attribute values: stable whatever the bottom order.
    std::map<std::vector<std::string>, std::vector<int32_t>> groups;
    for (size_t bi = 0; bi < spec.bottom.size(); ++bi) {
      std::vector<std::string> values;
      for (const std::string& a : level) {
        auto it = spec.bottom[bi].attributes.find(a);
        if (it == spec.bottom[bi].attributes.end()) {
          return invalid_argument(
              "bottom series '" + spec.bottom[bi].key + "' has no attribute '" + a + "'", "levels");
        }
        if (has_reserved_char(it->second)) {
          return invalid_argument("attribute values may not contain '|' or '='", "bottom");
        }
        values.push_back(it->second);
      }
      groups[values].push_back(static_cast<int32_t>(bi));
    }
    for (const auto& [values, members] : groups) {
      std::string name;
      if (level.empty()) {
        name = "total";
      } else {
        for (size_t a = 0; a < level.size(); ++a) {
          if (a > 0) name += "|";
          name += level[a] + "=" + values[a];
        }
      }
      h.node_names.push_back(std::move(name));
      h.node_level.push_back(static_cast<int32_t>(li));
      for (int32_t b : members) triplets.emplace_back(row, b, 1.0);
      ++row;
    }
  }
  h.num_aggregate = row;
  for (size_t bi = 0; bi < spec.bottom.size(); ++bi) {
    h.node_names.push_back(spec.bottom[bi].key);
    h.node_level.push_back(-1);
    triplets.emplace_back(row + static_cast<int32_t>(bi), static_cast<int32_t>(bi), 1.0);
  }
  std::set<std::string> names(h.node_names.begin(), h.node_names.end());
  if (names.size() != h.node_names.size()) {
    return invalid_argument("a bottom key equals an aggregate node name", "bottom");
  }
  h.summing.resize(h.num_nodes(), h.num_bottom);
  h.summing.setFromTriplets(triplets.begin(), triplets.end());
  h.summing.makeCompressed();
  return h;
}

}  // namespace shelfcast
