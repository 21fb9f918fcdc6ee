#include "read/decode_counters.h"

#include <atomic>
#include <chrono>
#include <thread>

namespace h5swmr {

namespace {

std::atomic<size_t> runningDecodes{0}, peakDecodes{0}, decodeGate{0};
std::atomic<int> decodeGateMs{5000};

}  // namespace

DecodeScope::DecodeScope() {
  size_t now = runningDecodes.fetch_add(1, std::memory_order_relaxed) + 1;
  size_t peak = peakDecodes.load(std::memory_order_relaxed);
  while (now > peak && !peakDecodes.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
  if (size_t gate = decodeGate.load(std::memory_order_relaxed)) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(decodeGateMs.load());
    while (peakDecodes.load() < gate && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    decodeGate.store(0);
  }
}

DecodeScope::~DecodeScope() { runningDecodes.fetch_sub(1, std::memory_order_relaxed); }

size_t PeakConcurrentDecodes(bool reset) {
  return reset ? peakDecodes.exchange(0) : peakDecodes.load();
}

void AwaitConcurrentDecodes(size_t n, int timeoutMs) {
  decodeGateMs.store(timeoutMs);
  peakDecodes.store(0);
  decodeGate.store(n);
}

}  // namespace h5swmr
