#pragma once

namespace retort::testing {

// Makes file permission bits bind this process and every process it starts,
// even as root (CI runs the tests as root): gives up CAP_DAC_OVERRIDE and
// CAP_DAC_READ_SEARCH, the capabilities that bypass them, from the effective,
// permitted, inheritable, ambient and bounding sets. A read-only file then
// means to the test what it means to any other user. Irreversible for the
// process, which is why each test runs in a process of its own (ctest).
// Throws std::runtime_error when the capabilities cannot be dropped.
void enforce_file_permissions();

}  // namespace retort::testing
