#!/usr/bin/env python3
"""The teacher's workflow end to end: `gograder batch` grades a 40-submission
class folder made from an exercise's reference, starter and samples, locally
and through a real gograderd; the gradebook CSVs are checked against the
students' reports, a late policy against three students, a resume after the
batch is killed, report.html in headless chromium (DOM, console, screenshot);
then, on the daemon, a rubric change: the dry-run diff, a keep-max regrade,
its revert, and the exported gradebook at each step.

Usage: teachers_test.py --cli BIN --gograderd BIN --rubrics DIR --data-dir DIR
       --sandbox BIN --inspector BIN --first-slot N [unittest args]
"""
import argparse
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import gograderd  # noqa: E402
from browser import CHROMIUM, CONSOLE_ERRORS, render  # noqa: E402

ARGS = None
EXERCISE = "phase4/health-check-service"
OUTPUT_DIR = os.environ.get("GOGRADER_TEST_OUTPUT", tempfile.mkdtemp(prefix="gograder-teachers-out-"))
DUE = "2026-12-01T23:59:00Z"


def cli(*args, server=None, timeout=1800):
    argv = [ARGS.cli, "--rubrics", ARGS.rubrics, "--data-dir", ARGS.data_dir, "--sandbox", ARGS.sandbox,
            "--inspector", ARGS.inspector]
    if server:
        argv += ["--server", server]
    return subprocess.run(argv + list(args), capture_output=True, text=True, timeout=timeout)


def compose(name, destination):
    """`reference`, `starter`, or a sample composed over the reference."""
    source = os.path.join(ARGS.rubrics, EXERCISE, name)
    if name in ("reference", "starter"):
        shutil.copytree(source, destination)
        return
    run = cli("rubric", "sample", EXERCISE, name[len("samples/"):], destination)
    assert run.returncode == 0, run.stderr


def archive(directory, path):
    """DIRECTORY's files as a .zip or .tar.gz at PATH (by its suffix)."""
    files = []
    for root, _, names in os.walk(directory):
        for name in names:
            full = os.path.join(root, name)
            files.append((full, os.path.relpath(full, directory)))
    if path.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as z:
            for full, relative in files:
                z.write(full, relative)
    else:
        with tarfile.open(path, "w:gz") as t:
            for full, relative in files:
                t.add(full, relative)


# Who hands in what: 40 students. The samples each lose known criteria.
KINDS = (["reference"] * 16 + ["starter"] * 3 +
         ["samples/%s" % s for s in ("does-not-build", "fake-report", "loops-ignore-cancel", "no-coalescing",
                                     "racy-draining", "sleeps-while-draining", "waits-for-stubborn-check")] * 3)


def make_class(root, modules):
    """s01..s40 as folders, every fifth a .zip and every seventh a .tar.gz."""
    os.makedirs(root)
    students = {}
    for i, kind in enumerate(KINDS, start=1):
        student = "s%02d" % i
        students[student] = kind
        source = modules[kind]
        if i % 5 == 0:
            archive(source, os.path.join(root, student + ".zip"))
        elif i % 7 == 0:
            archive(source, os.path.join(root, student + ".tar.gz"))
        else:
            shutil.copytree(source, os.path.join(root, student))
    return students


def read_text(path):
    with open(path) as f:
        return f.read()


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def wide_gradebook(path):
    """(header, max row, {student: row dict})."""
    rows = read_csv(path)
    header = rows[0]
    return header, dict(zip(header, rows[1])), {row[0]: dict(zip(header, row)) for row in rows[2:]}


def report_of(out, student):
    with open(os.path.join(out, "students", student, "report.json")) as f:
        return json.load(f)


def number(text):
    return float(text) if text != "" else None


class LocalBatchTest(unittest.TestCase):
    """gograder batch on this machine: gradebooks, late policy, resume, report.html."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="gograder-teachers-")
        cls.modules = {}
        for kind in sorted(set(KINDS)):
            cls.modules[kind] = os.path.join(cls.tmp, "modules", kind.replace("/", "_"))
            compose(kind, cls.modules[kind])
        cls.input = os.path.join(cls.tmp, "class")
        cls.students = make_class(cls.input, cls.modules)
        # Times from the LMS: s01 on time, s02 within the 15-minute grace, s03
        # a day and a half late (2 started days: 20%), s04 five days late (the
        # 30% cap), s05 two days late with an extension to the 4th.
        cls.times = os.path.join(cls.tmp, "submitted.csv")
        with open(cls.times, "w") as f:
            f.write("student_id,submitted_at\n")
            late = {"s01": "2026-12-01T20:00:00Z", "s02": "2026-12-02T00:10:00Z",
                    "s03": "2026-12-03T11:59:00Z", "s04": "2026-12-06T23:00:00Z",
                    "s05": "2026-12-03T23:00:00Z"}
            for student in cls.students:
                f.write("%s,%s\n" % (student, late.get(student, "2026-12-01T12:00:00Z")))
        cls.extensions = os.path.join(cls.tmp, "extensions.csv")
        with open(cls.extensions, "w") as f:
            f.write("student_id,due,reason\ns05,2026-12-04T23:59:00Z,\"illness, documented\"\n")
        cls.out = os.path.join(cls.tmp, "out")
        cls.batch_args = ["batch", "--exercise", EXERCISE, cls.input, "--out", cls.out, "--due", DUE,
                          "--grace", "15", "--penalty-per-day", "10", "--penalty-cap", "30",
                          "--extensions", cls.extensions, "--submitted-at", cls.times]
        # Interrupted after a few reports, then run again to the end.
        cls.interrupted_after = cls.interrupt_batch()
        cls.before_resume = {s: report_of(cls.out, s)["graded_at"] for s in cls.interrupted_after}
        cls.batch = cli(*cls.batch_args)

    @classmethod
    def interrupt_batch(cls):
        argv = [ARGS.cli, "--rubrics", ARGS.rubrics, "--data-dir", ARGS.data_dir, "--sandbox", ARGS.sandbox,
                "--inspector", ARGS.inspector] + cls.batch_args
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 900
        done = []
        while time.monotonic() < deadline and process.poll() is None:
            students = os.path.join(cls.out, "students")
            done = [s for s in (os.listdir(students) if os.path.isdir(students) else [])
                    if os.path.exists(os.path.join(students, s, "report.json"))
                    and report_of(cls.out, s).get("submission_digest")]
            if len(done) >= 6:
                break
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        return [s for s in done if report_of(cls.out, s).get("status") == "GRADED"]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_the_batch_grades_everyone(self):
        self.assertEqual(self.batch.returncode, 0, self.batch.stdout + self.batch.stderr)
        self.assertRegex(self.batch.stdout, r"40 students: 37 graded, 3 build failed, 0 grading failed \(ours\), "
                                          r"0 missing")
        for student, kind in self.students.items():
            report = report_of(self.out, student)
            self.assertEqual(report["status"], "GRADED", student)
            self.assertTrue(report.get("gograder_version"), student)
            if kind == "reference":
                self.assertEqual(report["late"]["raw_score"] if "late" in report else report["score"], 100, student)
            if kind == "starter":
                self.assertLessEqual(report["score"], 5, student)
            if kind == "samples/fake-report":
                self.assertTrue(report.get("flags"), student)
            for name in ("report.txt", "results.json"):
                self.assertTrue(os.path.getsize(os.path.join(self.out, "students", student, name)) > 0)

    def test_resume_reuses_what_the_interrupted_run_graded(self):
        self.assertGreaterEqual(len(self.interrupted_after), 4, "the first run was interrupted too early")
        match = re.search(r"(\d+) graded now, (\d+) reused from an earlier run", self.batch.stdout)
        self.assertTrue(match, self.batch.stdout)
        self.assertGreaterEqual(int(match.group(2)), len(self.interrupted_after))
        self.assertLessEqual(int(match.group(1)), 40 - len(self.interrupted_after))
        for student, graded_at in self.before_resume.items():
            self.assertEqual(report_of(self.out, student)["graded_at"], graded_at, student + " was graded again")

    def test_the_wide_gradebook_matches_the_reports(self):
        header, maxima, rows = wide_gradebook(os.path.join(self.out, "gradebook.csv"))
        self.assertEqual(header[:8], ["student_id", "submitted_at", "commit", "raw_score", "late_penalty", "score",
                                      "max_score", "status"])
        criteria = header[8:]
        self.assertIn("race", criteria)
        self.assertEqual(maxima["student_id"], "max")
        self.assertEqual(number(maxima["max_score"]), 100)
        self.assertEqual(sorted(rows), sorted(self.students))
        for student, row in rows.items():
            report = report_of(self.out, student)
            self.assertAlmostEqual(number(row["score"]), report["score"], places=2, msg=student)
            self.assertEqual(row["status"], "build_failed" if report.get("build_failed") else "graded", student)
            points = {c["id"]: c.get("points", 0) for c in report["criteria"]}
            for criterion in criteria:
                self.assertAlmostEqual(number(row[criterion]), points[criterion], places=2,
                                       msg="%s %s" % (student, criterion))
                self.assertAlmostEqual(number(maxima[criterion]),
                                       next(c["max_points"] for c in report["criteria"] if c["id"] == criterion))

    def test_the_long_gradebook_matches_the_reports(self):
        rows = read_csv(os.path.join(self.out, "gradebook-long.csv"))
        self.assertEqual(rows[0], ["student_id", "kind", "id", "points", "max_points", "result", "detail"])
        by_student = {}
        for row in rows[1:]:
            by_student.setdefault(row[0], []).append(row)
        self.assertEqual(sorted(by_student), sorted(self.students))
        for student, student_rows in by_student.items():
            report = report_of(self.out, student)
            criteria = {r[2]: number(r[3]) for r in student_rows if r[1] == "criterion"}
            self.assertEqual(criteria, {c["id"]: c.get("points", 0) for c in report["criteria"]}, student)
            tests = {r[2]: r[5] for r in student_rows if r[1] == "test"}
            self.assertEqual(tests, {t["name"]: t["status"].lower() for t in report.get("tests", [])}, student)

    def test_the_late_policy(self):
        _, _, rows = wide_gradebook(os.path.join(self.out, "gradebook.csv"))
        expected = {"s01": 0, "s02": 0, "s03": 20, "s04": 30, "s05": 0}  # percent of 100 points
        for student, percent in expected.items():
            row, report = rows[student], report_of(self.out, student)
            raw = number(row["raw_score"])
            self.assertEqual(raw, 100, student)  # all five handed in the reference
            self.assertAlmostEqual(number(row["late_penalty"]), percent, places=2, msg=student)
            self.assertAlmostEqual(number(row["score"]), raw - percent, places=2, msg=student)
            self.assertAlmostEqual(report["score"], raw - percent, places=2, msg=student)
            self.assertAlmostEqual(report["late"].get("points", 0), percent, places=2, msg=student)
        self.assertEqual(report_of(self.out, "s05")["late"]["due_at"], "2026-12-04T23:59:00Z")
        self.assertTrue(report_of(self.out, "s05")["late"]["extension"])
        self.assertEqual(report_of(self.out, "s03")["late"]["late_units"], 2)
        with open(os.path.join(self.out, "students", "s03", "report.txt")) as f:
            self.assertRegex(f.read(), r"Late:\s+-20 points")

    def test_a_changed_policy_applies_again_without_grading(self):
        out = os.path.join(self.tmp, "out-policy")
        shutil.copytree(self.out, out)
        args = [a if a != self.out else out for a in self.batch_args]
        args[args.index("--penalty-per-day") + 1] = "5"
        run = cli(*args)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("0 graded now, 40 reused", run.stdout)
        _, _, rows = wide_gradebook(os.path.join(out, "gradebook.csv"))
        self.assertAlmostEqual(number(rows["s03"]["late_penalty"]), 10)
        self.assertAlmostEqual(number(rows["s04"]["late_penalty"]), 25)  # 5 started days
        self.assertAlmostEqual(report_of(out, "s03")["score"], 90)

    def test_report_html_in_chromium(self):
        if CHROMIUM is None:
            self.fail("chromium is not installed (scripts/setup installs it)")
        os.makedirs(OUTPUT_DIR, exist_ok=True)
        shot = os.path.join(OUTPUT_DIR, "class-report.png")
        dom, log = render(os.path.join(self.out, "report.html"), shot)
        self.assertNotRegex(log, CONSOLE_ERRORS, log[-2000:])
        self.assertGreater(os.path.getsize(shot), 1000)
        for section in ("summary", "histogram", "criteria", "tests", "steps", "benchmarks", "findings", "flagged",
                        "students"):
            self.assertRegex(dom, r'id="%s"' % section)
        summary = re.search(r'id="summary".*?</section>', dom, re.S).group(0)
        self.assertIn("40", summary)
        for student in self.students:
            self.assertIn('id="student-%s"' % student, dom)
        self.assertIn('href="students/s01/report.txt"', dom)
        flagged = re.search(r'id="flagged".*?</section>', dom, re.S).group(0)
        for student, kind in self.students.items():
            if kind == "samples/fake-report":
                self.assertIn(student, flagged)
        self.assertNotIn("<script", dom)


class GithubClassroomBatchTest(unittest.TestCase):
    """A roster, two clones with commits, one student who handed in nothing."""

    def test_roster_commits_and_missing(self):
        tmp = tempfile.mkdtemp(prefix="gograder-teachers-roster-")
        try:
            clones = os.path.join(tmp, "clones")
            os.makedirs(clones)
            commits = {}
            for login, kind, when in (("ada-l", "reference", "2026-12-01T10:00:00+00:00"),
                                      ("bo-b", "starter", "2026-12-02T10:00:00+00:00")):
                repository = os.path.join(clones, "health-" + login)
                compose(kind, repository)
                env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_AUTHOR_NAME="s",
                           GIT_AUTHOR_EMAIL="s@example.org", GIT_COMMITTER_NAME="s",
                           GIT_COMMITTER_EMAIL="s@example.org", GIT_CONFIG_NOSYSTEM="1", HOME=tmp)
                for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "done"]):
                    subprocess.run(["git", "-C", repository] + command, check=True, env=env)
                commits[login] = subprocess.run(["git", "-C", repository, "rev-parse", "HEAD"], check=True,
                                                capture_output=True, text=True, env=env).stdout.strip()
            roster = os.path.join(tmp, "roster.csv")
            with open(roster, "w") as f:
                f.write('"identifier","github_username","github_id","name"\n'
                        '"ada@uni.example","ada-l","1","Ada"\n"bob@uni.example","bo-b","2","Bob"\n'
                        '"cy@uni.example","","",""\n')
            out = os.path.join(tmp, "out")
            run = cli("batch", "--exercise", EXERCISE, clones, "--roster", roster, "--out", out, "--due", DUE,
                      "--penalty-per-day", "10")
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            _, _, rows = wide_gradebook(os.path.join(out, "gradebook.csv"))
            self.assertEqual(rows["ada@uni.example"]["commit"], commits["ada-l"])
            self.assertEqual(rows["ada@uni.example"]["submitted_at"], "2026-12-01T10:00:00Z")
            self.assertEqual(number(rows["ada@uni.example"]["score"]), 100)
            self.assertEqual(rows["bob@uni.example"]["submitted_at"], "2026-12-02T10:00:00Z")
            self.assertEqual(rows["cy@uni.example"]["status"], "missing")
            self.assertEqual(rows["cy@uni.example"]["score"], "")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class Daemon:
    """gograderd on 127.0.0.1 with its own database and a copy of the rubrics."""

    def __init__(self, tmp, rubrics, workers=2):
        self.log = os.path.join(tmp, "gograderd.log")
        argv = [ARGS.gograderd, "--listen", "127.0.0.1:0", "--metrics", "off", "--data-dir", ARGS.data_dir,
                "--db", os.path.join(tmp, "gograder.db"), "--rubrics", rubrics, "--sandbox", ARGS.sandbox,
                "--inspector", ARGS.inspector, "--workers", str(workers), "--first-slot", str(ARGS.first_slot)]
        self.process = gograderd.start(argv, self.log)
        self.address = gograderd.wait_listening(self.process, self.log)

    def read_log(self):
        return gograderd.read_log(self.log)

    def reload(self):
        """SIGHUP, then waits for the log line saying what changed."""
        seen = len(self.read_log())
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            match = re.search(r"SIGHUP: (.*)", self.read_log()[seen:])
            if match:
                return match.group(1)
            time.sleep(0.05)
        raise AssertionError("no reload in the log:\n" + self.read_log())

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


def scores(csv_text):
    """{student: score or None} of a wide gradebook."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    header = rows[0]
    return {row[0]: number(row[header.index("score")]) for row in rows[2:]}


class DaemonBatchTest(unittest.TestCase):
    """The same class through gograderd, then a rubric change on part of it."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="gograder-teachers-daemon-")
        cls.rubrics = os.path.join(cls.tmp, "rubrics")
        shutil.copytree(ARGS.rubrics, cls.rubrics)
        modules = {}
        for kind in sorted(set(KINDS)):
            modules[kind] = os.path.join(cls.tmp, "modules", kind.replace("/", "_"))
            compose(kind, modules[kind])
        cls.input = os.path.join(cls.tmp, "class")
        cls.students = make_class(cls.input, modules)
        cls.daemon = Daemon(cls.tmp, cls.rubrics)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def server(self, *args):
        return cli(*args, server=self.daemon.address)

    def gradebook(self, course, *extra):
        run = self.server("gradebook", "--course", course, "--exercise", EXERCISE, *extra)
        self.assertEqual(run.returncode, 0, run.stderr)
        return run.stdout

    def test_1_forty_submissions_through_the_daemon(self):
        out = os.path.join(self.tmp, "out")
        run = self.server("batch", "--exercise", EXERCISE, self.input, "--out", out, "--course", "c1")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("40 students: 37 graded, 3 build failed", run.stdout)
        _, _, rows = wide_gradebook(os.path.join(out, "gradebook.csv"))
        for student, kind in self.students.items():
            report = report_of(out, student)
            self.assertAlmostEqual(number(rows[student]["score"]), report["score"], places=2)
            if kind == "reference":
                self.assertEqual(report["score"], 100, student)
        # A rerun submits again with the same keys: the earlier reports, no new grading.
        again = self.server("batch", "--exercise", EXERCISE, self.input, "--out", out + "-again", "--course", "c1")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(scores(read_text(os.path.join(out + "-again", "gradebook.csv"))),
                         scores(read_text(os.path.join(out, "gradebook.csv"))))
        # The daemon's own export has the same scores.
        exported = self.gradebook("c1")
        self.assertEqual(scores(exported), scores(read_text(os.path.join(out, "gradebook.csv"))))
        late = os.path.join(self.tmp, "late.textproto")
        with open(late, "w") as f:
            f.write('due: "2020-01-01T00:00:00Z"\npercent_per_day: 10\nmax_percent: 40\n')
        late_scores = scores(self.gradebook("c1", "--late-policy", late))
        for student, score in scores(exported).items():
            if score is not None:
                self.assertAlmostEqual(late_scores[student], max(0, score - 40), places=2, msg=student)

    def test_2_rubric_change_dry_run_keep_max_and_revert(self):
        # A small course: one student per kind.
        small = os.path.join(self.tmp, "small")
        os.makedirs(small)
        picked = {}
        for student, kind in sorted(self.students.items()):
            if kind not in picked.values() and os.path.isdir(os.path.join(self.input, student)):
                picked[student] = kind
                shutil.copytree(os.path.join(self.input, student), os.path.join(small, student))
        run = self.server("batch", "--exercise", EXERCISE, small, "--out", os.path.join(self.tmp, "small-out"),
                          "--course", "c2")
        self.assertEqual(run.returncode, 0, run.stderr)
        before = scores(self.gradebook("c2"))

        # The teacher moves 10 points from race to the timeout tests.
        exercise_file = os.path.join(self.rubrics, EXERCISE, "exercise.textproto")
        with open(exercise_file) as f:
            text = f.read()
        changed = re.sub(r'(id: "race"(?:.|\n)*?points: )15', r"\g<1>5", text, count=1)
        changed = re.sub(r'(id: "tests.timeout"(?:.|\n)*?points: )18', r"\g<1>28", changed, count=1)
        self.assertNotEqual(changed, text)
        with open(exercise_file, "w") as f:
            f.write(changed)
        self.assertIn("changed: " + EXERCISE, self.daemon.reload())

        dry = self.server("regrade-all", "--exercise", EXERCISE, "--course", "c2", "--dry-run")
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn("(dry run)", dry.stdout)
        would = {m.group(1): (float(m.group(2)), float(m.group(3)))
                 for m in re.finditer(r"^  (s\d+)\s+\S+\s+([\d.]+) -> ([\d.]+)", dry.stdout, re.M)}
        self.assertTrue(would, dry.stdout)
        self.assertEqual(scores(self.gradebook("c2")), before, "a dry run changed scores")
        for student, (old, new) in would.items():
            self.assertAlmostEqual(old, before[student], places=2)
        ups = {s for s, (old, new) in would.items() if new > old}
        downs = {s for s, (old, new) in would.items() if new < old}
        self.assertTrue(ups, dry.stdout)  # the racy student gains 10 * ...
        self.assertTrue(downs, dry.stdout)  # those failing the timeout tests lose

        kept = self.server("regrade-all", "--exercise", EXERCISE, "--course", "c2", "--keep-max")
        self.assertEqual(kept.returncode, 0, kept.stderr)
        regrade_id = re.search(r"revert-regrade (\S+)", kept.stdout).group(1)
        after = scores(self.gradebook("c2"))
        for student, score in before.items():
            if student in ups:
                self.assertAlmostEqual(after[student], would[student][1], places=2, msg=student)
            else:
                self.assertAlmostEqual(after[student], score, places=2, msg=student)
        for student in downs:
            self.assertRegex(kept.stdout, r"%s .*not applied: keep-max" % student)

        reverted = self.server("revert-regrade", regrade_id)
        self.assertEqual(reverted.returncode, 0, reverted.stderr)
        # Every applied report is restored: the changed ones and those that scored the same.
        self.assertIn("%d report(s) restored" % (len(picked) - len(downs)), reverted.stdout)
        self.assertEqual(scores(self.gradebook("c2")), before)
        again = self.server("revert-regrade", regrade_id)
        self.assertNotEqual(again.returncode, 0, "a regrade was reverted twice")
        self.assertIn("already reverted", again.stderr)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    for flag in ("--cli", "--gograderd", "--rubrics", "--data-dir", "--sandbox", "--inspector"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--first-slot", type=int, required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
