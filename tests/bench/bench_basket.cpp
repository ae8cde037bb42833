// Basket and customer benchmarks on the public data (../shared/data or the directory given as the
// first argument), built natively and for node (-sNODERAWFS). Prints `BENCH <name> <value> <unit>`
// lines, the published reference beside each figure:
//   Groceries (9,835 baskets), support 0.001: 13,492 itemsets; confidence 0.5: 5,668 rules (arules)
//   CDNOW 1/10 sample, calibration to 1997-09-30 in weeks: BG/NBD r 0.243, alpha 4.414, a 0.793,
//   b 2.426, LL -9582.43 (Fader, Hardie & Lee 2005); Gamma-Gamma p 6.25, q 3.74, gamma 15.44
//   (Fader & Hardie 2013 note); holdout weeks 40-78: predicted vs actual repeat purchases.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "shelfcast/basket.h"
#include "shelfcast/customer.h"
#include "timing.h"

namespace {

using shelfcast::bench::median_ms;

bool read_lines(const std::string& path, std::vector<std::string>* lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines->push_back(line);
  }
  return true;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string item;
  std::stringstream in(line);
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef __EMSCRIPTEN__
  const char* side = "wasm";
#else
  const char* side = "native";
#endif
  const std::string data = argc > 1 ? argv[1] : "../shared/data";
  int failures = 0;

  // ---- Groceries --------------------------------------------------------------------------------
  std::vector<std::string> lines;
  if (!read_lines(data + "/groceries_baskets.csv", &lines)) {
    std::fprintf(stderr, "bench_basket: cannot read %s/groceries_baskets.csv\n", data.c_str());
    return 1;
  }
  std::vector<std::vector<std::string>> baskets;
  for (const std::string& line : lines) baskets.push_back(split(line));
  auto transactions = shelfcast::make_transactions(baskets);
  if (!transactions.is_ok()) return 1;
  shelfcast::BasketOptions options;
  options.min_support = 0.001;
  options.min_confidence = 0.5;
  size_t n_itemsets = 0, n_rules = 0;
  const double mine_ms = median_ms(7, [&] {
    auto sets = shelfcast::mine_itemsets(*transactions, options);
    n_itemsets = sets.is_ok() ? sets->itemsets.size() : 0;
  });
  const double all_ms = median_ms(7, [&] {
    auto analysis = shelfcast::analyze_baskets(*transactions, options);
    n_rules = analysis.is_ok() ? analysis->rules.size() : 0;
  });
  std::printf("BENCH groceries_baskets %zu baskets (published 9835)\n", baskets.size());
  std::printf("BENCH groceries_itemsets_s0.001 %zu itemsets\n", n_itemsets);
  std::printf("BENCH groceries_itemsets_arules_published 13492 itemsets\n");
  std::printf("BENCH groceries_rules_c0.5 %zu rules\n", n_rules);
  std::printf("BENCH groceries_rules_arules_published 5668 rules\n");
  std::printf("BENCH groceries_fpgrowth_%s %.2f ms\n", side, mine_ms);
  std::printf("BENCH groceries_fpgrowth_rules_%s %.2f ms\n", side, all_ms);
  failures += n_itemsets != 13492 || n_rules != 5668;

  // ---- CDNOW BG/NBD -----------------------------------------------------------------------------
  lines.clear();
  if (!read_lines(data + "/btyd_cdnow_elog_sample.csv", &lines)) {
    std::fprintf(stderr, "bench_basket: cannot read %s/btyd_cdnow_elog_sample.csv\n", data.c_str());
    return 1;
  }
  std::vector<shelfcast::CustomerTransaction> elog;
  for (size_t i = 1; i < lines.size(); ++i) {  // masterid,sampleid,date,cds,sales
    const std::vector<std::string> f = split(lines[i]);
    if (f.size() < 5 || f[2].size() != 8) continue;
    const int ymd = std::atoi(f[2].c_str());
    shelfcast::CustomerTransaction t;
    t.customer_id = f[1];
    t.date = shelfcast::date_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
    t.amount = std::atof(f[4].c_str());
    elog.push_back(t);
  }
  shelfcast::SummaryOptions summary_options;
  summary_options.calibration_end = shelfcast::date_from_civil(1997, 9, 30);
  summary_options.holdout_end = shelfcast::date_from_civil(1998, 6, 30);
  summary_options.days_per_period = 7.0;
  auto summaries = shelfcast::summarize_customers(elog, summary_options);
  if (!summaries.is_ok()) return 1;
  std::vector<shelfcast::RfmInput> rfm;
  std::vector<shelfcast::SpendInput> spend;
  for (const auto& s : summaries->customers) {
    rfm.push_back({static_cast<double>(s.frequency), s.recency, s.age});
    spend.push_back({static_cast<double>(s.frequency), s.monetary_value});
  }
  shelfcast::Result<shelfcast::BgNbdParams> fit = shelfcast::Status();
  const double fit_ms = median_ms(5, [&] { fit = shelfcast::fit_bgnbd(rfm); });
  if (!fit.is_ok()) return 1;
  std::printf("BENCH cdnow_customers %zu customers (published 2357)\n", rfm.size());
  std::printf("BENCH cdnow_bgnbd_r %.4f (published 0.2426)\n", fit->r);
  std::printf("BENCH cdnow_bgnbd_alpha %.4f (published 4.4137)\n", fit->alpha);
  std::printf("BENCH cdnow_bgnbd_a %.4f (published 0.7930)\n", fit->a);
  std::printf("BENCH cdnow_bgnbd_b %.4f (published 2.4262)\n", fit->b);
  std::printf("BENCH cdnow_bgnbd_loglik %.2f (published -9582.43)\n", fit->log_likelihood);
  std::printf("BENCH cdnow_bgnbd_fit_%s %.2f ms\n", side, fit_ms);
  double predicted = 0.0, actual = 0.0;
  for (size_t i = 0; i < rfm.size(); ++i) {
    auto e =
        shelfcast::bgnbd_conditional_expected_purchases(*fit, rfm[i], summaries->holdout_periods);
    predicted += e.is_ok() ? *e : 0.0;
    actual += summaries->customers[i].holdout_frequency;
  }
  std::printf("BENCH cdnow_holdout_weeks %.0f weeks (40-78)\n", summaries->holdout_periods);
  std::printf("BENCH cdnow_holdout_repeat_predicted %.1f purchases\n", predicted);
  std::printf("BENCH cdnow_holdout_repeat_actual %.0f purchases\n", actual);
  failures += std::abs(fit->log_likelihood + 9582.43) > 0.01;

  shelfcast::Result<shelfcast::GammaGammaParams> gg = shelfcast::Status();
  const double gg_ms = median_ms(5, [&] { gg = shelfcast::fit_gamma_gamma(spend); });
  if (gg.is_ok()) {
    std::printf("BENCH cdnow_gamma_gamma_p %.3f (published 6.25)\n", gg->p);
    std::printf("BENCH cdnow_gamma_gamma_q %.3f (published 3.74)\n", gg->q);
    std::printf("BENCH cdnow_gamma_gamma_gamma %.3f (published 15.44)\n", gg->gamma);
    std::printf("BENCH cdnow_gamma_gamma_fit_%s %.2f ms\n", side, gg_ms);
  }
  shelfcast::ClvOptions clv_options;
  double clv_total = 0.0;
  const double clv_ms = median_ms(3, [&] {
    clv_total = 0.0;
    for (size_t i = 0; i < rfm.size(); ++i) {
      auto v = shelfcast::customer_lifetime_value(*fit, *gg, rfm[i], spend[i], clv_options);
      clv_total += v.is_ok() ? *v : 0.0;
    }
  });
  std::printf("BENCH cdnow_clv_52w_total %.0f dollars\n", clv_total);
  std::printf("BENCH cdnow_clv_52w_%s %.2f ms\n", side, clv_ms);
  return failures == 0 ? 0 : 1;
}
