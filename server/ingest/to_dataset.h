#pragma once
// Maps a parsed ingest batch (codes and pseudonyms) onto the canonical Dataset (dense indexes),
// so ingest and the demo generator share one load path into the store.

#include "ingest/ingest.h"
#include "shelfcast/types.h"

namespace shelfcast::server {

/// One store, product, category and customer entry per distinct code / pseudonym, in order of
/// first appearance; promotions named by code become Promotion records with depth 0 (their terms
/// are not in a sales export) unless a line's discount gives one.
Dataset to_dataset(const IngestBatch& batch);

}  // namespace shelfcast::server
