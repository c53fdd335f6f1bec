#include "grader/server/catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_replace.h"
#include "base/status_matchers.h"
#include "grader/server/service_testing.h"

namespace gograder::server {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;

constexpr char kExercise[] = "phase1/concurrent-web-scraper";
constexpr char kCopy[] = "phase1/copied-scraper";

std::vector<std::string> Ids(const ExerciseCatalog& catalog) {
  std::vector<std::string> ids;
  for (const ExerciseCatalog::Bundle& bundle : catalog.List()) ids.push_back(bundle->exercise.id());
  return ids;
}

// A copy of the repository's phase 1 with its one exercise.
class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(rubrics_ / "phase1");
    fs::copy(fs::path(GOGRADER_SOURCE_DIR) / "rubrics/phase1/phase.textproto", rubrics_ / "phase1");
    fs::copy(fs::path(GOGRADER_SOURCE_DIR) / "rubrics" / kExercise, rubrics_ / kExercise,
             fs::copy_options::recursive);
  }

  // Copies the exercise to `id`, with exercise.textproto's id replaced by `new_id`.
  void CopyExercise(const std::string& id, const std::string& new_id) {
    fs::copy(rubrics_ / kExercise, rubrics_ / id, fs::copy_options::recursive);
    fs::path file = rubrics_ / id / "exercise.textproto";
    std::stringstream text;
    text << std::ifstream(file).rdbuf();
    std::ofstream(file, std::ios::trunc) << absl::StrReplaceAll(
        text.str(),
        {{absl::StrCat("id: \"", kExercise, "\""), absl::StrCat("id: \"", new_id, "\"")}});
  }

  TempDir dir_{"gograder_catalog_test_"};
  fs::path rubrics_ = fs::path(dir_.path()) / "rubrics";
};

TEST(CatalogOfTheRepository, EveryExerciseLoadsAndValidates) {
  auto catalog = ExerciseCatalog::Load(GOGRADER_SOURCE_DIR "/rubrics");
  ASSERT_OK(catalog);
  EXPECT_THAT(Ids(**catalog), ElementsAreArray(ExerciseIdsIn(GOGRADER_SOURCE_DIR "/rubrics")));
  EXPECT_THAT(Ids(**catalog),
              IsSupersetOf({"phase1/concurrent-web-scraper", "phase2/high-performance-cache",
                            "phase3/generic-collections"}));
}

TEST_F(CatalogTest, FindsLoadedExercisesOnly) {
  auto catalog = ExerciseCatalog::Load(rubrics_.string());
  ASSERT_OK(catalog);
  auto found = (*catalog)->Find(kExercise);
  ASSERT_OK(found);
  EXPECT_EQ((*found)->exercise.id(), kExercise);
  EXPECT_FALSE((*found)->hidden_tests.empty());
  auto unknown = (*catalog)->Find("phase1/nope");
  EXPECT_THAT(unknown,
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown exercise \"phase1/nope\"")));
}

TEST_F(CatalogTest, ReloadTakesAddedChangedAndRemovedExercises) {
  auto catalog = ExerciseCatalog::Load(rubrics_.string());
  ASSERT_OK(catalog);
  ExerciseCatalog::Bundle before = *(*catalog)->Find(kExercise);

  CopyExercise(kCopy, kCopy);
  std::ofstream(rubrics_ / kExercise / "exercise.textproto", std::ios::app)
      << "# a comment changes the digest\n";
  auto reloaded = (*catalog)->Reload();
  ASSERT_OK(reloaded);
  EXPECT_EQ(reloaded->exercises(), 2);
  EXPECT_THAT(reloaded->added(), ElementsAre(kCopy));
  EXPECT_THAT(reloaded->changed(), ElementsAre(kExercise));
  EXPECT_THAT(reloaded->removed(), IsEmpty());
  EXPECT_THAT(Ids(**catalog), ElementsAre(kExercise, kCopy));
  EXPECT_OK((*catalog)->Find(kCopy));
  EXPECT_NE((*(*catalog)->Find(kExercise))->digest, before->digest);
  EXPECT_EQ(before->exercise.id(), kExercise);  // a grading's bundle outlives the reload

  fs::remove_all(rubrics_ / kCopy);
  reloaded = (*catalog)->Reload();
  ASSERT_OK(reloaded);
  EXPECT_THAT(reloaded->removed(), ElementsAre(kCopy));
  EXPECT_THAT((*catalog)->Find(kCopy), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(DescribeReload(reloaded), HasSubstr("removed: phase1/copied-scraper"));
}

TEST_F(CatalogTest, AnInvalidReloadKeepsTheLoadedExercisesAndSaysWhy) {
  auto catalog = ExerciseCatalog::Load(rubrics_.string());
  ASSERT_OK(catalog);

  CopyExercise(kCopy, "phase1/wrong-id");  // valid text, invalid meaning
  auto reloaded = (*catalog)->Reload();
  EXPECT_THAT(
      reloaded,
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("the 1 loaded ones stay"),
                     HasSubstr("id \"phase1/wrong-id\" must be \"phase1/copied-scraper\""))));
  EXPECT_THAT(DescribeReload(reloaded), HasSubstr("were not reloaded"));
  EXPECT_THAT(Ids(**catalog), ElementsAre(kExercise));

  std::ofstream(rubrics_ / kCopy / "exercise.textproto", std::ios::trunc)
      << "id: \"phase1/copied-scraper\"\nnope {\n";
  reloaded = (*catalog)->Reload();
  EXPECT_THAT(reloaded,
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("exercise.textproto:2:")));
  EXPECT_THAT(Ids(**catalog), ElementsAre(kExercise));

  // Fixed: the next reload takes it.
  fs::remove_all(rubrics_ / kCopy);
  CopyExercise(kCopy, kCopy);
  reloaded = (*catalog)->Reload();
  ASSERT_OK(reloaded);
  EXPECT_THAT(reloaded->added(), ElementsAre(kCopy));
}

TEST_F(CatalogTest, AnInvalidDirectoryIsRefusedAtLoad) {
  CopyExercise(kCopy, "phase1/wrong-id");
  auto catalog = ExerciseCatalog::Load(rubrics_.string());
  EXPECT_THAT(catalog, StatusIs(absl::StatusCode::kFailedPrecondition,
                                HasSubstr("must be \"phase1/copied-scraper\"")));
  auto empty = ExerciseCatalog::Load(dir_.path());
  EXPECT_THAT(empty, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no exercises")));
}

}  // namespace
}  // namespace gograder::server
