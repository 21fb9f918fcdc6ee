// `_testing`: the decoders on plain buffers, for tests that compare kernels bit for bit and feed
// them corrupt data without writing a file for every case. Not part of the public API.
#include <napi.h>

#include <string>
#include <vector>

#include "decode/bitshuffle.h"
#include "decode/bslz4.h"
#include "decode/decode_error.h"
#include "decode/pipeline.h"
#include "read/chunk_reader.h"
#include "read/decode_counters.h"
#include "read/memory.h"
#include "api/js_error.h"

namespace h5swmr {

namespace {

bitshuffle::Kernel KernelNamed(const std::string& name) {
  for (auto k : {bitshuffle::Kernel::Reference, bitshuffle::Kernel::Scalar, bitshuffle::Kernel::Sse2,
                 bitshuffle::Kernel::Avx2})
    if (name == bitshuffle::Name(k)) {
      if (!bitshuffle::Supported(k)) Fail("ERR_INVALID_ARG", "bitshuffle kernel '" + name + "' does not run on this CPU");
      return k;
    }
  Fail("ERR_INVALID_ARG", "no bitshuffle kernel '" + name + "'");
}

struct Bytes {
  const uint8_t* data;
  size_t size;
};

Bytes BytesOf(const Napi::Value& v) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    Fail("ERR_INVALID_ARG", "expected a Uint8Array");
  Napi::Uint8Array a = v.As<Napi::Uint8Array>();
  return {a.Data(), a.ByteLength()};
}

size_t SizeOf(const Napi::Value& v) {
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 0)) Fail("ERR_INVALID_ARG", "expected a non-negative integer");
  return static_cast<size_t>(d);
}

template <typename F>
Napi::Value Decoding(Napi::Env env, F&& body) {
  return Guarded(env, [&]() -> Napi::Value {
    try {
      return body();
    } catch (const decode::DecodeError& e) {
      throw H5Failure("H5_CORRUPT_CHUNK", e.what());
    }
  });
}

Napi::Value Kernels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  for (auto k : {bitshuffle::Kernel::Reference, bitshuffle::Kernel::Scalar, bitshuffle::Kernel::Sse2,
                 bitshuffle::Kernel::Avx2})
    if (bitshuffle::Supported(k)) out.Set(out.Length(), bitshuffle::Name(k));
  return out;
}

// setBitshuffleKernel(name): the kernel every decoder uses from now on (process-wide).
Napi::Value SetKernel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Guarded(env, [&]() { bitshuffle::SetActive(KernelNamed(info[0].As<Napi::String>().Utf8Value())); });
  return env.Undefined();
}

// bitshuffle(kernel, 'shuffle' | 'unshuffle', bytes, elemSize, blockSize) -> Uint8Array
Napi::Value Bitshuffle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Decoding(env, [&]() -> Napi::Value {
    bitshuffle::Kernel kernel = KernelNamed(info[0].As<Napi::String>().Utf8Value());
    bool shuffle = info[1].As<Napi::String>().Utf8Value() == "shuffle";
    Bytes in = BytesOf(info[2]);
    size_t elemSize = SizeOf(info[3]), blockSize = SizeOf(info[4]);
    if (elemSize == 0 || in.size % elemSize || blockSize % 8) Fail("ERR_INVALID_ARG", "bad element or block size");
    Napi::Uint8Array out = Napi::Uint8Array::New(env, in.size);
    if (shuffle) bitshuffle::ShuffleBuffer(kernel, in.data, out.Data(), in.size / elemSize, elemSize, blockSize);
    else bitshuffle::UnshuffleBuffer(kernel, in.data, out.Data(), in.size / elemSize, elemSize, blockSize);
    return out;
  });
}

// bslz4Encode(bytes, elemSize, blockSize, codec = 'lz4', zstdLevel = 3) -> Uint8Array (a 32008 chunk of
// LZ4 or zstd blocks)
Napi::Value Bslz4Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Decoding(env, [&]() -> Napi::Value {
    Bytes in = BytesOf(info[0]);
    size_t elemSize = SizeOf(info[1]), blockSize = SizeOf(info[2]);
    const bool zstd = info.Length() > 3 && info[3].IsString() && info[3].As<Napi::String>().Utf8Value() == "zstd";
    const decode::BlockCodec codec = zstd ? decode::BlockCodec::Zstd : decode::BlockCodec::Lz4;
    const int level = info.Length() > 4 && info[4].IsNumber() ? info[4].As<Napi::Number>().Int32Value() : 3;
    std::vector<uint8_t> out(decode::Bslz4Bound(in.size, elemSize, blockSize, codec));
    size_t n = decode::EncodeBslz4(in.data, in.size, out.data(), elemSize, blockSize, codec, level);
    Napi::Uint8Array a = Napi::Uint8Array::New(env, n);
    std::copy(out.begin(), out.begin() + n, a.Data());
    return a;
  });
}

// decodeChunk([{ id, cd }], mask, bytes, decodedBytes | Uint8Array) -> Uint8Array, through the read
// pipeline; into the given array (its whole length) when one is passed (the bench's decode limit).
Napi::Value DecodeChunk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Decoding(env, [&]() -> Napi::Value {
    std::vector<decode::FilterStep> steps;
    Napi::Array filters = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < filters.Length(); i++) {
      Napi::Object f = filters.Get(i).As<Napi::Object>();
      decode::FilterStep step;
      step.id = f.Get("id").As<Napi::Number>().Uint32Value();
      Napi::Array cd = f.Get("cd").As<Napi::Array>();
      for (uint32_t k = 0; k < cd.Length(); k++) step.cd.push_back(cd.Get(k).As<Napi::Number>().Uint32Value());
      std::string why = decode::WhyNotDecodable(step);
      if (!why.empty()) Fail("ERR_INVALID_ARG", why);
      steps.push_back(std::move(step));
    }
    uint32_t mask = info[1].As<Napi::Number>().Uint32Value();
    Bytes in = BytesOf(info[2]);
    if (info[3].IsTypedArray()) {
      Bytes into = BytesOf(info[3]);
      decode::DecodeChunk(steps, mask, in.data, in.size, const_cast<uint8_t*>(into.data), into.size);
      return info[3];
    }
    Napi::Uint8Array out = Napi::Uint8Array::New(env, SizeOf(info[3]));
    decode::DecodeChunk(steps, mask, in.data, in.size, out.Data(), out.ByteLength());
    return out;
  });
}

// peakConcurrentDecodes(reset?) -> most chunk decodes running at once (since the last reset).
Napi::Value PeakDecodes(const Napi::CallbackInfo& info) {
  bool reset = info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
  return Napi::Number::New(info.Env(), static_cast<double>(PeakConcurrentDecodes(reset)));
}

// awaitConcurrentDecodes(n, timeoutMs = 5000): the next decodes wait until n of them run at once.
Napi::Value AwaitDecodes(const Napi::CallbackInfo& info) {
  int timeout = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 5000;
  AwaitConcurrentDecodes(static_cast<size_t>(info[0].As<Napi::Number>().Uint32Value()), timeout);
  return info.Env().Undefined();
}

// setFetchBatchBytes(bytes) -> the previous batch size of big direct reads.
Napi::Value SetBatchBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(SetFetchBatchBytes(static_cast<size_t>(info[0].As<Napi::Number>().DoubleValue()))));
}

// mallocInUse() -> { known, inUse, keptFree } bytes (glibc mallinfo2), for memory benchmarks.
Napi::Value MallocUseInfo(const Napi::CallbackInfo& info) {
  const MallocUse use = MallocInUse();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("known", use.known);
  o.Set("inUse", static_cast<double>(use.inUse));
  o.Set("keptFree", static_cast<double>(use.keptFree));
  return o;
}

}  // namespace

Napi::Object DecodeTestingExports(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("kernels", Napi::Function::New<Entry<Kernels>>(env));
  o.Set("setBitshuffleKernel", Napi::Function::New<Entry<SetKernel>>(env));
  o.Set("bitshuffle", Napi::Function::New<Entry<Bitshuffle>>(env));
  o.Set("bslz4Encode", Napi::Function::New<Entry<Bslz4Encode>>(env));
  o.Set("decodeChunk", Napi::Function::New<Entry<DecodeChunk>>(env));
  o.Set("peakConcurrentDecodes", Napi::Function::New<Entry<PeakDecodes>>(env));
  o.Set("awaitConcurrentDecodes", Napi::Function::New<Entry<AwaitDecodes>>(env));
  o.Set("setFetchBatchBytes", Napi::Function::New<Entry<SetBatchBytes>>(env));
  o.Set("mallocInUse", Napi::Function::New<Entry<MallocUseInfo>>(env));
  return o;
}

}  // namespace h5swmr
