#pragma once
// A loopback server that answers POST /jsonrpc in Odoo's wire format from the hand-written
// fixtures in tests/fixtures/odoo/replay.v1.json (no live Odoo is reachable here), and records
// every request so tests can assert on what was asked.

#include <doctest/doctest.h>
#include <httplib.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "odoo/jsonrpc.h"
#include "support.h"

namespace shelfcast::test {

using odoo_json = nlohmann::json;

/// Answers each POST /jsonrpc with the first fixture whose `match` fits, and records requests.
struct ReplayOdoo {
  httplib::Server http;
  std::thread thread;
  int port = 0;
  odoo_json fixtures;
  std::mutex mutex;
  std::vector<odoo_json> requests;

  ReplayOdoo() {
    fixtures = odoo_json::parse(test::read_file(SHELFCAST_FIXTURES_DIR "/odoo/replay.v1.json"));
    http.Post("/jsonrpc", [this](const httplib::Request& req, httplib::Response& res) {
      const odoo_json request = odoo_json::parse(req.body);
      {
        std::lock_guard<std::mutex> lock(mutex);
        requests.push_back(request);
      }
      const odoo_json& params = request["params"];
      const odoo_json& args = params["args"];
      for (const odoo_json& f : fixtures) {
        const odoo_json& m = f["match"];
        if (m["service"] != params["service"] || m["method"] != params["method"]) continue;
        if (m.contains("model") &&
            (args.size() < 5 || args[3] != m["model"] || args[4] != m["call"])) {
          continue;
        }
        if (m.contains("offset") &&
            (args.size() < 7 || !args[6].contains("offset") || args[6]["offset"] != m["offset"])) {
          continue;
        }
        if (m.contains("contains") &&
            args.dump().find(m["contains"].get<std::string>()) == std::string::npos) {
          continue;
        }
        odoo_json response = f["response"];
        response["id"] = request["id"];
        res.set_content(response.dump(), "application/json");
        return;
      }
      res.status = 404;  // no fixture: the test wrote a request it did not expect
      res.set_content("no fixture for " + request.dump(), "text/plain");
    });
    port = http.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { http.listen_after_bind(); });
    while (!http.is_running()) std::this_thread::yield();
  }
  ~ReplayOdoo() {
    http.stop();
    thread.join();
  }
  server::OdooConnection connection(const std::string& key = "sc-key",
                                    const std::string& database = "shop") const {
    return {"http://127.0.0.1:" + std::to_string(port), database, "planner@example.com", key, 5};
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
  /// Every request seen so far, in order.
  std::vector<odoo_json> all() {
    std::lock_guard<std::mutex> lock(mutex);
    return requests;
  }
  std::vector<odoo_json> calls(const std::string& model, const std::string& method) {
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<odoo_json> out;
    for (const odoo_json& r : requests) {
      const odoo_json& a = r["params"]["args"];
      if (a.size() >= 5 && a[3] == model && a[4] == method) out.push_back(r);
    }
    return out;
  }
};

}  // namespace shelfcast::test
