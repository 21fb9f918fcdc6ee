// One zstd context per thread and direction, shared by the decoders that use zstd (a context per
// call would allocate each time; contexts are not thread-safe, threads are the decode pool's).
#pragma once
#include <zstd.h>

#include <memory>
#include <new>

namespace h5swmr::decode {

inline ZSTD_DCtx* ThreadZstdDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) throw std::bad_alloc();
  return ctx.get();
}

inline ZSTD_CCtx* ThreadZstdCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> ctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  if (!ctx) throw std::bad_alloc();
  return ctx.get();
}

}  // namespace h5swmr::decode
