#pragma once
// Subcommands implemented outside main.cpp. Each takes main's argc/argv (argv[1] is the command)
// and returns the process exit code.

namespace shelfcast::server {

/// `shelfcast forecast`: forecasts every series of a long CSV.
int cmd_forecast(int argc, char** argv);
/// `shelfcast backtest`: rolling-origin accuracy of every series of a long CSV.
int cmd_backtest(int argc, char** argv);
/// `shelfcast safety-stock`: safety stock, reorder point and order-up-to level of one item.
int cmd_safety_stock(int argc, char** argv);
/// `shelfcast markdown`: markdown price path of one item against two baselines.
int cmd_markdown(int argc, char** argv);
/// `shelfcast basket`: frequent itemsets and association rules of a basket file.
int cmd_basket(int argc, char** argv);
/// `shelfcast promo fit|predict|simulate`: promotion-response model of a category and plans.
int cmd_promo(int argc, char** argv);
/// `shelfcast clv`: BG/NBD + Gamma-Gamma customer lifetime value of a transaction file.
int cmd_clv(int argc, char** argv);

}  // namespace shelfcast::server
