#pragma once
// An aligned text table for the human-readable output of the client commands (`topic list`,
// `group describe`, ...): a header row in upper case, then one row per entry, columns padded
// to their widest cell and separated by two spaces, no trailing blanks. Cells are printed as
// given (callers pass "-" for "no value").

#include <ostream>
#include <string>
#include <vector>

namespace lkstream::app {

class text_table {
 public:
  explicit text_table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

  /// A row with as many cells as there are headers (missing cells print empty).
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

  bool empty() const { return rows_.empty(); }

  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace lkstream::app
