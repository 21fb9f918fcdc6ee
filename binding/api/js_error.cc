#include "api/js_error.h"

#include "api/env_data.h"

namespace h5swmr {

Napi::Value MakeJsError(Napi::Env env, const H5Failure& failure) {
  Napi::Array frames = Napi::Array::New(env, failure.stack.size());
  for (size_t i = 0; i < failure.stack.size(); i++) {
    const auto& f = failure.stack[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("function", f.function);
    o.Set("description", f.description);
    o.Set("major", f.major);
    o.Set("minor", f.minor);
    o.Set("file", f.file);
    o.Set("line", f.line);
    frames.Set(i, o);
  }
  AddonData* data = GetAddonData(env);
  if (data && !data->errorClass.IsEmpty()) {
    return data->errorClass.New({Napi::String::New(env, failure.what()),
                                 Napi::String::New(env, failure.code), frames});
  }
  Napi::Error error = Napi::Error::New(env, failure.what());
  error.Set("code", failure.code);
  error.Set("hdf5Stack", frames);
  return error.Value();
}

void ThrowJs(Napi::Env env, const H5Failure& failure) {
  throw Napi::Error(env, MakeJsError(env, failure));
}

}  // namespace h5swmr
