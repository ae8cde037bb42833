#pragma once
// An RFC 4180 CSV reader over a buffer in memory, for ingest and every CLI command that reads CSV.
//
// Dialect: comma separator; records end with CRLF, LF or a lone CR; a field that starts with '"' is
// quoted and may hold commas, line breaks and doubled quotes (""); a '"' inside an unquoted field
// is kept literally (lenient, like Python's csv); completely empty lines are skipped; a leading
// UTF-8 byte order mark is dropped. Line numbers are physical lines, 1-based, of the line where a
// record starts, so a message can point at the record even when a quoted field spans several lines.
// Bytes are passed through untouched: check encodings with utf8_error().

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace shelfcast::server {

/// One record of a CSV file.
struct CsvRecord {
  std::vector<std::string> fields;  ///< unquoted field values, in column order
  int line = 0;                     ///< physical line (1-based) where the record starts
  std::string error;  ///< empty, or why the record is malformed (its fields are then incomplete)
};

/// Reads records one at a time from a buffer that must outlive the reader.
class CsvReader {
 public:
  /// A reader positioned at the start of `content` (after a UTF-8 byte order mark, if any).
  explicit CsvReader(std::string_view content);

  /// Reads the next record into `record`; false at the end of the input. A malformed record
  /// (unterminated quote, text after a closing quote) comes back with `error` set, and reading
  /// resumes at the next line.
  bool next(CsvRecord* record);

  /// The physical line the reader is on (1-based); after the end, the last line plus one if the
  /// input ends with a line break.
  int line() const { return line_; }

 private:
  /// Consumes a line break at pos_ if there is one (CRLF, LF or CR) and counts it.
  bool consume_line_break();
  /// Skips to just after the next line break (or the end), for resynchronising after an error.
  void skip_rest_of_line();

  std::string_view content_;
  size_t pos_ = 0;
  int line_ = 1;
};

/// Byte offset of the first byte in `text` that is not well-formed UTF-8 (overlong forms,
/// surrogates, code points above U+10FFFF and NUL count as malformed), or npos when all is well.
size_t utf8_error(std::string_view text);

/// A field for CSV output, quoted when it holds a separator, a quote or a line break (RFC 4180).
std::string csv_field(const std::string& text);

}  // namespace shelfcast::server
