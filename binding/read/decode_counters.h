// Decodes in progress, counted for the tests that check reads in flight do decode side by side:
// production pays two relaxed atomics per chunk. The gate (AwaitConcurrentDecodes) is for tests only:
// armed, the next decodes wait (up to a timeout) until that many run at once, then it disarms, so the
// concurrency is seen however late the scheduler starts a pool thread.
#pragma once
#include <cstddef>

namespace h5swmr {

// One chunk's work outside the lock (its bytes' pread, its decode), for as long as it lives.
struct DecodeScope {
  DecodeScope();
  ~DecodeScope();
  DecodeScope(const DecodeScope&) = delete;
  DecodeScope& operator=(const DecodeScope&) = delete;
};

// Most chunk decodes seen running at the same time since the last reset.
size_t PeakConcurrentDecodes(bool reset);
// Tests: the next decodes wait (up to timeoutMs) until n have run at once.
void AwaitConcurrentDecodes(size_t n, int timeoutMs);

}  // namespace h5swmr
