#pragma once
// Helpers shared by the basket sources.

#include <cstdint>
#include <string>

#include "detail/format.h"
#include "shelfcast/basket.h"
#include "shelfcast/result.h"

namespace shelfcast::detail {

/// Checks the ranges of the options (field = the option's name).
Status check_basket_options(const BasketOptions& options);
/// Checks that every basket holds sorted unique ids inside the dictionary, and that there is at
/// least one transaction.
Status check_transactions(const Transactions& transactions);
/// The smallest count c >= 1 with c / n >= min_support (support computed as arules does).
int64_t min_count_for(double min_support, int64_t n_transactions);

}  // namespace shelfcast::detail
