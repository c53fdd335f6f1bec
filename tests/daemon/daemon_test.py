#!/usr/bin/env python3
"""End-to-end tests of gograderd: the real daemon binary on 127.0.0.1 with an
ephemeral port and a fresh database, driven by two real clients: grpcurl (a
third-party client, through server reflection) and the gograder CLI.

Usage: daemon_test.py --gograderd BIN --cli BIN --grpcurl BIN --rubrics DIR
       --data-dir DIR --sandbox BIN --inspector BIN --first-slot N [unittest args]
"""
import argparse
import base64
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import gograderd  # noqa: E402

ARGS = None
EXERCISE = "phase1/concurrent-web-scraper"
HEALTH_PROTO_DIR = "/usr/share/grpc-proto"
_next_slot = [0]


_composed = {}


def sample_dir(name):
    """reference/ as it is, or samples/NAME composed over it by `gograder rubric sample`."""
    if not name.startswith("samples/"):
        return os.path.join(ARGS.rubrics, EXERCISE, name)
    if name not in _composed:
        destination = os.path.join(tempfile.mkdtemp(prefix="gograder-daemon-sample-"), "module")
        subprocess.run([ARGS.cli, "--rubrics", ARGS.rubrics, "rubric", "sample", EXERCISE,
                        name[len("samples/"):], destination], check=True, capture_output=True, text=True)
        _composed[name] = destination
    return _composed[name]


def file_map(directory):
    files = {}
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            if name == "expect.textproto":
                continue
            with open(path, "rb") as f:
                files[os.path.relpath(path, directory)] = base64.b64encode(f.read()).decode()
    return {"files": files}


class Daemon:
    """One gograderd process with its own database and log."""

    def __init__(self, tmp, extra=(), db=None, workers=1, expect_start=True, rubrics=None):
        self.tmp = tmp
        self.db = db or os.path.join(tmp, "gograder.db")
        self.log = os.path.join(tmp, "gograderd-%d.log" % time.monotonic_ns())
        slot = ARGS.first_slot + _next_slot[0]
        _next_slot[0] = (_next_slot[0] + workers + 1) % 40  # + FindSimilar's slot
        listen = [] if "--listen" in extra else ["--listen", "127.0.0.1:0"]
        argv = [ARGS.gograderd] + listen + ["--metrics", "off", "--data-dir", ARGS.data_dir,
                "--db", self.db, "--rubrics", rubrics or ARGS.rubrics, "--sandbox", ARGS.sandbox,
                "--inspector", ARGS.inspector, "--workers", str(workers), "--first-slot", str(slot)] + list(extra)
        self.process = gograderd.start(argv, self.log)
        self.address = None
        if expect_start:
            self.address = gograderd.wait_listening(self.process, self.log)

    def read_log(self):
        return gograderd.read_log(self.log)

    def wait_log(self, pattern, after=0, timeout=30):
        """The first match of PATTERN in the log past offset AFTER, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.read_log()[after:])
            if match:
                return match
            time.sleep(0.05)
        raise AssertionError("no %r in the log:\n%s" % (pattern, self.read_log()))

    def call(self, method, data=None, token=None, timeout=60, extra=()):
        """grpcurl METHOD; returns (code name, parsed JSON or error message)."""
        argv = [ARGS.grpcurl, "-plaintext", "-max-time", str(timeout), "-max-msg-sz", str(64 << 20)] + list(extra)
        if token:
            argv += ["-H", "authorization: Bearer " + token]
        if data is not None:
            argv += ["-d", "@"]
        argv += [self.address, method]
        run = subprocess.run(argv, input=json.dumps(data) if data is not None else None, capture_output=True,
                             text=True, timeout=timeout + 30)
        if run.returncode == 0:
            out = run.stdout.strip()
            if not out:
                return "OK", {}
            decoder, values, i = json.JSONDecoder(), [], 0
            while i < len(out):
                value, i = decoder.raw_decode(out, i)
                values.append(value)
                while i < len(out) and out[i].isspace():
                    i += 1
            return "OK", values if method.endswith("/Watch") else values[0]
        match = re.search(r"Code: (\w+)\s+Message: (.*)", run.stderr, re.S)
        if not match:
            raise AssertionError("grpcurl failed: %s %s" % (run.stdout, run.stderr))
        return match.group(1), match.group(2).strip()

    def cli(self, *args, token=None):
        argv = [ARGS.cli, "--server", self.address] + (["--token", token] if token else []) + list(args)
        return subprocess.run(argv, capture_output=True, text=True, timeout=300)

    def submit(self, sample="samples/no-build", token=None, **fields):
        request = {"exercise_id": EXERCISE, "file_map": file_map(sample_dir(sample))}
        request.update(fields)
        return self.call("gograder.v1.Grader/Submit", request, token=token)

    def wait_state(self, submission_id, states=("DONE", "CANCELLED"), timeout=120, token=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code, sub = self.call("gograder.v1.Grader/GetReport", {"submission_id": submission_id}, token=token)
            assert code == "OK", sub
            if sub.get("state") in states:
                return sub
            time.sleep(0.1)
        raise AssertionError("%s not in %s after %ss" % (submission_id, states, timeout))

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


class DaemonTestCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="gograderd-test-")
        self.tmp = self._tmp.name
        self.daemons = []

    def tearDown(self):
        for daemon in self.daemons:
            if daemon.process.poll() is None:
                daemon.process.kill()
                daemon.process.wait()
        self._tmp.cleanup()

    def start(self, **kwargs):
        daemon = Daemon(self.tmp, **kwargs)
        self.daemons.append(daemon)
        return daemon


class ServiceTest(DaemonTestCase):
    def test_health_and_reflection(self):
        daemon = self.start()
        listing = subprocess.run([ARGS.grpcurl, "-plaintext", daemon.address, "list"], capture_output=True,
                                 text=True, timeout=30)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        for service in ("gograder.v1.Grader", "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"):
            self.assertIn(service, listing.stdout)
        describe = subprocess.run([ARGS.grpcurl, "-plaintext", daemon.address, "describe", "gograder.v1.Grader"],
                                  capture_output=True, text=True, timeout=30)
        self.assertIn("rpc Submit", describe.stdout)
        code, health = daemon.call("grpc.health.v1.Health/Check", {}, extra=(
            "-import-path", HEALTH_PROTO_DIR, "-proto", "grpc/health/v1/health.proto"))
        self.assertEqual((code, health), ("OK", {"status": "SERVING"}))
        self.assertEqual(daemon.stop(), 0)

    def test_exercises(self):
        daemon = self.start()
        code, listing = daemon.call("gograder.v1.Grader/ListExercises", {})
        self.assertEqual(code, "OK")
        ids = [e["id"] for e in listing["exercises"]]
        self.assertIn(EXERCISE, ids)
        code, info = daemon.call("gograder.v1.Grader/GetExercise", {"exercise_id": EXERCISE})
        self.assertEqual(code, "OK")
        self.assertTrue(info["statement"])
        self.assertIn("go.mod", info["starter_files"])
        self.assertEqual(info["summary"]["max_score"], 100)
        hidden = os.listdir(os.path.join(ARGS.rubrics, EXERCISE, "tests"))
        everything = json.dumps(info)
        for name in hidden:
            self.assertNotIn(name, info["starter_files"])
        self.assertNotIn("TestHidden", everything)
        self.assertEqual(daemon.call("gograder.v1.Grader/GetExercise", {"exercise_id": "phase9/nope"})[0], "NotFound")
        self.assertEqual(daemon.call("gograder.v1.Grader/GetExercise", {})[0], "InvalidArgument")

    def test_bad_input_on_every_rpc(self):
        daemon = self.start()
        code, message = daemon.submit(exercise_id="phase1/unknown")
        self.assertEqual(code, "NotFound")
        self.assertIn("unknown exercise", message)
        self.assertEqual(daemon.call("gograder.v1.Grader/Submit", {"exercise_id": EXERCISE})[0], "InvalidArgument")
        hostile = {"exercise_id": EXERCISE, "file_map": {"files": {
            "../escape.go": base64.b64encode(b"package x").decode()}}}
        code, message = daemon.call("gograder.v1.Grader/Submit", hostile)
        self.assertEqual(code, "InvalidArgument")
        self.assertIn("escape.go", message)
        code, message = daemon.call("gograder.v1.Grader/Submit", {"exercise_id": EXERCISE,
                                                                    "archive": base64.b64encode(b"junk" * 100).decode()})
        self.assertEqual(code, "InvalidArgument")
        files = file_map(sample_dir("reference"))
        files["files"]["go.mod"] = base64.b64encode(b"module example.com/wrong\n\ngo 1.22\n").decode()
        code, message = daemon.call("gograder.v1.Grader/Submit", {"exercise_id": EXERCISE, "file_map": files})
        self.assertEqual(code, "InvalidArgument")
        self.assertIn("go.mod:1", message)
        for method in ("GetReport", "Watch", "Cancel", "Regrade"):
            self.assertEqual(daemon.call("gograder.v1.Grader/" + method, {"submission_id": "nope"})[0], "NotFound",
                             method)
            self.assertEqual(daemon.call("gograder.v1.Grader/" + method, {})[0], "InvalidArgument", method)
        self.assertEqual(daemon.call("gograder.v1.Grader/ListSubmissions", {"page_size": -1})[0], "InvalidArgument")
        # Nothing was accepted.
        self.assertEqual(daemon.call("gograder.v1.Grader/ListSubmissions", {})[1], {})

    def test_oversized_submission_and_config_file(self):
        config = os.path.join(self.tmp, "gograderd.textproto")
        with open(config, "w") as f:
            f.write("# small uploads only\nmax_submission_bytes: 2000  # bytes\nqueue_limit: 5\n")
        daemon = self.start(extra=["--config", config])
        code, message = daemon.submit("reference")
        self.assertEqual(code, "InvalidArgument")
        self.assertIn("too large", message)
        with open(config, "w") as f:
            f.write("max_submision_bytes: 1\n")
        bad = Daemon(self.tmp, extra=["--config", config], expect_start=False)
        self.assertNotEqual(bad.process.wait(timeout=30), 0)
        self.assertIn("gograderd.textproto:1:", bad.read_log())

    def test_refuses_non_loopback_without_tokens(self):
        bad = Daemon(self.tmp, extra=["--listen", "0.0.0.0:0"], expect_start=False)
        self.assertNotEqual(bad.process.wait(timeout=30), 0)
        self.assertIn("not loopback", bad.read_log())

    def test_submit_watch_report_list_regrade_through_the_cli(self):
        daemon = self.start()
        run = daemon.cli("submit", "--exercise", EXERCISE, sample_dir("samples/no-build"), "--course", "cs101",
                         "--student", "ann", "--attempt", "1", "--key", "ann-1", "--wait")
        self.assertEqual(run.returncode, 0, run.stderr)
        submission_id = run.stdout.split()[0]
        self.assertIn("queued (position", run.stdout)
        self.assertIn("started  BUILD", run.stdout)
        self.assertIn("DONE GRADED 0.00/100.00", run.stdout)
        self.assertIn("build failed", run.stdout)
        # Idempotency: the same key is the same submission, not a new grading.
        code, again = daemon.submit(course_id="cs101", idempotency_key="ann-1")
        self.assertEqual(code, "OK")
        self.assertEqual(again["submission_id"], submission_id)
        self.assertTrue(again["duplicate"])
        # Joining late replays everything, ending with the final event.
        code, events = daemon.call("gograder.v1.Grader/Watch", {"submission_id": submission_id})
        self.assertEqual(code, "OK")
        self.assertEqual([e["sequence"] for e in events], [str(i) for i in range(1, len(events) + 1)])
        self.assertIn("queued", events[0])
        self.assertIn("step_started", events[1])
        self.assertTrue(any("step_finished" in e for e in events))
        self.assertEqual(events[-1]["finished"]["state"], "DONE")
        self.assertEqual(sum("finished" in e for e in events), 1)
        run = daemon.cli("report", submission_id, "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(json.loads(run.stdout)["status"], "GRADED")
        self.assertEqual(daemon.cli("report", "nope").returncode, 2)
        code, other = daemon.submit(course_id="cs102", student_id="bob")
        self.assertEqual(code, "OK")
        daemon.wait_state(other["submission_id"])
        run = daemon.cli("list", "--course", "cs101")
        self.assertIn(submission_id, run.stdout)
        self.assertNotIn(other["submission_id"], run.stdout)
        code, page = daemon.call("gograder.v1.Grader/ListSubmissions", {"page_size": 1})
        self.assertEqual(len(page["submissions"]), 1)
        self.assertEqual(page["submissions"][0]["submission_id"], other["submission_id"])  # newest first
        code, page2 = daemon.call("gograder.v1.Grader/ListSubmissions",
                                  {"page_size": 1, "page_token": page["next_page_token"]})
        self.assertEqual(page2["submissions"][0]["submission_id"], submission_id)
        # Regrade: a new grading of the stored files.
        code, regraded = daemon.call("gograder.v1.Grader/Regrade", {"submission_id": submission_id})
        self.assertEqual(code, "OK", regraded)
        done = daemon.wait_state(submission_id)
        self.assertEqual(done["regrades"], 1)
        self.assertEqual(done["report"]["status"], "GRADED")
        # Grade: submit and wait in one call.
        request = {"exercise_id": EXERCISE, "file_map": file_map(sample_dir("samples/no-build"))}
        code, graded = daemon.call("gograder.v1.Grader/Grade", request)
        self.assertEqual(code, "OK", graded)
        self.assertEqual(graded["state"], "DONE")
        self.assertEqual(daemon.stop(), 0)

    def test_removed_vendor_and_go_work_keep_one_digest_and_reach_the_report(self):
        daemon = self.start()
        request = {"exercise_id": EXERCISE, "file_map": file_map(sample_dir("samples/no-build"))}
        request["file_map"]["files"]["vendor/modules.txt"] = base64.b64encode(b"# nothing\n").decode()
        request["file_map"]["files"]["go.work"] = base64.b64encode(b"go 1.26\nuse .\n").decode()
        code, submitted = daemon.call("gograder.v1.Grader/Submit", request)
        self.assertEqual(code, "OK", submitted)
        done = daemon.wait_state(submitted["submission_id"])
        report = done["report"]
        self.assertEqual(done["submission_digest"], report["submission_digest"])
        # The digest is of the module as graded: the same as without the removed files.
        code, plain = daemon.submit(course_id="other")
        self.assertEqual(code, "OK", plain)
        self.assertEqual(daemon.wait_state(plain["submission_id"])["submission_digest"], report["submission_digest"])
        notes = [a["message"] for a in report.get("annotations", []) if a.get("source") == "intake"]
        self.assertTrue(any("vendor/" in note for note in notes), report.get("annotations"))
        self.assertTrue(any("go.work" in note for note in notes), report.get("annotations"))

    def test_queue_full_cancel_and_graceful_sigterm(self):
        daemon = self.start(extra=["--queue-limit", "2"])
        code, reference = daemon.submit("reference")
        self.assertEqual(code, "OK", reference)
        daemon.wait_state(reference["submission_id"], states=("RUNNING",))
        queued = [daemon.submit()[1] for _ in range(2)]
        self.assertEqual([q["queue_position"] for q in queued], [1, 2])
        code, message = daemon.submit()
        self.assertEqual(code, "ResourceExhausted")
        self.assertIn("queue", message.lower())
        # A Grade that cannot finish in its deadline.
        request = {"exercise_id": EXERCISE, "file_map": file_map(sample_dir("samples/no-build"))}
        code, cancelled = daemon.call("gograder.v1.Grader/Cancel", {"submission_id": queued[0]["submission_id"]})
        self.assertEqual((code, cancelled["state"]), ("OK", "CANCELLED"))
        code, events = daemon.call("gograder.v1.Grader/Watch", {"submission_id": queued[0]["submission_id"]})
        self.assertEqual(events[-1]["finished"]["state"], "CANCELLED")
        code, message = daemon.call("gograder.v1.Grader/Grade", request, timeout=1)
        self.assertEqual(code, "DeadlineExceeded")
        # SIGTERM while the reference grades: it finishes, the daemon exits 0.
        self.assertEqual(daemon.stop(signal.SIGTERM, timeout=120), 0)
        self.assertIn("stopped", daemon.read_log())
        again = self.start(db=daemon.db)
        done = again.wait_state(reference["submission_id"], timeout=5)
        self.assertEqual(done["report"]["score"], 100)
        self.assertEqual(again.wait_state(queued[1]["submission_id"])["state"], "DONE")
        self.assertEqual(again.call("gograder.v1.Grader/GetReport",
                                    {"submission_id": queued[0]["submission_id"]})[1]["state"], "CANCELLED")

    def test_fair_queue_limits_and_round_robin(self):
        config = os.path.join(self.tmp, "limits.textproto")
        with open(config, "w") as f:
            f.write('# c2 has no per-student limit\ncourse_limits { course_id: "c2" limits { queued_per_student: 0 } }\n')
        daemon = self.start(extra=["--config", config, "--student-queue-limit", "2"])  # one worker
        code, running = daemon.submit("reference", course_id="c1", student_id="ann")
        self.assertEqual(code, "OK", running)
        daemon.wait_state(running["submission_id"], states=("RUNNING",))
        ann = [daemon.submit(course_id="c1", student_id="ann", idempotency_key="ann-%d" % i)[1] for i in range(2)]
        self.assertEqual([a["queue_position"] for a in ann], [1, 2], ann)
        code, message = daemon.submit(course_id="c1", student_id="ann", idempotency_key="ann-2")
        self.assertEqual(code, "ResourceExhausted")
        self.assertEqual(message, "student 'ann' of course 'c1' has 2 submissions queued (limit 2 per student); "
                                  "retry when one of them is graded")
        code, retry = daemon.submit(course_id="c1", student_id="ann", idempotency_key="ann-1")
        self.assertEqual((code, retry.get("duplicate"), retry["submission_id"]), ("OK", True, ann[1]["submission_id"]))
        # c2 was never served: its submissions take turns with ann's, ahead of them.
        bob = [daemon.submit(course_id="c2", student_id="bob")[1] for _ in range(3)]
        self.assertEqual([b["queue_position"] for b in bob], [1, 3, 5], bob)
        done = [daemon.wait_state(s["submission_id"]) for s in [running] + ann + bob]
        order = [s["submission_id"] for s in sorted(done, key=lambda s: s["finished_at"])]
        expected = [running, bob[0], ann[0], bob[1], ann[1], bob[2]]
        self.assertEqual(order, [s["submission_id"] for s in expected])
        self.assertEqual(daemon.stop(), 0)

    def test_cancel_of_a_running_grading_kills_it_and_frees_the_worker(self):
        daemon = self.start()  # one worker
        code, running = daemon.submit("reference")
        self.assertEqual(code, "OK", running)
        daemon.wait_state(running["submission_id"], states=("RUNNING",))
        time.sleep(1)  # well into its steps
        code, queued = daemon.submit(student_id="next")
        self.assertEqual((code, queued["state"]), ("OK", "QUEUED"), queued)
        start = time.monotonic()
        code, cancelled = daemon.call("gograder.v1.Grader/Cancel", {"submission_id": running["submission_id"]})
        self.assertEqual((code, cancelled["state"]), ("OK", "CANCELLED"))
        # The worker is free again: it takes the queued submission.
        while time.monotonic() - start < 5:
            if daemon.call("gograder.v1.Grader/GetReport", {"submission_id": queued["submission_id"]})[1]["state"] \
                    != "QUEUED":
                break
            time.sleep(0.02)
        freed = time.monotonic() - start
        self.assertLess(freed, 1.0, "the worker took %.2f s to be free after Cancel" % freed)
        self.assertIn("cancelled while running; its sandbox run was killed", daemon.read_log())
        self.assertEqual(daemon.wait_state(queued["submission_id"])["state"], "DONE")
        self.assertEqual(daemon.call("gograder.v1.Grader/GetReport",
                                     {"submission_id": running["submission_id"]})[1]["state"], "CANCELLED")

    def test_sigterm_requeues_a_grading_that_outlives_the_grace_period(self):
        daemon = self.start(extra=["--shutdown-grace", "0.2"])
        code, reference = daemon.submit("reference")
        self.assertEqual(code, "OK", reference)
        daemon.wait_state(reference["submission_id"], states=("RUNNING",))
        self.assertEqual(daemon.stop(signal.SIGTERM, timeout=60), 0)
        self.assertIn("requeued 1 grading(s) that outlived the grace period", daemon.read_log())
        self.assertIn("(their sandbox runs were killed)", daemon.read_log())
        again = self.start(db=daemon.db)
        done = again.wait_state(reference["submission_id"])
        self.assertEqual(done["report"]["score"], 100)
        code, events = again.call("gograder.v1.Grader/Watch", {"submission_id": reference["submission_id"]})
        self.assertEqual(code, "OK")
        self.assertEqual(sum("finished" in e for e in events), 1, events)
        self.assertEqual(again.stop(), 0)

    def test_exercises_added_while_running_after_sighup_and_reload_rpc(self):
        rubrics = os.path.join(self.tmp, "rubrics")
        shutil.copytree(ARGS.rubrics, rubrics)
        daemon = self.start(rubrics=rubrics)
        added = "phase1/scraper-again"
        source = os.path.join(rubrics, EXERCISE)
        target = os.path.join(rubrics, added)

        def write_exercise(exercise_id):
            with open(os.path.join(source, "exercise.textproto")) as f:
                text = f.read().replace('id: "%s"' % EXERCISE, 'id: "%s"' % exercise_id)
            with open(os.path.join(target, "exercise.textproto"), "w") as f:
                f.write(text)

        # An invalid exercise: the loaded ones stay, the log says why.
        loaded = len(glob.glob(os.path.join(rubrics, "*", "*", "exercise.textproto")))
        shutil.copytree(source, target)
        write_exercise("phase1/wrong-id")
        offset = len(daemon.read_log())
        daemon.process.send_signal(signal.SIGHUP)
        reason = daemon.wait_log(r"SIGHUP: the exercises were not reloaded \(the %d loaded ones stay\): (.*)"
                                 % loaded, offset)
        self.assertIn('must be "%s"' % added, reason.group(1))
        self.assertEqual(daemon.submit(exercise_id=added)[0], "NotFound")
        # Fixed: SIGHUP takes it and it can be submitted to and graded.
        write_exercise(added)
        offset = len(daemon.read_log())
        daemon.process.send_signal(signal.SIGHUP)
        daemon.wait_log(r"SIGHUP: reloaded %d exercise\(s\); added: %s;" % (loaded + 1, re.escape(added)),
                        offset)
        code, listing = daemon.call("gograder.v1.Grader/ListExercises", {})
        self.assertIn(added, [e["id"] for e in listing["exercises"]])
        code, submitted = daemon.submit(exercise_id=added)
        self.assertEqual(code, "OK", submitted)
        done = daemon.wait_state(submitted["submission_id"])
        self.assertEqual(done["report"]["status"], "GRADED")
        self.assertEqual(done["report"]["exercise_id"], added)
        # The admin RPC does the same; a failed reload is FAILED_PRECONDITION.
        code, reloaded = daemon.call("gograder.v1.Grader/ReloadExercises", {})
        self.assertEqual((code, reloaded["exercises"]), ("OK", loaded + 1))
        shutil.rmtree(os.path.join(target, "reference"))
        code, message = daemon.call("gograder.v1.Grader/ReloadExercises", {})
        self.assertEqual(code, "FailedPrecondition")
        self.assertIn("the %d loaded ones stay" % (loaded + 1), message)
        self.assertEqual(daemon.stop(), 0)

    def test_kill9_mid_batch_every_submission_gets_exactly_one_report(self):
        daemon = self.start()
        ids = []
        for i in range(6):
            code, submitted = daemon.submit(student_id="s%d" % i)
            self.assertEqual(code, "OK", submitted)
            ids.append(submitted["submission_id"])
        daemon.wait_state(ids[0])
        daemon.stop(signal.SIGKILL)
        again = self.start(db=daemon.db)
        for submission_id in ids:
            done = again.wait_state(submission_id)
            self.assertEqual(done["state"], "DONE")
            self.assertEqual(done["report"]["status"], "GRADED")
            code, events = again.call("gograder.v1.Grader/Watch", {"submission_id": submission_id})
            self.assertEqual(code, "OK")
            self.assertEqual(sum("finished" in e for e in events), 1, events)
        code, listing = again.call("gograder.v1.Grader/ListSubmissions", {})
        self.assertEqual(len(listing["submissions"]), 6)
        self.assertEqual(again.stop(), 0)


def sha(token):
    return hashlib.sha256(token.encode()).hexdigest()


class FindSimilarTest(DaemonTestCase):
    def test_the_copy_in_a_course_is_found(self):
        daemon = self.start()
        reference = sample_dir("reference")
        renamed = os.path.join(self.tmp, "renamed")
        shutil.copytree(reference, renamed)
        for name in os.listdir(renamed):
            path = os.path.join(renamed, name)
            with open(path) as f:
                text = f.read()
            for old, new in (("Crawl", "Walk"), ("ExtractLinks", "FindLinks"), ("visited", "seen")):
                text = re.sub(r"\b%s\b" % old, new, text)
            with open(path, "w") as f:
                f.write(text)
        for student, module, course in (("alice", reference, "cs1"), ("bob", renamed, "cs1"),
                                        ("carol", sample_dir("starter"), "cs1"),
                                        ("dave", reference, "cs2")):
            request = {"exercise_id": EXERCISE, "course_id": course, "student_id": student,
                       "file_map": file_map(module)}
            code, submitted = daemon.call("gograder.v1.Grader/Submit", request)
            self.assertEqual(code, "OK", submitted)
        code, found = daemon.call("gograder.v1.Grader/FindSimilar",
                                  {"course_id": "cs1", "exercise_id": EXERCISE})
        self.assertEqual(code, "OK", found)
        self.assertEqual(found["submissions"], 3)  # dave is in another course
        pairs = {(p["student_a"], p["student_b"]): p for p in found["pairs"]}
        pair = pairs[("alice", "bob")]
        self.assertTrue(pair["suspicious"])
        self.assertGreaterEqual(pair["similarity"], 0.9)
        self.assertTrue(pair["submission_a"] and pair["regions"], pair)
        self.assertTrue(pairs[("alice", "(reference)")]["suspicious"])  # she handed in the reference
        self.assertEqual([c["student_ids"] for c in found["clusters"]], [["(reference)", "alice", "bob"]])
        self.assertFalse(any("carol" in pair for pair in pairs if pairs[pair].get("suspicious")))
        code, message = daemon.call("gograder.v1.Grader/FindSimilar", {"course_id": "cs1"})
        self.assertEqual(code, "InvalidArgument")
        self.assertIn("exercise_id", message)


class AuthTest(DaemonTestCase):
    def test_roles_and_courses(self):
        tokens = os.path.join(self.tmp, "tokens.textproto")
        with open(tokens, "w") as f:
            f.write('tokens { name: "lms-cs101" sha256: "%s" role: SUBMITTER courses: "cs101" }\n' % sha("sub"))
            f.write('tokens { name: "prof" sha256: "%s" role: TEACHER }\n' % sha("teach"))
            f.write('tokens { name: "ops" sha256: "%s" role: ADMIN }\n' % sha("admin"))
        config = os.path.join(self.tmp, "gograderd.textproto")
        with open(config, "w") as f:
            f.write('auth { tokens_file: "%s" }\n' % tokens)
        daemon = self.start(extra=["--config", config])
        self.assertEqual(daemon.submit(course_id="cs101")[0], "Unauthenticated")
        self.assertEqual(daemon.submit(course_id="cs101", token="wrong")[0], "Unauthenticated")
        self.assertEqual(daemon.call("gograder.v1.Grader/ListExercises", {})[0], "Unauthenticated")
        code, message = daemon.submit(course_id="cs102", token="sub")
        self.assertEqual(code, "PermissionDenied")
        self.assertIn("cs102", message)
        code, mine = daemon.submit(course_id="cs101", token="sub")
        self.assertEqual(code, "OK", mine)
        code, theirs = daemon.submit(course_id="cs102", token="teach")
        self.assertEqual(code, "OK", theirs)
        get = lambda i, t: daemon.call("gograder.v1.Grader/GetReport", {"submission_id": i}, token=t)[0]
        self.assertEqual(get(mine["submission_id"], "sub"), "OK")
        self.assertEqual(get(theirs["submission_id"], "sub"), "PermissionDenied")
        self.assertEqual(get(theirs["submission_id"], "teach"), "OK")
        self.assertEqual(daemon.call("gograder.v1.Grader/Watch", {"submission_id": theirs["submission_id"]},
                                     token="sub")[0], "PermissionDenied")
        self.assertEqual(daemon.call("gograder.v1.Grader/ListSubmissions", {}, token="sub")[0], "PermissionDenied")
        code, listing = daemon.call("gograder.v1.Grader/ListSubmissions", {"course_id": "cs101"}, token="sub")
        self.assertEqual([s["submission_id"] for s in listing["submissions"]], [mine["submission_id"]])
        self.assertEqual(len(daemon.call("gograder.v1.Grader/ListSubmissions", {}, token="admin")[1]["submissions"]), 2)
        daemon.wait_state(mine["submission_id"], token="admin")
        self.assertEqual(daemon.call("gograder.v1.Grader/Regrade", {"submission_id": mine["submission_id"]},
                                     token="sub")[0], "PermissionDenied")
        self.assertEqual(daemon.call("gograder.v1.Grader/Regrade", {"submission_id": mine["submission_id"]},
                                     token="teach")[0], "OK")
        self.assertEqual(daemon.call("gograder.v1.Grader/ListExercises", {}, token="sub")[0], "OK")
        similar = {"course_id": "cs101", "exercise_id": EXERCISE}
        self.assertEqual(daemon.call("gograder.v1.Grader/FindSimilar", similar, token="sub")[0],
                         "PermissionDenied")
        self.assertEqual(daemon.call("gograder.v1.Grader/FindSimilar", similar, token="teach")[0], "OK")
        for token in ("sub", "teach"):
            code, message = daemon.call("gograder.v1.Grader/ReloadExercises", {}, token=token)
            self.assertEqual(code, "PermissionDenied", token)
            self.assertIn("needs an ADMIN token", message)
        self.assertEqual(daemon.call("gograder.v1.Grader/ReloadExercises", {}, token="admin")[0], "OK")
        run = daemon.cli("list", "--course", "cs101", token="sub")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(daemon.cli("list", token="sub").returncode, 2)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for flag in ("gograderd", "cli", "grpcurl", "rubrics", "data_dir", "sandbox", "inspector"):
        parser.add_argument("--" + flag.replace("_", "-"), required=True)
    parser.add_argument("--first-slot", type=int, default=300)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
