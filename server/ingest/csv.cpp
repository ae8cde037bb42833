#include "ingest/csv.h"

#include <cstdint>

namespace shelfcast::server {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace

CsvReader::CsvReader(std::string_view content) : content_(content) {
  if (content_.substr(0, kUtf8Bom.size()) == kUtf8Bom) pos_ = kUtf8Bom.size();
}

bool CsvReader::consume_line_break() {
  if (pos_ >= content_.size()) return false;
  if (content_[pos_] == '\r') {
    ++pos_;
    if (pos_ < content_.size() && content_[pos_] == '\n') ++pos_;
  } else if (content_[pos_] == '\n') {
    ++pos_;
  } else {
    return false;
  }
  ++line_;
  return true;
}

void CsvReader::skip_rest_of_line() {
  const size_t end = content_.find_first_of("\r\n", pos_);
  pos_ = end == std::string_view::npos ? content_.size() : end;
  consume_line_break();
}

bool CsvReader::next(CsvRecord* record) {
  record->fields.clear();
  record->error.clear();
  while (consume_line_break()) {
  }  // blank lines are not records
  const size_t size = content_.size();
  if (pos_ >= size) return false;
  record->line = line_;

  std::string field;
  for (;;) {
    field.clear();
    if (pos_ < size && content_[pos_] == '"') {
      ++pos_;
      const int open_line = line_;
      bool closed = false;
      while (pos_ < size) {
        const size_t stop = content_.find_first_of("\"\r\n", pos_);
        if (stop == std::string_view::npos) {
          field.append(content_.substr(pos_));
          pos_ = size;
          break;
        }
        field.append(content_.substr(pos_, stop - pos_));
        pos_ = stop;
        if (content_[pos_] == '"') {
          if (pos_ + 1 < size && content_[pos_ + 1] == '"') {
            field += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        // A line break inside the quotes is data; keep its bytes and count the line.
        const size_t before = pos_;
        consume_line_break();
        field.append(content_.substr(before, pos_ - before));
      }
      record->fields.push_back(std::move(field));
      if (!closed) {
        record->error =
            "unterminated quoted field (the quote opens on line " + std::to_string(open_line) + ")";
        return true;
      }
      if (pos_ >= size) return true;
      if (content_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (consume_line_break()) return true;
      record->error =
          "unexpected text after a closing quote (a quote inside a quoted field must be doubled)";
      skip_rest_of_line();
      return true;
    }

    size_t end = content_.find_first_of(",\r\n", pos_);
    if (end == std::string_view::npos) end = size;
    field.assign(content_.substr(pos_, end - pos_));
    pos_ = end;
    record->fields.push_back(std::move(field));
    if (pos_ >= size) return true;
    if (content_[pos_] == ',') {
      ++pos_;
      continue;
    }
    consume_line_break();
    return true;
  }
}

size_t utf8_error(std::string_view text) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c >= 0x01 && c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong forms
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;  // NUL, a stray continuation byte, C0/C1 overlong leads or F5..FF
    }
    if (i + len > n) return i;
    const auto second = static_cast<uint8_t>(text[i + 1]);
    if (second < lo || second > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      const auto b = static_cast<uint8_t>(text[i + k]);
      if (b < 0x80 || b > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace shelfcast::server
