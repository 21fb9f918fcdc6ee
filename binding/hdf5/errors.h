// Failures inside the addon: a stable code plus the HDF5 error stack (api/js_error.h turns them into
// JS H5Errors).
#pragma once
#include <hdf5.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace h5swmr {

struct StackFrame {
  std::string function;
  std::string description;
  std::string major;
  std::string minor;
  std::string file;
  unsigned line = 0;
};

// Thrown by C++ code that runs under the HDF5 lock; converted to a JS error at the boundary.
class H5Failure : public std::runtime_error {
 public:
  H5Failure(std::string code, std::string message, std::vector<StackFrame> stack = {})
      : std::runtime_error(message), code(std::move(code)), stack(std::move(stack)) {}
  std::string code;
  std::vector<StackFrame> stack;
};

// Take (and clear) this thread's HDF5 error stack.
std::vector<StackFrame> TakeErrorStack();

// Build a failure from the current HDF5 error stack. `what` says what we were doing; the code is
// classified from the stack (locks, SWMR flags, signatures, filters, missing objects), else
// `fallbackCode`. Call only under the HDF5 lock.
H5Failure Hdf5Failure(const std::string& what, const std::string& fallbackCode);
[[noreturn]] void ThrowHdf5(const std::string& what, const std::string& fallbackCode);

// A structure libhdf5 found damaged: H5_CORRUPT whatever the stack says, with the stack.
[[noreturn]] void ThrowDamaged(const std::string& what);

// A failure of our own making (no HDF5 stack).
[[noreturn]] void Fail(const std::string& code, const std::string& message);

}  // namespace h5swmr
