#include "auth/tokens.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "governance/pseudonym.h"

namespace shelfcast::server {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

Result<std::string> generate_token() {
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) {
    return Status(ErrorCode::kUnavailable, "the system random generator failed");
  }
  return "sc_" + to_hex(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
}

}  // namespace shelfcast::server
