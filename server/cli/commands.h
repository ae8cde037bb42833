#pragma once
// Subcommands implemented outside main.cpp. Each takes main's argc/argv (argv[1] is the command)
// and returns the process exit code.

namespace shelfcast::server {

/// `shelfcast forecast`: forecasts every series of a long CSV.
int cmd_forecast(int argc, char** argv);
/// `shelfcast backtest`: rolling-origin accuracy of every series of a long CSV.
int cmd_backtest(int argc, char** argv);

}  // namespace shelfcast::server
