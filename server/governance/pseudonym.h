#pragma once
// Keyed pseudonyms for customers, made at the door: ingest replaces a customer's source id or
// display name (a person's name, in Odoo) with HMAC-SHA256(key, "customer:" + normalized id), so
// the same customer gets the same pseudonym in every batch while nobody without the key can link a
// pseudonym back to a name (a plain hash could be reversed by hashing a list of names).
//
// The pseudonym is the first 128 bits of the MAC as 32 lowercase hex characters: collisions stay
// negligible (about 1e-20 for a million customers) and the ids stay short in tables and URLs.
//
// The key is 32+ random bytes. It comes from the environment variable SHELFCAST_PSEUDONYM_KEY
// (hex) when set, else from a key file beside the database (`<db path>.pseudonym.key`, created on
// first use with mode 0600). Losing the key breaks the link between old and new pseudonyms; leaking
// it lets the holder test guesses of names, so keep it out of backups shared with analysts.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "shelfcast/result.h"

namespace shelfcast::server {

/// Smallest key the pseudonymizer accepts, in bytes (the HMAC-SHA256 output size).
inline constexpr size_t kMinPseudonymKeyBytes = 32;
/// Hex characters in a pseudonym (128 bits).
inline constexpr size_t kPseudonymHexChars = 32;
/// Environment variable that overrides the key file; hex, at least 64 characters.
inline constexpr const char* kPseudonymKeyEnv = "SHELFCAST_PSEUDONYM_KEY";

/// HMAC-SHA256 of `data` under `key`: 32 raw bytes (empty only if OpenSSL fails).
std::string hmac_sha256(std::string_view key, std::string_view data);

/// Lowercase hex of raw bytes.
std::string to_hex(std::string_view bytes);

/// Raw bytes of a hex string (either case, even length); an error names what is wrong.
Result<std::string> from_hex(std::string_view hex);

/// The form of a source id that is hashed: ASCII whitespace trimmed at both ends and runs of it
/// inside collapsed to one space; case is kept (source ids may be case-sensitive).
std::string normalize_source_id(std::string_view source_id);

/// Turns customer source ids into keyed pseudonyms; holds the key and wipes it when destroyed.
class Pseudonymizer {
 public:
  /// A pseudonymizer over raw key bytes; an error when the key is shorter than 32 bytes or
  /// OpenSSL cannot compute HMAC-SHA256.
  static Result<Pseudonymizer> create(std::string key);

  Pseudonymizer(Pseudonymizer&& other) noexcept;
  Pseudonymizer& operator=(Pseudonymizer&& other) noexcept;
  Pseudonymizer(const Pseudonymizer&) = delete;
  Pseudonymizer& operator=(const Pseudonymizer&) = delete;
  ~Pseudonymizer();

  /// 32 lowercase hex characters of HMAC-SHA256(key, "customer:" + normalize_source_id(id)); the
  /// empty string (anonymous) when the normalized id is empty.
  std::string pseudonym(std::string_view source_id) const;

 private:
  explicit Pseudonymizer(std::string key) : key_(std::move(key)) {}
  void wipe();

  std::string key_;
};

/// The pseudonymization key as raw bytes: from SHELFCAST_PSEUDONYM_KEY when set (hex, 64+
/// characters, else an error), else read from `key_file`, which is created with 32 random bytes
/// (as hex, mode 0600) when missing. An existing key file must be a regular file that neither
/// group nor others may access, and hold 64+ hex characters. Never puts key material in a message.
Result<std::string> load_or_create_key(const std::string& key_file);

}  // namespace shelfcast::server
