// Keyed pseudonyms: the HMAC against RFC 4231, the pseudonym's shape and stability, and key
// management (environment override, key file creation, permissions, malformed keys).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "governance/pseudonym.h"

using namespace shelfcast;
using namespace shelfcast::server;

namespace {

/// Sets (or unsets, with nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = std::string(old);
    if (value.has_value()) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

/// A fresh directory under $TMPDIR (or /tmp), removed with its files at the end of the scope.
class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/shelfcast-pseudonym-XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    for (const std::string& name : created_) unlink((path_ + "/" + name).c_str());
    rmdir((path_ + "/sub").c_str());
    rmdir(path_.c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The path of a file in the directory, remembered for removal.
  std::string file(const std::string& name) {
    created_.push_back(name);
    return path_ + "/" + name;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::string> created_;
};

std::string bytes(size_t n, unsigned char value) {
  return std::string(n, static_cast<char>(value));
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  REQUIRE(fchmod(fd, mode) == 0);
  close(fd);
}

mode_t file_mode(const std::string& path) {
  struct stat info {};
  REQUIRE(stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

Pseudonymizer make(const std::string& key) {
  Result<Pseudonymizer> p = Pseudonymizer::create(key);
  REQUIRE(p.is_ok());
  return std::move(p).value();
}

const std::string kHexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

}  // namespace

TEST_CASE("hmac_sha256 matches RFC 4231") {
  struct Row {
    const char* name;
    std::string key;
    std::string data;
    const char* mac;
  };
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4 += static_cast<char>(i);
  const std::vector<Row> rows = {
      {"case 1", bytes(20, 0x0b), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"case 2", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"case 3", bytes(20, 0xaa), bytes(50, 0xdd),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"case 4", key4, bytes(50, 0xcd),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"case 6", bytes(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"case 7", bytes(131, 0xaa),
       "This is a test using a larger than block-size key and a larger than block-size data. The "
       "key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const Row& row : rows) {
    SUBCASE(row.name) { CHECK(to_hex(hmac_sha256(row.key, row.data)) == row.mac); }
  }
}

TEST_CASE("hex round-trips and rejects what is not hex") {
  CHECK(to_hex(std::string("\x00\x7f\x80\xff", 4)) == "007f80ff");
  CHECK(from_hex("007F80ff").value() == std::string("\x00\x7f\x80\xff", 4));
  CHECK(from_hex("").value().empty());
  for (const char* bad : {"0", "zz", "0g", "00 "}) {
    CAPTURE(bad);
    CHECK_FALSE(from_hex(bad).is_ok());
  }
}

TEST_CASE("source ids are normalized before hashing") {
  struct Row {
    const char* in;
    const char* out;
  };
  const Row rows[] = {
      {"Brandon Freeman", "Brandon Freeman"},
      {"  Brandon   Freeman \t", "Brandon Freeman"},
      {"Brandon\tFreeman", "Brandon Freeman"},
      {"ABC-1", "ABC-1"},
      {"abc-1", "abc-1"},  // case is kept: source ids may be case-sensitive
      {"   ", ""},
      {"", ""},
  };
  for (const Row& row : rows) {
    CAPTURE(row.in);
    CHECK(normalize_source_id(row.in) == row.out);
  }
}

TEST_CASE("pseudonyms are keyed, stable, short and anonymous when empty") {
  const std::string key = from_hex(kHexKey).value();
  const Pseudonymizer p = make(key);

  SUBCASE("known answer (pins the construction: HMAC-SHA256, 'customer:' prefix, 128 bits)") {
    CHECK(p.pseudonym("Azure Interior, Brandon Freeman") == "30f3921cc0105c66959be8f0de78e0de");
    CHECK(p.pseudonym("C-1001") == "f85ebb8fc363da357fd72fd65a9ddaab");
    CHECK(p.pseudonym("C-1001") ==
          to_hex(hmac_sha256(key, "customer:C-1001")).substr(0, kPseudonymHexChars));
  }
  SUBCASE("shape") {
    const std::string id = p.pseudonym("Azure Interior, Brandon Freeman");
    CHECK(id.size() == kPseudonymHexChars);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(id.find("Azure") == std::string::npos);
  }
  SUBCASE("stable, and equal for ids that normalize alike") {
    CHECK(p.pseudonym("C-1001") == make(key).pseudonym("C-1001"));
    CHECK(p.pseudonym(" C-1001 ") == p.pseudonym("C-1001"));
  }
  SUBCASE("different ids and different keys give different pseudonyms") {
    CHECK(p.pseudonym("C-1001") != p.pseudonym("C-1002"));
    CHECK(p.pseudonym("C-1001") != p.pseudonym("c-1001"));
    std::string other_key = key;
    other_key[0] = '\x01';
    CHECK(make(other_key).pseudonym("C-1001") != p.pseudonym("C-1001"));
  }
  SUBCASE("empty ids are anonymous") {
    CHECK(p.pseudonym("").empty());
    CHECK(p.pseudonym(" \t ").empty());
  }
  SUBCASE("a moved-from pseudonymizer hands its key over") {
    Pseudonymizer moved = make(key);
    const Pseudonymizer taken = std::move(moved);
    CHECK(taken.pseudonym("C-1001") == p.pseudonym("C-1001"));
  }
}

TEST_CASE("keys shorter than 32 bytes are refused") {
  CHECK_FALSE(Pseudonymizer::create("").is_ok());
  CHECK_FALSE(Pseudonymizer::create(std::string(31, 'k')).is_ok());
  CHECK(Pseudonymizer::create(std::string(32, 'k')).is_ok());
  CHECK(Pseudonymizer::create(std::string(64, 'k')).is_ok());
}

TEST_CASE("load_or_create_key: key file") {
  const ScopedEnv no_env(kPseudonymKeyEnv, std::nullopt);
  TempDir dir;

  SUBCASE("created with 32 random bytes as hex, mode 0600, whatever the umask") {
    const std::string path = dir.file("demo.db.pseudonym.key");
    const mode_t old_umask = umask(0);
    const Result<std::string> key = load_or_create_key(path);
    umask(old_umask);
    REQUIRE_MESSAGE(key.is_ok(), key.status().message());
    CHECK(key->size() == kMinPseudonymKeyBytes);
    CHECK(file_mode(path) == 0600);
    const std::string text = slurp(path);
    CHECK(text == to_hex(*key) + "\n");

    const Result<std::string> again = load_or_create_key(path);
    REQUIRE(again.is_ok());
    CHECK(*again == *key);

    const std::string other = dir.file("other.key");
    const Result<std::string> fresh = load_or_create_key(other);
    REQUIRE(fresh.is_ok());
    CHECK(*fresh != *key);
  }
  SUBCASE("an existing key file is read; upper case and surrounding space are fine") {
    const std::string path = dir.file("given.key");
    write_file(path, "  " + std::string("ABCDEF0123456789") + kHexKey.substr(16) + "\n\n", 0600);
    const Result<std::string> key = load_or_create_key(path);
    REQUIRE_MESSAGE(key.is_ok(), key.status().message());
    CHECK(to_hex(*key) == "abcdef0123456789" + kHexKey.substr(16));
  }
  SUBCASE("a key file others may read is refused") {
    for (const mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0604}, mode_t{0620}}) {
      CAPTURE(mode);
      const std::string path = dir.file("open.key");
      write_file(path, kHexKey + "\n", mode);
      const Result<std::string> key = load_or_create_key(path);
      REQUIRE_FALSE(key.is_ok());
      CHECK(key.status().code() == ErrorCode::kFailedPrecondition);
      CHECK(key.status().message().find("chmod 600") != std::string::npos);
      CHECK(key.status().message().find(kHexKey) == std::string::npos);
    }
    const std::string path = dir.file("owner-only.key");
    write_file(path, kHexKey + "\n", 0400);
    CHECK(load_or_create_key(path).is_ok());
  }
  SUBCASE("a malformed key file is refused without echoing it") {
    struct Row {
      const char* name;
      std::string text;
    };
    const std::vector<Row> rows = {
        {"empty", ""},
        {"too short", kHexKey.substr(0, 62) + "\n"},
        {"not hex", std::string(64, 'z')},
        {"odd length", kHexKey + "0"},
        {"too large", std::string(5000, 'a')},
    };
    for (const Row& row : rows) {
      CAPTURE(row.name);
      const std::string path = dir.file("bad.key");
      write_file(path, row.text, 0600);
      const Result<std::string> key = load_or_create_key(path);
      REQUIRE_FALSE(key.is_ok());
      CHECK(key.status().code() == ErrorCode::kDataLoss);
      CHECK(key.status().message().find(path) != std::string::npos);
      if (!row.text.empty()) {
        CHECK(key.status().message().find(row.text.substr(0, 20)) == std::string::npos);
      }
    }
  }
  SUBCASE("a directory or a missing directory is an error, not a crash") {
    CHECK_FALSE(load_or_create_key(dir.path()).is_ok());
    CHECK_FALSE(load_or_create_key(dir.path() + "/missing/x.key").is_ok());
    CHECK_FALSE(load_or_create_key("").is_ok());
  }
}

TEST_CASE("load_or_create_key: SHELFCAST_PSEUDONYM_KEY overrides the file") {
  TempDir dir;
  const std::string path = dir.file("never-created.key");

  SUBCASE("a valid key is used and no file is made") {
    const ScopedEnv env(kPseudonymKeyEnv, kHexKey);
    const Result<std::string> key = load_or_create_key(path);
    REQUIRE_MESSAGE(key.is_ok(), key.status().message());
    CHECK(to_hex(*key) == kHexKey);
    CHECK(access(path.c_str(), F_OK) != 0);
  }
  SUBCASE("a longer key is fine") {
    const ScopedEnv env(kPseudonymKeyEnv, kHexKey + kHexKey);
    const Result<std::string> key = load_or_create_key(path);
    REQUIRE(key.is_ok());
    CHECK(key->size() == 64);
  }
  SUBCASE("bad keys are rejected with a clear message that does not echo them") {
    struct Row {
      const char* name;
      std::string value;
      const char* says;
    };
    const std::vector<Row> rows = {
        {"empty", "", "at least 64 hex characters"},
        {"too short", kHexKey.substr(0, 62), "at least 64 hex characters"},
        {"not hex", std::string(63, 'a') + "x", "not valid hex"},
        {"odd length", kHexKey + "a", "not valid hex"},
        {"a passphrase", "correct horse battery staple correct horse battery staple 1234567",
         "not valid hex"},
    };
    for (const Row& row : rows) {
      CAPTURE(row.name);
      const ScopedEnv env(kPseudonymKeyEnv, row.value);
      const Result<std::string> key = load_or_create_key(path);
      REQUIRE_FALSE(key.is_ok());
      CHECK(key.status().code() == ErrorCode::kInvalidArgument);
      CHECK(key.status().field() == kPseudonymKeyEnv);
      CHECK(key.status().message().find(row.says) != std::string::npos);
      CHECK(key.status().message().find(kPseudonymKeyEnv) != std::string::npos);
      if (row.value.size() >= 16) {
        CHECK(key.status().message().find(row.value.substr(0, 16)) == std::string::npos);
      }
      CHECK(access(path.c_str(), F_OK) != 0);
    }
  }
}
