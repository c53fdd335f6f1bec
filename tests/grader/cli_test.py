#!/usr/bin/env python3
"""End-to-end tests of `gograder grade`: formats, exit codes, hostile input
and tampering, through the real CLI, sandbox and Go toolchain.

usage: cli_test.py GOGRADER_ARGV...   (the gograder binary and its global flags)
"""
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
import xml.dom.minidom

GOGRADER = sys.argv[1:]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXERCISE = "phase1/concurrent-web-scraper"
EXERCISE_DIR = os.path.join(ROOT, "rubrics", EXERCISE)


def hostile_copy_of_reference(tmp, name):
    """The exercise's reference plus the one hostile file of tamper/<name>/."""
    module = os.path.join(tmp, name)
    shutil.copytree(os.path.join(EXERCISE_DIR, "reference"), module)
    for hostile in os.listdir(os.path.join(HERE, "tamper", name)):
        shutil.copy(os.path.join(HERE, "tamper", name, hostile), module)
    return module


SAMPLES = tempfile.mkdtemp(prefix="gograder-cli-samples-")


def sample_dir(name, exercise=EXERCISE):
    """A sample as a whole module: `gograder rubric sample` composes it over the reference."""
    destination = os.path.join(SAMPLES, exercise.replace("/", "_"), name)
    if not os.path.isdir(destination):
        subprocess.run(GOGRADER + ["rubric", "sample", exercise, name, destination], check=True,
                       capture_output=True, text=True)
    return destination


def hidden_source_lines(exercise=EXERCISE):
    """Every line of the exercise's hidden Go files that the grader treats as secret
    (the scrubber's rule: at least 20 characters once trimmed)."""
    lines = set()
    tests = os.path.join(ROOT, "rubrics", exercise, "tests")
    for name in os.listdir(tests):
        if name.endswith(".go"):
            with open(os.path.join(tests, name)) as source:
                lines.update(line.strip() for line in source if len(line.strip()) >= 20)
    return lines


def report_strings(value):
    """All the strings of a JSON report, recursively."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from report_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from report_strings(item)


def grade(path, *flags, exercise=EXERCISE):
    return subprocess.run(GOGRADER + ["grade", "--exercise", exercise, path, *flags],
                          capture_output=True, text=True, timeout=900)


class GradeCliTest(unittest.TestCase):
    def test_json_report_of_a_racy_sample_explains_the_lost_points(self):
        run = grade(sample_dir("racy"), "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        report = json.loads(run.stdout)
        self.assertEqual(report["status"], "GRADED")
        race = next(c for c in report["criteria"] if c["id"] == "race")
        self.assertEqual(race["points"], 0)
        self.assertIn("data race", race["reason"])
        self.assertGreater(report["score"], 70)

    def test_min_score_sets_the_exit_code_for_ci_pipelines(self):
        run = grade(sample_dir("no-build"), "--min-score", "50")
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        self.assertIn("below --min-score", run.stderr)

    def test_junit_gradescope_and_github_formats(self):
        sample = sample_dir("no-build")
        junit = grade(sample, "--format", "junit")
        self.assertEqual(junit.returncode, 0, junit.stderr)
        xml.dom.minidom.parseString(junit.stdout)  # well-formed
        gradescope = json.loads(grade(sample, "--format", "gradescope").stdout)
        self.assertEqual(gradescope["score"], 0)
        github = grade(sample, "--format", "github").stdout
        self.assertRegex(github, r"::error file=[^,]+\.go,line=\d+")

    def test_hostile_archive_is_rejected_naming_the_entry(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "evil.tar.gz")
            with tarfile.open(path, "w:gz") as archive:
                for name, data in [("go.mod", b"module example.com/concurrent-web-scraper\n\ngo 1.26\n"),
                                   ("../escape.go", b"package x\n")]:
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
            run = grade(path)
            self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
            self.assertIn("../escape.go", run.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "..", "escape.go")))

    def test_wrong_module_path_is_rejected_with_the_go_mod_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "go.mod"), "w") as f:
                f.write("module example.com/other\n\ngo 1.26\n")
            with open(os.path.join(tmp, "x.go"), "w") as f:
                f.write("package scraper\n")
            run = grade(tmp)
            self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
            self.assertIn("go.mod:1", run.stderr)

    def test_unknown_exercise_is_a_clear_error(self):
        run = grade(os.path.join(EXERCISE_DIR, "reference"), exercise="phase1/no-such-thing")
        self.assertEqual(run.returncode, 2)
        self.assertIn("unknown exercise", run.stderr)

    def test_forged_test_output_earns_no_test_points_and_is_flagged(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = grade(hostile_copy_of_reference(tmp, "forged_exit"), "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        report = json.loads(run.stdout)
        for criterion in report["criteria"]:
            if criterion["id"].startswith("tests.") or criterion["id"] == "race":
                self.assertEqual(criterion["points"], 0, criterion)
        self.assertTrue(any("exited with status 0 before its tests finished" in f for f in report["flags"]))

    def test_testing_import_in_non_test_code_zeroes_test_points(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = grade(hostile_copy_of_reference(tmp, "testing_import"), "--format", "json")
        report = json.loads(run.stdout)
        self.assertTrue(any("imports \"testing\"" in f for f in report["flags"]), report["flags"])
        tests = [c for c in report["criteria"] if c["id"].startswith("tests.")]
        self.assertTrue(tests and all(c["points"] == 0 for c in tests))

    def test_output_relay_in_non_test_code_zeroes_test_points(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = grade(hostile_copy_of_reference(tmp, "output_relay"), "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        report = json.loads(run.stdout)
        flags = report["flags"]
        self.assertTrue(any("relay.go:22: calls syscall.Dup2" in f for f in flags), flags)
        self.assertTrue(any("relay.go:26: assigns os.Stdout" in f for f in flags), flags)
        for criterion in report["criteria"]:
            if criterion["id"].startswith("tests.") or criterion["id"] == "race":
                self.assertEqual(criterion["points"], 0, criterion)

    def test_a_killed_gradings_workspace_is_removed_by_the_next_grader(self):
        work = os.path.join(GOGRADER[GOGRADER.index("--data-dir") + 1], "work")
        killed = subprocess.Popen(GOGRADER + ["grade", "--exercise", EXERCISE,
                                              os.path.join(EXERCISE_DIR, "reference")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        prefix = "grade-%d-" % killed.pid
        leftovers = []
        deadline = time.monotonic() + 120
        while not leftovers and time.monotonic() < deadline and killed.poll() is None:
            leftovers = [n for n in os.listdir(work) if n.startswith(prefix)]
            time.sleep(0.05)
        killed.kill()
        killed.wait()
        self.assertTrue(leftovers, "the grading never made its workspace")
        self.assertTrue(os.path.isdir(os.path.join(work, leftovers[0])), "nothing was left to remove")
        run = grade(sample_dir("racy"), "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertFalse(os.path.exists(os.path.join(work, leftovers[0])))
        self.assertFalse(os.path.exists(os.path.join(work, "owner-%d.lock" % killed.pid)))

    def test_build_failure_reason_quotes_the_first_error_with_its_position(self):
        with tempfile.TemporaryDirectory() as tmp:
            module = os.path.join(tmp, "broken")
            shutil.copytree(os.path.join(EXERCISE_DIR, "reference"), module)
            with open(os.path.join(module, "broken.go"), "w") as broken:
                broken.write('package scraper\n\nfunc broken() int {\n\treturn "x"\n}\n')
            run = grade(module, "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        report = json.loads(run.stdout)
        self.assertTrue(report["build_failed"], report)
        self.assertEqual(report["score"], 0)
        for criterion in report["criteria"]:
            self.assertIn("first: broken.go:4:9: cannot use \"x\" (untyped string constant) as int value",
                          criterion["reason"])

    def test_two_grades_at_once_each_take_a_free_slot(self):
        without_slot = []
        skip = False
        for arg in GOGRADER:
            if skip:
                skip = False
            elif arg == "--slot":
                skip = True
            else:
                without_slot.append(arg)
        runs = [subprocess.Popen(without_slot + ["grade", "--exercise", EXERCISE, sample_dir(name), "--format", "json"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for name in ("racy", "unlimited")]
        for run in runs:
            out, err = run.communicate(timeout=900)
            self.assertEqual(run.returncode, 0, err)
            self.assertEqual(json.loads(out)["status"], "GRADED", err)

    def test_rubric_test_repeat_grades_every_check_again(self):
        """--repeat N runs each check N times and counts each run. The exercise
        here fails lint (its points sum to 99), so no grading is needed."""
        rubrics = tempfile.mkdtemp(prefix="gograder-cli-rubrics-")
        os.makedirs(os.path.join(rubrics, "phase1"))
        shutil.copy(os.path.join(ROOT, "rubrics", "phase1", "phase.textproto"),
                    os.path.join(rubrics, "phase1"))
        broken = os.path.join(rubrics, EXERCISE)
        shutil.copytree(EXERCISE_DIR, broken)
        path = os.path.join(broken, "exercise.textproto")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("points: 22", "points: 21", 1))
        argv = list(GOGRADER)
        argv[argv.index("--rubrics") + 1] = rubrics
        run = subprocess.run(argv + ["rubric", "test", "--repeat", "3", EXERCISE],
                             capture_output=True, text=True)
        shutil.rmtree(rubrics)
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        self.assertEqual(run.stdout.count("FAIL %s (lint)" % EXERCISE), 3, run.stdout)
        self.assertIn("0 passed, 3 failed (3 gradings", run.stdout)

    def test_starter_unchanged_scores_at_most_5(self):
        run = grade(os.path.join(EXERCISE_DIR, "starter"), "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        report = json.loads(run.stdout)
        self.assertEqual(report["status"], "GRADED")
        self.assertLessEqual(report["score"], 5, [(c["id"], c.get("points"), c["reason"]) for c in report["criteria"]])


class HiddenSourcesTest(unittest.TestCase):
    """Whatever a submission does, no line of hidden test source reaches a report."""

    def graded_hostile(self, fixture):
        with tempfile.TemporaryDirectory() as tmp:
            run = grade(hostile_copy_of_reference(tmp, fixture), "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        report = json.loads(run.stdout)
        self.assertEqual(report["status"], "GRADED", report.get("error"))
        text = "\n".join(report_strings(report))
        leaked = [line for line in hidden_source_lines() if line in text]
        self.assertEqual(leaked, [], "hidden source in the report")
        return report, text

    def test_reading_the_directory_exe_filesystem_and_stack_paths_finds_nothing(self):
        report, text = self.graded_hostile("read_hidden_sources")
        # Each way was tried while a test ran, and none found a source: the
        # sealing held without the scrubber's help.
        for probe in ["cwd .: 0 Go test sources", "cwd /proc/self/cwd: 0 Go test sources",
                      "/proc/self/exe: open /proc/self/exe: permission denied",
                      "os.Args[0]: open /opt/gograder/hidden.test: permission denied",
                      "walk:", "runtime.Caller:"]:
            self.assertIn("gograder-probe " + probe, text)
        self.assertNotIn("LEAKED", text)
        self.assertIn("hidden sources", text)
        self.assertRegex(text, r"gograder-probe walk: \d+ files read, 0 hidden sources")
        self.assertFalse(any("hidden test source was removed" in f for f in report["flags"]), report["flags"])
        self.assertGreater(report["score"], 90)  # reading is not cheating; it just finds nothing

    def test_embedding_the_package_directory_is_refused(self):
        report, _ = self.graded_hostile("embed_hidden_sources")
        self.assertTrue(any("//go:embed" in f and "zz_hidden" in f for f in report["flags"]), report["flags"])
        for criterion in report["criteria"]:
            if criterion["id"].startswith("tests.") or criterion["id"] == "race":
                self.assertEqual(criterion["points"], 0, criterion)

    def test_a_recited_hidden_line_is_scrubbed_and_flagged(self):
        report, text = self.graded_hostile("print_hidden_line")
        self.assertIn("[hidden test source removed]", text)
        self.assertTrue(any("hidden test source was removed" in f for f in report["flags"]), report["flags"])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
