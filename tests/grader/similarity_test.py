#!/usr/bin/env python3
"""`gograder similarity` end to end: a small labelled class through the real CLI,
sandboxed inspector and matcher, its CSV, and its HTML pages rendered by headless
chromium (DOM checked, no console errors, a phone-sized screenshot kept)."""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

GOGRADER = sys.argv[1:]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from browser import CHROMIUM, CONSOLE_ERRORS, render  # noqa: E402
EXERCISE = "phase1/concurrent-web-scraper"
EXERCISE_DIR = os.path.join(ROOT, "rubrics", EXERCISE)
OUTPUT_DIR = os.environ.get("GOGRADER_TEST_OUTPUT", tempfile.mkdtemp(prefix="gograder-similarity-out-"))


def copy_module(source, destination, rename=None, package=None):
    """Copies the .go files and go.mod of `source`; `rename` maps identifiers to
    new names (whole words), `package` replaces every package clause."""
    os.makedirs(destination)
    for name in sorted(os.listdir(source)):
        with open(os.path.join(source, name)) as f:
            text = f.read()
        for old, new in (rename or {}).items():
            text = re.sub(r"\b%s\b" % old, new, text)
        if package and name.endswith(".go"):
            text = re.sub(r"^package \w+", "package " + package, text, flags=re.M)
        with open(os.path.join(destination, name), "w") as f:
            f.write(text)


def make_class(root):
    """alice: the reference; bob: alice renamed, with her two files swapped in
    order and reformatted comments; carol: the starter unchanged; eve: other
    code entirely (another exercise's reference) in the scraper module."""
    reference = os.path.join(EXERCISE_DIR, "reference")
    copy_module(reference, os.path.join(root, "alice"))
    copy_module(reference, os.path.join(root, "bob"),
                rename={"Crawl": "Walk", "ExtractLinks": "FindLinks", "queue": "todo",
                        "visited": "seenURLs", "depth": "level", "Options": "Config"})
    os.rename(os.path.join(root, "bob", "links.go"), os.path.join(root, "bob", "a_links.go"))
    copy_module(os.path.join(EXERCISE_DIR, "starter"), os.path.join(root, "carol"))
    os.remove(os.path.join(root, "carol", "scraper_test.go"))
    copy_module(os.path.join(ROOT, "rubrics", "phase2", "high-performance-cache", "reference"),
                os.path.join(root, "eve"), package="scraper")
    shutil.copy(os.path.join(reference, "go.mod"), os.path.join(root, "eve", "go.mod"))


def similarity(*args):
    return subprocess.run(GOGRADER + ["similarity", "--exercise", EXERCISE, *args],
                          capture_output=True, text=True, timeout=600)


def read_pairs(out):
    with open(os.path.join(out, "pairs.csv")) as f:
        return {(row["a"], row["b"]): row for row in csv.DictReader(f)}


class SimilarityCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="gograder-similarity-")
        cls.input = os.path.join(cls.tmp, "class")
        make_class(cls.input)
        cls.out = os.path.join(cls.tmp, "out")
        cls.index = os.path.join(cls.tmp, "2025.json")
        cls.first = similarity(cls.input, "--out", cls.out, "--save-index", cls.index)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_the_copy_is_found_and_nothing_else_is_suspicious(self):
        self.assertEqual(self.first.returncode, 0, self.first.stderr)
        self.assertIn("4 submissions (0 skipped)", self.first.stdout)
        pairs = read_pairs(self.out)
        # alice handed in the reference, bob copied her: three pairs of one cluster.
        copies = {("alice", "bob"), ("alice", "(reference)"), ("bob", "(reference)")}
        for pair in copies:
            self.assertGreaterEqual(float(pairs[pair]["similarity"]), 0.9, pairs[pair])
            self.assertEqual(pairs[pair]["suspicious"], "1")
        for pair, row in pairs.items():
            if pair not in copies:
                self.assertEqual(row["suspicious"], "0", row)
        self.assertFalse(any("carol" in pair for pair in pairs), "the starter alone matched someone")

    def test_pages_render_in_chromium(self):
        if CHROMIUM is None:
            self.fail("chromium is not installed (scripts/setup installs it)")
        os.makedirs(OUTPUT_DIR, exist_ok=True)
        dom, log = render(os.path.join(self.out, "index.html"), os.path.join(OUTPUT_DIR, "similarity-index.png"))
        self.assertRegex(dom, r'<p id="summary">4 submissions, \d+ pairs compared, <strong>3</strong>')
        self.assertIn("Cluster 1</strong> (3): (reference), alice, bob", dom)
        page = re.search(r'<a href="(pair-\d+\.html)">alice</a></td><td>bob</td>', dom)
        self.assertTrue(page, dom)
        pair_dom, pair_log = render(os.path.join(self.out, page.group(1)),
                                    os.path.join(OUTPUT_DIR, "similarity-pair.png"))
        self.assertIn("alice ↔ bob", pair_dom)
        self.assertRegex(pair_dom, r'<a href="#a0">scraper\.go:\d+-\d+</a>')
        self.assertIn('id="b0"', pair_dom)
        self.assertIn("FindLinks", pair_dom)  # bob's renamed code is shown
        for text in (log, pair_log):
            self.assertNotRegex(text, CONSOLE_ERRORS, text[-2000:])
        for shot in ("similarity-index.png", "similarity-pair.png"):
            self.assertGreater(os.path.getsize(os.path.join(OUTPUT_DIR, shot)), 1000)

    def test_a_later_class_is_compared_with_the_saved_index(self):
        later = os.path.join(self.tmp, "later")
        copy_module(os.path.join(EXERCISE_DIR, "reference"), os.path.join(later, "frank"),
                    rename={"Crawl": "Fetch", "visited": "done"})
        copy_module(os.path.join(EXERCISE_DIR, "starter"), os.path.join(later, "grace"))
        out = os.path.join(self.tmp, "later-out")
        run = similarity(later, "--out", out, "--against", self.index)
        self.assertEqual(run.returncode, 0, run.stderr)
        pairs = read_pairs(out)
        flagged = {frozenset(pair) for pair, row in pairs.items() if row["suspicious"] == "1"}
        self.assertEqual(flagged, {frozenset(("2025:alice", "frank")), frozenset(("2025:bob", "frank")),
                                   frozenset(("(reference)", "frank"))})
        self.assertFalse(any(a.startswith("2025:") and b.startswith("2025:") for a, b in pairs),
                         "last year's pairs were compared again")

    def test_a_github_classroom_assignment_uses_the_roster(self):
        clones = os.path.join(self.tmp, "crawler-submissions")
        for username, module in (("alice-gh", "alice"), ("bob-gh", "bob"), ("stray", "eve")):
            repository = os.path.join(clones, "crawler-" + username)
            shutil.copytree(os.path.join(self.input, module), repository)
            git = ["git", "-C", repository, "-c", "user.name=t", "-c", "user.email=t@example.com"]
            subprocess.run(git[:3] + ["init", "-q", "-b", "main"], check=True)
            subprocess.run(git[:3] + ["add", "-A"], check=True)
            subprocess.run(git + ["commit", "-qm", "hand in"], check=True)
        roster = os.path.join(self.tmp, "roster.csv")
        with open(roster, "w") as f:
            f.write('"identifier","github_username","github_id","name"\n')
            f.write('"s-001","alice-gh","1","Alice, A."\n"s-002","bob-gh","2","Bob"\n"s-003","","","Carl"\n')
        out = os.path.join(self.tmp, "classroom-out")
        run = similarity(clones, "--roster", roster, "--out", out)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("2 submissions (1 skipped)", run.stdout)
        self.assertIn("s-003 handed in nothing", run.stderr)
        self.assertIn("crawler-stray matches no one of the roster", run.stderr)
        self.assertEqual(read_pairs(out)[("s-001", "s-002")]["suspicious"], "1")
        bad = os.path.join(self.tmp, "bad-roster.csv")
        with open(bad, "w") as f:
            f.write("login,name\n")
        run = similarity(clones, "--roster", bad, "--out", out)
        self.assertEqual(run.returncode, 2)
        self.assertIn("bad-roster.csv:1: a GitHub Classroom roster needs identifier and github_username", run.stderr)

    def test_bad_input_is_named(self):
        run = similarity(os.path.join(self.tmp, "missing"), "--out", os.path.join(self.tmp, "x"))
        self.assertEqual(run.returncode, 2)
        self.assertIn("missing: no such directory or archive", run.stderr)
        run = similarity(self.input, "--out", os.path.join(self.tmp, "y"), "--against", self.input + "/alice/go.mod")
        self.assertEqual(run.returncode, 2)
        self.assertIn("go.mod: ", run.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
