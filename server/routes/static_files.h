#pragma once
// The planner page's files (the web root), served from memory. Each file is read once and, when
// its type compresses (scripts, styles, HTML, JSON, SVG, WebAssembly), gzipped once at level 9;
// a request gets those bytes as they are, with an ETag. httplib's mount point instead read the
// file and gzipped it again on every request: on a page's first load that was 25 requests and
// about 30 ms of the server's CPU on the same 2 cores as the browser (headless Chromium, median
// of 8 cold loads, alternated with the mount point in one run: 899 -> 869 ms; the conditions of
// tests/bench/bench_web.mjs). A file changed or added on disk is read again on its next request
// (its size or modification time differs), so a rebuilt page needs no restart.

#include <httplib.h>

#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace shelfcast::server {

/// Takes `coding` ("br", "gzip") out of the request's Accept-Encoding, so that httplib, which
/// picks a response's compression from it, does not use it (the Request is the server's own,
/// mutable object).
void drop_accept_encoding(const httplib::Request& req, std::string_view coding);

class StaticFiles {
 public:
  /// Serves the files under `root`; reads and compresses those present now.
  explicit StaticFiles(std::string root);

  /// Answers a GET or HEAD of req.path ("/" and ".../" mean index.html): 200 with the file (gzip
  /// when the request accepts it; the request's Accept-Encoding then loses "gzip", so httplib
  /// does not compress the bytes again), or 304 when If-None-Match names its ETag. False, with
  /// `res` untouched, when no regular file answers to the path, and for any path with a ".",
  /// ".." or empty segment (symbolic links inside the root are followed, as a mount point does:
  /// whoever deploys the page put them there).
  bool serve(const httplib::Request& req, httplib::Response& res);

  /// The Content-Type of a file name by its extension ("application/octet-stream" if unknown).
  static std::string content_type(const std::string& path);

 private:
  struct Entry {
    std::string body;
    std::string gzip;  ///< empty when the type does not compress or gzip saves nothing
    std::string etag;  ///< "\"<sha256 prefix of body>\""
    std::string type;
    std::time_t mtime = 0;
    long long mtime_ns = 0;
    long long size = -1;
  };

  /// Bytes read and compressed at start, at most (the page is ~2.5 MB; a web root pointed at a
  /// big folder by mistake must not stall the start or fill the memory).
  static constexpr long long kPreloadBytes = 64LL << 20;

  /// The current entry of `relative` (read again when the file changed); null if it is no file.
  std::shared_ptr<const Entry> entry(const std::string& relative);
  /// Reads the regular files under `relative_dir` while `budget` bytes last.
  void preload(const std::string& relative_dir, long long* budget);

  std::string root_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Entry>> cache_;
};

}  // namespace shelfcast::server
