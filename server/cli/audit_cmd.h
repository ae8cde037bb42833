#pragma once
// `shelfcast audit`: checks the audit log's hash chain.

namespace shelfcast::server {

/// `shelfcast audit verify --db PATH`: 0 when the chain is intact, 1 naming the first bad entry.
int cmd_audit(int argc, char** argv);

}  // namespace shelfcast::server
