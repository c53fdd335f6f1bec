// The sandbox's network: a private network namespace whose only interface is
// loopback. Creating a network namespace costs ~0.5 ms, so each slot keeps
// one (pinned by a bind mount of its nsfs file, inside a mount namespace kept
// for the pins alone) and its sequential runs reuse it while no socket is
// left in it; runs of different slots never share one.
#ifndef GOGRADER_SANDBOX_NETWORK_H_
#define GOGRADER_SANDBOX_NETWORK_H_

#include <string>

#include "absl/status/status.h"

namespace gograder::sandbox {

// Sets the loopback interface of the caller's network namespace up.
absl::Status BringLoopbackUp();

// Moves the calling process into slot `slot`'s network namespace, creating it
// (with loopback up and nothing else) on first use. The namespace belongs to
// the host's user namespace, so nothing inside a sandbox can reconfigure it.
// Needs root; the caller must hold the slot's lock.
absl::Status EnterSlotNetwork(const std::string& state_dir, int slot);

}  // namespace gograder::sandbox

#endif  // GOGRADER_SANDBOX_NETWORK_H_
