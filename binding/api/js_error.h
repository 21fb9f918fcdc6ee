// The boundary: a failure of the layers below becomes a thrown or returned JS H5Error.
#pragma once
#include <napi.h>

#include "hdf5/errors.h"

namespace h5swmr {

// JS side: make an H5Error object (the class the TS layer registered) from a failure.
Napi::Value MakeJsError(Napi::Env env, const H5Failure& failure);
[[noreturn]] void ThrowJs(Napi::Env env, const H5Failure& failure);

// Run a method body; convert H5Failure into a thrown JS H5Error.
template <typename F>
auto Guarded(Napi::Env env, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const H5Failure& failure) {
    ThrowJs(env, failure);
  }
}

}  // namespace h5swmr
