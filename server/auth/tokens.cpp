#include "auth/tokens.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace shelfcast::server {
namespace {

std::string to_hex(const unsigned char* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return to_hex(digest, length);
}

Result<std::string> generate_token() {
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) {
    return Status(ErrorCode::kUnavailable, "the system random generator failed");
  }
  return "sc_" + to_hex(random, sizeof random);
}

}  // namespace shelfcast::server
