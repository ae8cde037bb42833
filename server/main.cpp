// The shelfcast CLI: serve, ingest, demo, token. Exit codes (INTERFACES.md): 0 success, 1 bad
// input (one line `shelfcast: FILE:LINE: field 'F': ...`), 2 bad usage.

#include <signal.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "auth/tokens.h"
#include "cli/args.h"
#include "cli/audit_cmd.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "governance/audit.h"
#include "governance/pseudonym.h"
#include "ingest/ingest.h"
#include "ingest/to_dataset.h"
#include "jobs/retention.h"
#include "odoo/outbox.h"
#include "odoo/pull.h"
#include "routes/api.h"
#include "shelfcast/generate.h"
#include "shelfcast/json.h"
#include "store/store.h"

namespace sc = shelfcast;
namespace srv = shelfcast::server;

using srv::input_error;
using srv::kExitBadInput;
using srv::kExitOk;
using srv::kExitUsage;
using srv::parse_or_exit;
using srv::usage_error;

namespace {

const char* const kUsage =
    "usage: shelfcast <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve   --db PATH [--host H] [--port N] [--web-root DIR]\n"
    "          REST API under /api/v1/ and the planner page at / (default 127.0.0.1:8080)\n"
    "  ingest  --db PATH --input FILE [--format odoo-sale|odoo-pos|canonical] [--skip-bad-rows]\n"
    "          load a sales CSV; customers are pseudonymized at the door\n"
    "  demo    --db PATH [--seed N] [--stores N] [--products N] [--days N] [--customers N]\n"
    "          generate the synthetic demo data set and store it with its truth\n"
    "  forecast --input FILE --horizon H [--season-length M] [--levels 80,95] [--method M]\n"
    "          [--output FILE]   forecast every series of a long CSV (series_id,period,value)\n"
    "  backtest --input FILE --horizon H --origins K [--season-length M] [--step S]\n"
    "          [--levels 80,95] [--method M] [--output FILE]   rolling-origin accuracy\n"
    "  basket  --input FILE [--format baskets|long] --min-support S --min-confidence C\n"
    "          [--max-len K] [--output FILE]   frequent itemsets and association rules\n"
    "  clv     --input FILE --calibration-end DATE [--holdout-end DATE] [--time-unit week|day]\n"
    "          [--horizon N] [--params FILE] [--output FILE]   BG/NBD + Gamma-Gamma CLV\n"
    "  safety-stock --mean-demand D --sd-demand S --lead-time L [--lead-time-sd LS]\n"
    "          --service-level P [--target cycle_service_level|fill_rate] [--order-qty Q]\n"
    "          [--review-period R] [--output FILE]   safety stock and reorder point (JSON)\n"
    "  markdown --input ITEM.json [--output FILE]   markdown price path vs two baselines\n"
    "  promo fit --input FILE --output MODEL.json   promotion response of a category (panel)\n"
    "  promo predict --model MODEL.json --input FILE [--output FILE]   units for given prices\n"
    "  promo simulate --model MODEL.json --plan PLAN.json [--output FILE]   what a plan does\n"
    "  odoo pull --db PATH --url URL --database NAME --login LOGIN [--api-key-file FILE]\n"
    "          [--since DATE] [--models LIST]   load products, sales, POS, stock, orderpoints\n"
    "          and loyalty programs from Odoo's JSON-RPC API\n"
    "  odoo push --db PATH --url URL --database NAME --login LOGIN [--api-key-file FILE]\n"
    "          send approved proposals in the outbox to Odoo as drafts\n"
    "  retention --db PATH --keep-days N   purge old sales lines, keeping weekly aggregates\n"
    "  token create --db PATH --role ROLE --name NAME\n"
    "          create an API token (roles: planner, executive, approver, admin, batch);\n"
    "          it is printed once, only its hash is stored\n"
    "  audit verify --db PATH   check the audit log's hash chain (1: names the first bad entry)\n"
    "\n"
    "Run `shelfcast <command> --help` for one command.\n";

sc::Result<std::unique_ptr<srv::Database>> open_db(const std::string& path) {
  return srv::Database::open(path, srv::Database::Mode::kReadWrite);
}

// ---- serve ------------------------------------------------------------------------------------

const char* const kServeUsage =
    "usage: shelfcast serve --db PATH [--host H] [--port N] [--web-root DIR]\n"
    "                       [--max-request-bytes N] [--rate-limit R] [--approval-rules FILE]\n"
    "  Serves the REST API under /api/v1/ (bearer tokens: `shelfcast token create`), Prometheus\n"
    "  metrics at /metrics and the planner page at /. --port 0 picks a free port. Prints\n"
    "  `listening on http://H:P` when ready; Ctrl-C (SIGINT) or SIGTERM stops it. Request bodies\n"
    "  over --max-request-bytes (default 1 MiB) get 413; more than --rate-limit requests per\n"
    "  second per token (default 100, bursts of twice that; 0 = none) get 429 with Retry-After.\n"
    "  --approval-rules FILE: a JSON object overriding the routing thresholds (any of\n"
    "  max_discount_depth 0.30, min_incremental_margin 0, max_override_fraction 0.20,\n"
    "  max_stockout_risk 0.10, tracking_signal_limit 4, min_uplift_ratio 0.70).\n";

int cmd_serve(int argc, char** argv) {
  srv::Args args;
  int exit_code = 0;
  if (!parse_or_exit(
          argc, argv, 2,
          {"db", "host", "port", "web-root", "max-request-bytes", "rate-limit", "approval-rules"},
          {}, kServeUsage, {"db"}, &args, &exit_code)) {
    return exit_code;
  }
  sc::Result<long long> port = srv::int_option(args, "port", 8080, 0, 65535);
  if (!port.is_ok()) return usage_error(port.status().message(), kServeUsage);
  const std::string host = args.get("host", "127.0.0.1");

  // Signals go to one waiting thread, which stops the server cleanly.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  srv::ServeOptions options{args.get("db"), args.get("web-root", SHELFCAST_DEFAULT_WEB_ROOT)};
  sc::Result<long long> max_bytes =
      srv::int_option(args, "max-request-bytes", static_cast<long long>(options.max_request_bytes),
                      1024, 1LL << 30);
  sc::Result<long long> rate = srv::int_option(
      args, "rate-limit", static_cast<long long>(options.rate_per_second), 0, 1000000);
  for (const sc::Result<long long>* r : {&max_bytes, &rate}) {
    if (!r->is_ok()) return usage_error(r->status().message(), kServeUsage);
  }
  options.max_request_bytes = static_cast<size_t>(*max_bytes);
  options.rate_per_second = static_cast<double>(*rate);
  options.rate_burst = 2.0 * options.rate_per_second;
  if (args.has("approval-rules")) {
    sc::Result<srv::ApprovalRules> rules = srv::load_approval_rules(args.get("approval-rules"));
    if (!rules.is_ok()) return input_error(rules.status().message());
    options.approval_rules = *rules;
  }
  auto server = srv::ApiServer::create(options);
  if (!server.is_ok()) return input_error(options.db_path + ": " + server.status().message());
  sc::Result<int> bound = (*server)->bind(host, static_cast<int>(*port));
  if (!bound.is_ok()) return input_error(bound.status().message());
  std::cout << "listening on http://" << host << ":" << *bound << std::endl;

  srv::ApiServer* raw = server->get();
  std::thread waiter([raw, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    raw->stop();
  });
  const bool ok = raw->listen();
  // listen() also returns when the listener fails; wake the waiter so it can be joined.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  std::cout << "stopped" << std::endl;
  return ok ? kExitOk : kExitBadInput;
}

// ---- ingest -----------------------------------------------------------------------------------

const char* const kIngestUsage =
    "usage: shelfcast ingest --db PATH --input FILE [--format odoo-sale|odoo-pos|canonical]\n"
    "                        [--skip-bad-rows]\n"
    "  Loads one CSV in one transaction: an Odoo export of sale.order.line or pos.order.line, or\n"
    "  the canonical format (date,store,channel,product,product_name,category,customer,qty,\n"
    "  unit_price,discount,promotion,order_ref). The format is detected from the header unless\n"
    "  given. Customers become keyed pseudonyms (key: $SHELFCAST_PSEUDONYM_KEY, or\n"
    "  PATH.pseudonym.key, created with mode 0600); names, e-mails, phones and addresses are "
    "never\n"
    "  read. A bad row stops the load with `FILE:LINE: field 'F': reason` and exit code 1, and "
    "the\n"
    "  database is left untouched; --skip-bad-rows loads the good rows and lists the bad ones.\n";

// Parses, pseudonymizes and loads one batch (a file, or what `odoo pull` fetched) into db_path.
// Everything is validated before the database is opened: a bad batch leaves it untouched.
int ingest_content(const std::string& db_path, const std::string& input, const std::string& content,
                   std::optional<srv::IngestFormat> format, bool skip_bad_rows) {
  sc::Result<std::string> key = srv::load_or_create_key(db_path + ".pseudonym.key");
  if (!key.is_ok()) return input_error(key.status().message());
  sc::Result<srv::Pseudonymizer> pseudonymizer = srv::Pseudonymizer::create(std::move(key).value());
  if (!pseudonymizer.is_ok()) return input_error(pseudonymizer.status().message());

  sc::Result<srv::IngestBatch> batch =
      srv::parse_ingest(input, content, format, skip_bad_rows, *pseudonymizer);
  if (!batch.is_ok()) return input_error(batch.status().message());
  for (const srv::RowError& e : batch->skipped) {
    std::cerr << "shelfcast: skipped " << srv::format_row_error(input, e) << "\n";
  }

  auto db = open_db(db_path);
  if (!db.is_ok()) return input_error(db_path + ": " + db.status().message());
  const sc::Dataset data = srv::to_dataset(*batch);
  srv::LoadSource source{input, std::string(srv::to_string(batch->format)),
                         srv::sha256_hex(content), static_cast<int64_t>(batch->skipped.size())};
  sc::Result<srv::LoadReport> report = srv::load_dataset(**db, data, source);
  if (!report.is_ok()) return input_error(input + ": " + report.status().message());

  sc::Status audited = srv::record_audit_now(
      **db, "cli", "ingest", "batch:" + std::to_string(report->batch_id),
      sc::dump_json(sc::Json{{"source", input},
                             {"format", std::string(srv::to_string(batch->format))},
                             {"rows_added", report->lines_added},
                             {"rows_rejected", batch->skipped.size()}}));
  if (!audited.is_ok()) return input_error(db_path + ": audit log: " + audited.message());
  std::cout << "ingested " << input << " (" << srv::to_string(batch->format)
            << "): " << report->lines_added << " rows added, " << batch->skipped.size()
            << " rejected";
  if (batch->dropped_lines > 0)
    std::cout << ", " << batch->dropped_lines << " non-sale lines dropped";
  std::cout << "; " << report->products_added << " new products, " << report->stores_added
            << " new stores, " << report->customers_added << " new customers; batch "
            << report->batch_id << "\n";
  if (!batch->ignored_columns.empty()) {
    std::cout << "ignored columns (not stored):";
    for (const std::string& c : batch->ignored_columns) std::cout << " " << c;
    std::cout << "\n";
  }
  return kExitOk;
}

int cmd_ingest(int argc, char** argv) {
  srv::Args args;
  int exit_code = 0;
  if (!parse_or_exit(argc, argv, 2, {"db", "input", "format"}, {"skip-bad-rows"}, kIngestUsage,
                     {"db", "input"}, &args, &exit_code)) {
    return exit_code;
  }
  std::optional<srv::IngestFormat> format;
  if (args.has("format")) {
    sc::Result<srv::IngestFormat> f = srv::parse_ingest_format(args.get("format"));
    if (!f.is_ok()) return usage_error(f.status().message(), kIngestUsage);
    format = *f;
  }
  const std::string input = args.get("input");
  sc::Result<std::string> file = srv::read_whole_file(input);
  if (!file.is_ok()) return input_error(file.status().message());
  return ingest_content(args.get("db"), input, std::move(file).value(), format,
                        args.flags.count("skip-bad-rows") > 0);
}

// ---- odoo ---------------------------------------------------------------------------------------

const char* const kOdooUsage =
    "usage: shelfcast odoo pull --db PATH --url URL --database NAME --login LOGIN\n"
    "                          [--api-key-file FILE] [--since YYYY-MM-DD] [--page-size N]\n"
    "                          [--models products,sales,pos,stock,orderpoints,loyalty]\n"
    "  Reads from Odoo's JSON-RPC API, one batch (one transaction, audited) per model, in this\n"
    "  order (--models picks some; default all): products (product.product: code, name,\n"
    "  category, list price, cost), sales (sale.order.line) and pos (pos.order.line), loaded\n"
    "  like `shelfcast ingest` loads their exports (same validation, same pseudonyms), stock\n"
    "  (stock.quant: on hand per product and warehouse, always a full snapshot), orderpoints\n"
    "  (stock.warehouse.orderpoint: min, max, lead time) and loyalty (loyalty.program with its\n"
    "  rules and rewards; dated product discounts become promotions). --since keeps orders\n"
    "  dated, or records changed, on or after DATE. Prints one line per model with its counts.\n"
    "  Customers travel as record ids only; names and contacts are never requested. The API key\n"
    "  comes from --api-key-file or $SHELFCAST_ODOO_API_KEY, never from the command line (it\n"
    "  would show in the process list). A failed model exits 1 naming it; the models before it\n"
    "  stay loaded, nothing of the failed one is.\n"
    "       shelfcast odoo push --db PATH --url URL --database NAME --login LOGIN\n"
    "                          [--api-key-file FILE]\n"
    "  Sends the approved proposals waiting in the outbox (GET /api/v1/odoo/outbox) to Odoo as\n"
    "  drafts: a purchase.order per vendor, stock.picking transfers, orderpoint updates; prints\n"
    "  what Odoo created. Exits 1 when a record failed (it stays in the outbox as failed).\n";

int cmd_odoo(int argc, char** argv) {
  if (argc < 3 || (std::string(argv[2]) != "pull" && std::string(argv[2]) != "push")) {
    if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h")) {
      std::cout << kOdooUsage;
      return kExitOk;
    }
    return usage_error("expected `odoo pull` or `odoo push`", kOdooUsage);
  }
  const bool push = std::string(argv[2]) == "push";
  srv::Args args;
  int exit_code = 0;
  if (!parse_or_exit(
          argc, argv, 3,
          {"db", "url", "database", "login", "api-key-file", "since", "page-size", "models"}, {},
          kOdooUsage, {"db", "url", "database", "login"}, &args, &exit_code)) {
    return exit_code;
  }
  std::string key;
  if (args.has("api-key-file")) {
    sc::Result<std::string> k = srv::read_whole_file(args.get("api-key-file"));
    if (!k.is_ok()) return input_error(k.status().message());
    key = *k;
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) {
      key.pop_back();
    }
  } else if (const char* env = std::getenv("SHELFCAST_ODOO_API_KEY")) {
    key = env;
  } else {
    return usage_error("no API key: give --api-key-file or set SHELFCAST_ODOO_API_KEY", kOdooUsage);
  }
  if (push) {
    auto odoo = srv::OdooClient::connect(
        {args.get("url"), args.get("database"), args.get("login"), key, 60});
    if (!odoo.is_ok()) return input_error(args.get("url") + ": " + odoo.status().to_string());
    auto db = srv::Database::open(args.get("db"), srv::Database::Mode::kReadWrite);
    if (!db.is_ok()) return input_error(args.get("db") + ": " + db.status().message());
    sc::Result<sc::Json> pushed = srv::push_outbox(**db, **odoo, "cli");
    if (!pushed.is_ok()) return input_error(pushed.status().to_string());
    std::cout << sc::dump_json(*pushed) << "\n";
    return (*pushed)["failed"].get<int64_t>() > 0 ? kExitBadInput : kExitOk;
  }
  const std::string since = args.get("since");
  if (!since.empty() && !sc::parse_date(since).is_ok()) {
    return usage_error("--since expects YYYY-MM-DD, got \"" + since + "\"", kOdooUsage);
  }
  sc::Result<long long> page = srv::int_option(args, "page-size", 500, 1, 10000);
  if (!page.is_ok()) return usage_error(page.status().message(), kOdooUsage);
  sc::Result<std::vector<std::string>> models =
      srv::parse_pull_models(args.get("models", "products,sales,pos,stock,orderpoints,loyalty"));
  if (!models.is_ok()) return usage_error("--models: " + models.status().message(), kOdooUsage);
  auto odoo =
      srv::OdooClient::connect({args.get("url"), args.get("database"), args.get("login"), key, 60});
  if (!odoo.is_ok()) return input_error(args.get("url") + ": " + odoo.status().to_string());
  const std::string db_path = args.get("db");
  sc::Result<std::string> pseudonym_key = srv::load_or_create_key(db_path + ".pseudonym.key");
  if (!pseudonym_key.is_ok()) return input_error(pseudonym_key.status().message());
  sc::Result<srv::Pseudonymizer> pseudonymizer =
      srv::Pseudonymizer::create(std::move(pseudonym_key).value());
  if (!pseudonymizer.is_ok()) return input_error(pseudonymizer.status().message());
  auto db = open_db(db_path);
  if (!db.is_ok()) return input_error(db_path + ": " + db.status().message());
  srv::PullOptions options;
  options.since = since;
  options.page_size = static_cast<int32_t>(*page);
  options.source = "odoo:" + args.get("database");
  for (const std::string& model : *models) {
    sc::Result<srv::PullReport> report =
        srv::pull_from_odoo(**db, **odoo, *pseudonymizer, model, options);
    if (!report.is_ok()) {
      return input_error(args.get("url") + ": odoo pull " + model + ": " +
                         report.status().to_string());
    }
    std::cout << srv::format_pull_report(*report) << std::endl;
  }
  return kExitOk;
}

// ---- retention ----------------------------------------------------------------------------------

const char* const kRetentionUsage =
    "usage: shelfcast retention --db PATH --keep-days N\n"
    "  Purges sales lines (and the customer ids on them) older than N days before the last sales\n"
    "  day, after keeping their weekly aggregates per product and store, so series and forecasts\n"
    "  do not change. Whole weeks only; one transaction. Run it from cron.\n";

int cmd_retention(int argc, char** argv) {
  srv::Args args;
  int exit_code = 0;
  if (!parse_or_exit(argc, argv, 2, {"db", "keep-days"}, {}, kRetentionUsage, {"db", "keep-days"},
                     &args, &exit_code)) {
    return exit_code;
  }
  sc::Result<long long> keep = srv::int_option(args, "keep-days", 0, 7, 100000);
  if (!keep.is_ok()) return usage_error(keep.status().message(), kRetentionUsage);
  auto db = open_db(args.get("db"));
  if (!db.is_ok()) return input_error(args.get("db") + ": " + db.status().message());
  sc::Result<sc::Json> report = srv::run_retention(**db, *keep);
  if (!report.is_ok()) return input_error(args.get("db") + ": " + report.status().to_string());
  std::cout << sc::dump_json(*report) << "\n";
  return kExitOk;
}

// ---- demo -------------------------------------------------------------------------------------

const char* const kDemoUsage =
    "usage: shelfcast demo --db PATH [--seed N] [--stores N] [--products N] [--days N]\n"
    "                      [--customers N]\n"
    "  Generates the synthetic retail data set (default 20 stores, 500 products, 730 days from\n"
    "  2024-01-01, 3000 customers) and stores it, with the truth that made it, in a database that\n"
    "  has no sales yet. Same seed, same data.\n";

int cmd_demo(int argc, char** argv) {
  srv::Args args;
  int exit_code = 0;
  if (!parse_or_exit(argc, argv, 2, {"db", "seed", "stores", "products", "days", "customers"}, {},
                     kDemoUsage, {"db"}, &args, &exit_code)) {
    return exit_code;
  }
  sc::GeneratorConfig config;
  struct IntOpt {
    const char* name;
    int32_t* target;
    long long hi;
  };
  const IntOpt int_opts[] = {{"stores", &config.n_stores, 1000},
                             {"products", &config.n_products, 100000},
                             {"days", &config.n_days, 3660},
                             {"customers", &config.n_customers, 10000000}};
  for (const IntOpt& o : int_opts) {
    sc::Result<long long> v = srv::int_option(args, o.name, *o.target, 1, o.hi);
    if (!v.is_ok()) return usage_error(v.status().message(), kDemoUsage);
    *o.target = static_cast<int32_t>(*v);
  }
  sc::Result<long long> seed =
      srv::int_option(args, "seed", static_cast<long long>(config.seed), 0, (1LL << 53));
  if (!seed.is_ok()) return usage_error(seed.status().message(), kDemoUsage);
  config.seed = static_cast<uint64_t>(*seed);
  config.n_categories = std::min(config.n_categories, config.n_products);

  const std::string db_path = args.get("db");
  auto db = open_db(db_path);
  if (!db.is_ok()) return input_error(db_path + ": " + db.status().message());
  sc::Result<int64_t> existing = srv::count_sales_lines(**db);
  if (!existing.is_ok()) return input_error(db_path + ": " + existing.status().message());
  if (*existing > 0) {
    return input_error(db_path + ": already holds " + std::to_string(*existing) +
                       " sales lines; the demo goes into a database without sales");
  }
  sc::Result<sc::GeneratedData> generated = sc::generate(config);
  if (!generated.is_ok()) return input_error(generated.status().to_string());
  const std::string config_json = sc::dump_json(sc::Json(config));
  srv::LoadSource source{"demo", "demo", srv::sha256_hex(config_json), 0};
  sc::Result<srv::LoadReport> report = srv::load_dataset(**db, generated->data, source);
  if (!report.is_ok()) return input_error(db_path + ": " + report.status().message());
  sc::Status saved = srv::save_generator_run(**db, config.seed, config_json,
                                             sc::dump_json(sc::Json(generated->truth)));
  if (!saved.is_ok()) return input_error(db_path + ": " + saved.message());
  std::cout << "demo data (seed " << config.seed << "): " << generated->data.stores.size()
            << " stores, " << generated->data.products.size() << " products, "
            << generated->data.customers.size() << " customers, "
            << generated->data.promotions.size() << " promotions, " << report->lines_added
            << " sales lines into " << db_path << "\n";
  return kExitOk;
}

// ---- token ------------------------------------------------------------------------------------

const char* const kTokenUsage =
    "usage: shelfcast token create --db PATH --role ROLE --name NAME\n"
    "  Creates an API token for a role (planner, executive, approver, admin, batch). The token is\n"
    "  printed once, on the last line; only its SHA-256 is stored.\n";

int cmd_token(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) != "create") {
    if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h")) {
      std::cout << kTokenUsage;
      return kExitOk;
    }
    return usage_error("expected `token create`", kTokenUsage);
  }
  srv::Args args;
  int exit_code = 0;
  if (!parse_or_exit(argc, argv, 3, {"db", "role", "name"}, {}, kTokenUsage, {"db", "role", "name"},
                     &args, &exit_code)) {
    return exit_code;
  }
  sc::Result<srv::Role> role = srv::parse_role(args.get("role"));
  if (!role.is_ok()) return usage_error("--role: " + role.status().message(), kTokenUsage);
  auto db = open_db(args.get("db"));
  if (!db.is_ok()) return input_error(args.get("db") + ": " + db.status().message());
  sc::Result<std::string> token = srv::generate_token();
  if (!token.is_ok()) return input_error(token.status().message());
  srv::Transaction tx(**db);
  sc::Status saved = tx.begin_status();
  if (saved.is_ok()) {
    saved = srv::save_token(**db, srv::sha256_hex(*token), *role, args.get("name"));
  }
  if (saved.is_ok()) {
    saved = srv::record_audit(**db, "cli", "token.create", "token:" + args.get("name"),
                              "{\"role\":\"" + std::string(srv::to_string(*role)) + "\"}");
  }
  if (saved.is_ok()) saved = tx.commit();
  if (!saved.is_ok()) return input_error(args.get("db") + ": " + saved.message());
  std::cout << "token for '" << args.get("name") << "' (" << srv::to_string(*role)
            << "), shown once:\n"
            << *token << "\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (command == "--version") {
    std::cout << "shelfcast " << SHELFCAST_VERSION << "\n";
    return kExitOk;
  }
  if (command == "serve") return cmd_serve(argc, argv);
  if (command == "ingest") return cmd_ingest(argc, argv);
  if (command == "demo") return cmd_demo(argc, argv);
  if (command == "token") return cmd_token(argc, argv);
  if (command == "audit") return srv::cmd_audit(argc, argv);
  if (command == "forecast") return srv::cmd_forecast(argc, argv);
  if (command == "backtest") return srv::cmd_backtest(argc, argv);
  if (command == "safety-stock") return srv::cmd_safety_stock(argc, argv);
  if (command == "markdown") return srv::cmd_markdown(argc, argv);
  if (command == "promo") return srv::cmd_promo(argc, argv);
  if (command == "basket") return srv::cmd_basket(argc, argv);
  if (command == "odoo") return cmd_odoo(argc, argv);
  if (command == "retention") return cmd_retention(argc, argv);
  if (command == "clv") return srv::cmd_clv(argc, argv);
  std::cerr << "shelfcast: unknown command '" << command << "'\n" << kUsage;
  return kExitUsage;
}
