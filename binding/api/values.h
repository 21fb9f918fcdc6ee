// Values read into memory (read/value_read.h) as JS, column by column: a typed array per numeric
// leaf (every element's number at once, not one JS number each), an array of strings, an object of
// columns for a compound. lib/core/values.ts turns columns into records and elements; the type
// description (`TypeToJs`) says how.
#pragma once
#include <napi.h>

#include "hdf5/value_type.h"
#include "read/value_read.h"

namespace h5swmr {

// { kind, dtype, size, members?, base?, dims?, enumMembers?, tag?, ... } for lib/core/values.ts.
Napi::Object TypeToJs(Napi::Env env, const ValueType& type);

// { type?, count, scalar, empty, columns }. On the JS thread; takes the HDF5 lock where references
// must be resolved. `withType`: describe the type too (a dataset's JS side already knows its own).
Napi::Object ValuesToJs(Napi::Env env, const ValueBuffer& buffer, bool withType);

}  // namespace h5swmr
