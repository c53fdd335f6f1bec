#include "grader/store/store_backends_testing.h"

#include <filesystem>

namespace gograder::store {

std::vector<StoreBackend> StoreBackends() {
  return {
      StoreBackend{"Sqlite",
                   [](const std::string& dir, const StoreOptions& options) {
                     return OpenSqliteStore((std::filesystem::path(dir) / "gograder.db").string(),
                                            options);
                   }},
  };
}

void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

}  // namespace gograder::store
