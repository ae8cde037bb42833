#include "routes/static_files.h"

#include <dirent.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>
#include <vector>

#include "auth/tokens.h"

namespace shelfcast::server {
namespace {

// The request path's file under the root, or "" when it names none: "/" and ".../" add
// index.html; no "..", ".", empty (other than a trailing "/") or NUL segments, no backslashes.
std::string relative_path(const std::string& path) {
  if (path.empty() || path[0] != '/' || path.find('\0') != std::string::npos ||
      path.find('\\') != std::string::npos)
    return "";
  std::string relative = path.substr(1);
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  std::stringstream segments(relative);
  for (std::string segment; std::getline(segments, segment, '/');)
    if (segment.empty() || segment == "." || segment == "..") return "";
  return relative;
}

bool compresses(const std::string& type) {
  return type.rfind("text/", 0) == 0 || type == "application/json" || type == "application/wasm" ||
         type == "image/svg+xml";
}

// gzip (RFC 1952) of `data` at level 9; "" if zlib fails.
std::string gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return "";
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : "";
}

// Whether an Accept-Encoding value accepts gzip (a "gzip" token whose q is not 0).
bool accepts_gzip(const std::string& accept) {
  std::stringstream tokens(accept);
  for (std::string token; std::getline(tokens, token, ',');) {
    const size_t begin = token.find_first_not_of(' ');
    if (begin == std::string::npos || token.compare(begin, 4, "gzip") != 0) continue;
    const size_t q = token.find("q=");
    return q == std::string::npos || std::strtod(token.c_str() + q + 2, nullptr) > 0.0;
  }
  return false;
}

}  // namespace

void drop_accept_encoding(const httplib::Request& req, std::string_view coding) {
  auto& headers = const_cast<httplib::Request&>(req).headers;
  const auto found = headers.find("Accept-Encoding");
  if (found == headers.end() || found->second.find(coding) == std::string::npos) return;
  std::string kept;
  std::stringstream tokens(found->second);
  for (std::string token; std::getline(tokens, token, ',');) {
    const size_t begin = token.find_first_not_of(' ');
    if (begin == std::string::npos || token.compare(begin, coding.size(), coding) == 0) continue;
    kept += (kept.empty() ? "" : ", ") + token.substr(begin);
  }
  found->second = kept;
}

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {
  long long budget = kPreloadBytes;
  preload("", &budget);
}

void StaticFiles::preload(const std::string& relative_dir, long long* budget) {
  DIR* dir = ::opendir((root_ + "/" + relative_dir).c_str());
  if (dir == nullptr) return;
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  for (const std::string& name : names) {
    const std::string relative = relative_dir.empty() ? name : relative_dir + "/" + name;
    // lstat: symbolic links are served when asked for, never followed here (a link to a parent
    // would make the walk endless). Past the budget, files are read on their first request.
    struct stat st {};
    if (::lstat((root_ + "/" + relative).c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      preload(relative, budget);
    } else if (S_ISREG(st.st_mode) && st.st_size <= *budget) {
      *budget -= st.st_size;
      entry(relative);
    }
  }
}

std::string StaticFiles::content_type(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"wasm", "application/wasm"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"ico", "image/x-icon"},
      {"txt", "text/plain; charset=utf-8"},
      {"ts", "text/plain; charset=utf-8"},
  };
  const size_t dot = path.rfind('.');
  const size_t slash = path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
    return "application/octet-stream";
  const auto found = kTypes.find(path.substr(dot + 1));
  return found == kTypes.end() ? "application/octet-stream" : found->second;
}

std::shared_ptr<const StaticFiles::Entry> StaticFiles::entry(const std::string& relative) {
  const std::string full = root_ + "/" + relative;
  struct stat st {};
  if (::stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = cache_.find(relative);
    if (found != cache_.end() && found->second->size == st.st_size &&
        found->second->mtime == st.st_mtim.tv_sec && found->second->mtime_ns == st.st_mtim.tv_nsec)
      return found->second;
  }
  std::ifstream in(full, std::ios::binary);
  if (!in) return nullptr;
  auto fresh = std::make_shared<Entry>();
  fresh->body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return nullptr;
  fresh->type = content_type(relative);
  fresh->etag = "\"" + sha256_hex(fresh->body).substr(0, 32) + "\"";
  fresh->mtime = st.st_mtim.tv_sec;
  fresh->mtime_ns = st.st_mtim.tv_nsec;
  fresh->size = st.st_size;
  if (compresses(fresh->type) && fresh->body.size() >= 256) {
    std::string packed = gzip(fresh->body);
    if (!packed.empty() && packed.size() < fresh->body.size()) fresh->gzip = std::move(packed);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  cache_[relative] = fresh;
  return fresh;
}

bool StaticFiles::serve(const httplib::Request& req, httplib::Response& res) {
  const std::string relative = relative_path(req.path);
  if (relative.empty()) return false;
  const std::shared_ptr<const Entry> file = entry(relative);
  if (!file) return false;
  // Not cached without asking: the file names carry no version, so each use revalidates (304).
  res.set_header("Cache-Control", "no-cache");
  res.set_header("ETag", file->etag);
  res.set_header("Vary", "Accept-Encoding");
  if (req.get_header_value("If-None-Match") == file->etag) {
    res.status = 304;
    return true;
  }
  const bool packed = !file->gzip.empty() && accepts_gzip(req.get_header_value("Accept-Encoding"));
  drop_accept_encoding(req, "gzip");  // the bytes below are final: no second compression
  if (packed) res.set_header("Content-Encoding", "gzip");
  res.status = 200;
  res.set_content(packed ? file->gzip : file->body, file->type.c_str());
  return true;
}

}  // namespace shelfcast::server
