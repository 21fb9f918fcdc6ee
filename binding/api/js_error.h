// The boundary: a failure of the layers below becomes a thrown or returned JS H5Error.
#pragma once
#include <napi.h>

#include <exception>
#include <new>
#include <string>

#include "hdf5/errors.h"

namespace h5swmr {

// JS side: make an H5Error object (the class the TS layer registered) from a failure.
Napi::Value MakeJsError(Napi::Env env, const H5Failure& failure);
[[noreturn]] void ThrowJs(Napi::Env env, const H5Failure& failure);

// Run a body at the boundary: whatever C++ exception it throws becomes a thrown JS H5Error with a
// code (H5Failure's own; H5_OUT_OF_MEMORY for a failed allocation; H5_ERROR naming anything else).
// A JS exception already on its way (Napi::Error) passes through. No C++ exception reaches N-API.
template <typename F>
auto Guarded(Napi::Env env, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const H5Failure& failure) {
    ThrowJs(env, failure);
  } catch (const std::bad_alloc&) {
    ThrowJs(env, H5Failure("H5_OUT_OF_MEMORY", "Out of memory (an allocation failed; a damaged file can ask for sizes no read needs)"));
  } catch (const std::exception& e) {
    ThrowJs(env, H5Failure("H5_ERROR", std::string("Internal error: ") + e.what()));
  } catch (...) {
    ThrowJs(env, H5Failure("H5_ERROR", "Internal error (an unknown C++ exception)"));
  }
}

// Every method of a native class is registered through its class's Entry<&Class::Method>: the whole
// body, argument checks included, runs inside Guarded. Declare in the class with H5SWMR_ENTRY(Class).
#define H5SWMR_ENTRY(Class)                                                            \
  template <Napi::Value (Class::*Method)(const Napi::CallbackInfo&)>                   \
  Napi::Value Entry(const Napi::CallbackInfo& info) {                                  \
    return ::h5swmr::Guarded(info.Env(), [&]() { return (this->*Method)(info); });     \
  }

// A module function, likewise: Napi::Function::New<Entry<&Function>>.
template <Napi::Value (*Function)(const Napi::CallbackInfo&)>
Napi::Value Entry(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() { return Function(info); });
}

}  // namespace h5swmr
