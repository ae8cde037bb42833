#include "governance/pseudonym.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace shelfcast::server {

namespace {

constexpr std::string_view kCustomerDomain = "customer:";
constexpr size_t kMinKeyHexChars = 2 * kMinPseudonymKeyBytes;
constexpr size_t kMaxKeyFileBytes = 4096;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Wipes a string that held key material.
void cleanse(std::string* text) {
  if (!text->empty()) OPENSSL_cleanse(text->data(), text->size());
  text->clear();
}

/// Decodes a hex key from the environment or a key file; `source` names it in messages.
Result<std::string> decode_key(std::string_view text, const std::string& source, ErrorCode code) {
  text = trim(text);
  if (text.size() < kMinKeyHexChars) {
    return Status(code, source + ": the pseudonym key must be at least " +
                            std::to_string(kMinKeyHexChars) + " hex characters (" +
                            std::to_string(kMinPseudonymKeyBytes) + " bytes), it has " +
                            std::to_string(text.size()));
  }
  Result<std::string> key = from_hex(text);
  if (!key.is_ok()) {
    return Status(code,
                  source + ": the pseudonym key is not valid hex (" + key.status().message() + ")");
  }
  return key;
}

std::string errno_text(int error) { return std::strerror(error); }

Result<std::string> read_key_file(int fd, const std::string& key_file) {
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    return failed_precondition("cannot stat key file " + key_file + ": " + errno_text(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    return failed_precondition("key file " + key_file + " is not a regular file");
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return failed_precondition("key file " + key_file + " is accessible by group or others (mode " +
                               mode + "); run: chmod 600 " + key_file);
  }
  std::string text;
  char buffer[512];
  for (;;) {
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      cleanse(&text);
      return failed_precondition("cannot read key file " + key_file + ": " + errno_text(errno));
    }
    if (got == 0) break;
    text.append(buffer, static_cast<size_t>(got));
    if (text.size() > kMaxKeyFileBytes) {
      OPENSSL_cleanse(buffer, sizeof buffer);
      cleanse(&text);
      return Status(ErrorCode::kDataLoss, "key file " + key_file + " is larger than " +
                                              std::to_string(kMaxKeyFileBytes) +
                                              " bytes; it is not a pseudonym key");
    }
  }
  OPENSSL_cleanse(buffer, sizeof buffer);
  Result<std::string> key = decode_key(text, "key file " + key_file, ErrorCode::kDataLoss);
  cleanse(&text);
  return key;
}

Result<std::string> read_existing_key(const std::string& key_file) {
  const int fd = open(key_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return failed_precondition("cannot open key file " + key_file + ": " + errno_text(errno));
  }
  Result<std::string> key = read_key_file(fd, key_file);
  close(fd);
  return key;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t wrote = write(fd, data.data(), data.size());
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(wrote));
  }
  return true;
}

/// Creates the key file with a fresh random key; if another process created it first, reads it.
Result<std::string> create_key_file(const std::string& key_file) {
  const int fd = open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return read_existing_key(key_file);
    return failed_precondition("cannot create key file " + key_file + ": " + errno_text(errno));
  }
  std::string key(kMinPseudonymKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    close(fd);
    unlink(key_file.c_str());
    return internal_error("cannot create key file " + key_file +
                          ": the random number generator failed");
  }
  std::string text = to_hex(key) + "\n";
  // The umask can only take bits away from 0600; fchmod makes the mode exact.
  bool ok = fchmod(fd, 0600) == 0 && write_all(fd, text) && fsync(fd) == 0;
  int error = errno;
  cleanse(&text);
  if (close(fd) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (!ok) {
    cleanse(&key);
    unlink(key_file.c_str());  // never leave a truncated key behind
    return failed_precondition("cannot write key file " + key_file + ": " + errno_text(error));
  }
  return key;
}

/// The process-wide HMAC implementation, fetched once (fetching is the slow part in OpenSSL 3).
EVP_MAC* hmac_algorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  return mac;
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
  EVP_MAC* mac = hmac_algorithm();
  if (mac == nullptr) return {};
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  if (ctx == nullptr) return {};
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t out_len = 0;
  static const unsigned char kNoKey = 0;
  const auto* key_bytes =
      key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data());
  const bool ok =
      EVP_MAC_init(ctx, key_bytes, key.size(), params) == 1 &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
      EVP_MAC_final(ctx, out, &out_len, sizeof out) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) return {};
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

Result<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return invalid_argument("odd number of hex characters");
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_value(hex[i]);
    const int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      cleanse(&out);
      return invalid_argument("a character at offset " + std::to_string(hi < 0 ? i : i + 1) +
                              " is not a hex digit");
    }
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string normalize_source_id(std::string_view source_id) {
  source_id = trim(source_id);
  std::string out;
  out.reserve(source_id.size());
  bool in_space = false;
  for (const char c : source_id) {
    if (is_space(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out += ' ';
    in_space = false;
    out += c;
  }
  return out;
}

Result<Pseudonymizer> Pseudonymizer::create(std::string key) {
  if (key.size() < kMinPseudonymKeyBytes) {
    cleanse(&key);
    return invalid_argument("the pseudonym key must be at least " +
                            std::to_string(kMinPseudonymKeyBytes) + " bytes");
  }
  // pseudonym() cannot fail, so check once here that OpenSSL's HMAC works at all.
  if (hmac_sha256(key, kCustomerDomain).size() != 32) {
    cleanse(&key);
    return internal_error("HMAC-SHA256 is unavailable in this OpenSSL");
  }
  return Pseudonymizer(std::move(key));
}

Pseudonymizer::Pseudonymizer(Pseudonymizer&& other) noexcept : key_(std::move(other.key_)) {
  other.wipe();
}

Pseudonymizer& Pseudonymizer::operator=(Pseudonymizer&& other) noexcept {
  if (this != &other) {
    wipe();
    key_ = std::move(other.key_);
    other.wipe();
  }
  return *this;
}

Pseudonymizer::~Pseudonymizer() { wipe(); }

void Pseudonymizer::wipe() { cleanse(&key_); }

std::string Pseudonymizer::pseudonym(std::string_view source_id) const {
  const std::string normalized = normalize_source_id(source_id);
  if (normalized.empty()) return {};
  std::string message;
  message.reserve(kCustomerDomain.size() + normalized.size());
  message.append(kCustomerDomain).append(normalized);
  std::string hex = to_hex(hmac_sha256(key_, message));
  if (hex.size() < kPseudonymHexChars) return {};  // OpenSSL failed after create() checked it
  hex.resize(kPseudonymHexChars);
  return hex;
}

Result<std::string> load_or_create_key(const std::string& key_file) {
  if (const char* env = std::getenv(kPseudonymKeyEnv); env != nullptr) {
    Result<std::string> key =
        decode_key(env, std::string(kPseudonymKeyEnv), ErrorCode::kInvalidArgument);
    if (!key.is_ok()) {
      return Status(ErrorCode::kInvalidArgument, key.status().message(), kPseudonymKeyEnv);
    }
    return key;
  }
  if (key_file.empty()) return invalid_argument("no pseudonym key file given");
  const int fd = open(key_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    Result<std::string> key = read_key_file(fd, key_file);
    close(fd);
    return key;
  }
  if (errno != ENOENT) {
    return failed_precondition("cannot open key file " + key_file + ": " + errno_text(errno));
  }
  return create_key_file(key_file);
}

}  // namespace shelfcast::server
