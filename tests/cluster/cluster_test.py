#!/usr/bin/env python3
"""Three gograderd nodes sharing one PostgreSQL (a real server this test starts
itself), 60 submissions: one node is SIGKILLed mid-grading, another SIGSTOPped
past its lease and then continued, and a grading running on node B is
cancelled through node A. At the end every other submission has exactly one
report, the stopped node's late result was refused, the cancelled one has none,
and a Watch through node A showed the progress of a grading that ran on node B.

With --bench it measures instead (not a test): submissions a minute with 1,
2 and 3 nodes, and how long a SIGKILLed node's grading takes to be taken over
with the default 50 s lease.

Usage: cluster_test.py --gograderd BIN --cli BIN --rubrics DIR --data-dir DIR
       --sandbox BIN --inspector BIN --first-slot N [--bench] [unittest args]
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import gograderd  # noqa: E402
import pg_cluster  # noqa: E402

ARGS = None
EXERCISE = "phase4/health-check-service"
LEASE_SECONDS = 8  # short, so that the test waits seconds, not minutes
DEFAULT_LEASE_SECONDS = 50  # gograderd's default (config.cc), for the bench
QUEUED, RUNNING, DONE = 1, 2, 3  # gograder.v1.Submission.State


class Node:
    """One gograderd on the shared database."""

    def __init__(self, tmp, name, conninfo, slot, lease_seconds):
        self.name = name
        self.log = os.path.join(tmp, "%s.log" % name)
        argv = [ARGS.gograderd, "--listen", "127.0.0.1:0", "--metrics", "off", "--data-dir", ARGS.data_dir,
                "--db", conninfo, "--rubrics", ARGS.rubrics, "--sandbox", ARGS.sandbox,
                "--inspector", ARGS.inspector, "--workers", "1", "--first-slot", str(slot),
                "--node-id", name, "--lease-seconds", str(lease_seconds)]
        self.process = gograderd.start(argv, self.log)
        self.address = gograderd.wait_listening(self.process, self.log, timeout=60)

    def read_log(self):
        return gograderd.read_log(self.log)

    def cli(self, *args, timeout=300):
        return subprocess.run([ARGS.cli, "--server", self.address] + list(args), capture_output=True, text=True,
                              timeout=timeout)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def modules(tmp):
    """The reference and the starter of the exercise, as module directories."""
    return {kind: os.path.join(ARGS.rubrics, EXERCISE, kind) for kind in ("reference", "starter")}


def submit_all(nodes, count, tmp):
    """`count` submissions spread over the nodes, half references and half
    starters; returns their ids."""
    ids = []
    sources = modules(tmp)
    for i in range(count):
        node = nodes[i % len(nodes)]
        kind = "reference" if i % 2 == 0 else "starter"
        run = node.cli("submit", "--exercise", EXERCISE, "--course", "c%d" % (i % 3), "--student", "s%02d" % i,
                       sources[kind])
        assert run.returncode == 0, run.stderr
        ids.append(run.stdout.split()[0])
    return ids


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


class ClusterTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gograder-cluster-")
        self.pg = pg_cluster.Cluster()
        self.nodes = []

    def tearDown(self):
        for node in self.nodes:
            node.stop()
        self.pg.stop()

    def running_on(self, node):
        rows = self.pg.query("SELECT id, claim FROM submissions WHERE state = %d AND node_id = '%s' "
                             "ORDER BY id LIMIT 1" % (RUNNING, node.name))
        return rows[0] if rows else None

    def test_three_nodes_lose_one_and_stall_one_and_grade_everything_once(self):
        self.nodes = [Node(self.tmp, name, self.pg.conninfo, ARGS.first_slot + 10 * i, LEASE_SECONDS)
                      for i, name in enumerate(("node-a", "node-b", "node-c"))]
        a, b, c = self.nodes
        ids = submit_all(self.nodes, 60, self.tmp)

        # Watch through A a grading that runs on B.
        watched, _ = wait_until(lambda: self.running_on(b), 120, "node B to grade something")
        watch = a.cli("watch", watched, timeout=300)
        self.assertEqual(watch.returncode, 0, watch.stderr)
        self.assertRegex(watch.stdout, r"started\s+TEST")
        self.assertRegex(watch.stdout, r"finished TEST")
        self.assertIn("DONE", watch.stdout.splitlines()[-1])

        # A cancel through A reaches the node grading it (B) through the database.
        cancelled, _ = wait_until(lambda: self.running_on(b), 180, "node B to grade something")
        cancel = a.cli("cancel", cancelled)
        self.assertEqual(cancel.returncode, 0, cancel.stderr)
        self.assertIn("CANCELLED", cancel.stdout)
        wait_until(lambda: "%s: cancelled while running" % cancelled in b.read_log(), 60,
                   "node B to stop the cancelled grading:\n" + b.read_log()[-3000:])

        # C dies mid-grading: its claim is taken over once its lease expires.
        lost, lost_claim = wait_until(lambda: self.running_on(c), 120, "node C to grade something")
        c.process.kill()
        c.process.wait()
        killed_at = time.monotonic()
        wait_until(lambda: self.pg.query("SELECT 1 FROM submissions WHERE id = '%s' AND (claim > %s OR state = %d)"
                                         % (lost, lost_claim, DONE)), 120, "C's grading to be taken over")
        print("takeover of a SIGKILLed node's grading after %.1f s (lease %d s)"
              % (time.monotonic() - killed_at, LEASE_SECONDS), file=sys.stderr)

        # B stalls past its lease: A reaps and regrades; B's late result is refused.
        stalled, stalled_claim = wait_until(lambda: self.running_on(b), 180, "node B to grade something")
        b.process.send_signal(signal.SIGSTOP)
        wait_until(lambda: self.pg.query("SELECT 1 FROM submissions WHERE id = '%s' AND claim > %s"
                                         % (stalled, stalled_claim)), 120, "B's grading to be taken over")
        b.process.send_signal(signal.SIGCONT)
        wait_until(lambda: re.search(r"%s: (claim %s lost|report of claim %s not stored)"
                                     % (stalled, stalled_claim, stalled_claim), b.read_log()),
                   120, "node B to drop its late result:\n" + b.read_log()[-3000:])

        graded = [i for i in ids if i != cancelled]
        wait_until(lambda: int(self.pg.query("SELECT count(*) FROM submissions WHERE state = %d" % DONE)[0][0])
                   == len(graded), 900, "every submission to be graded")
        self.assertEqual(self.pg.query("SELECT submission_id, count(*) FROM reports GROUP BY submission_id "
                                       "HAVING count(*) <> 1"), [])
        self.assertEqual(int(self.pg.query("SELECT count(DISTINCT submission_id) FROM reports")[0][0]), len(graded))
        self.assertEqual(self.pg.query("SELECT count(*) FROM reports WHERE submission_id = '%s'" % cancelled), [["0"]])
        # Everyone got their score: references 100, starters at most 5.
        for i, submission in enumerate(ids):
            if submission == cancelled:
                continue
            report = a.cli("report", submission, "--format", "json")
            self.assertEqual(report.returncode, 0, report.stdout + report.stderr)
            score = float(re.search(r'"score":\s*([\d.]+)', report.stdout).group(1))
            if i % 2 == 0:
                self.assertEqual(score, 100, submission)
            else:
                self.assertLessEqual(score, 5, submission)


def bench():
    """Submissions a minute with 1, 2 and 3 nodes; takeover with the default lease.
    TAKEOVERS=0 skips the takeover runs, NODES_RUNS=0 the throughput runs."""
    count = int(os.environ.get("SUBMISSIONS", "30"))
    for nodes_wanted in (1, 2, 3)[:int(os.environ.get("NODES_RUNS", "3"))]:
        tmp = tempfile.mkdtemp(prefix="gograder-cluster-bench-")
        pg = pg_cluster.Cluster()
        nodes = []
        try:
            nodes = [Node(tmp, "node-%d" % i, pg.conninfo, ARGS.first_slot + 10 * i, DEFAULT_LEASE_SECONDS)
                     for i in range(nodes_wanted)]
            start = time.monotonic()
            ids = submit_all(nodes, count, tmp)
            wait_until(lambda: int(pg.query("SELECT count(*) FROM submissions WHERE state = %d" % DONE)[0][0])
                       == len(ids), 3600, "the batch")
            minutes = (time.monotonic() - start) / 60
            print("%d node(s), 1 worker each: %d submissions in %.1f s: %.1f submissions/min"
                  % (nodes_wanted, count, minutes * 60, count / minutes), flush=True)
        finally:
            for node in nodes:
                node.stop()
            pg.stop()
    # Takeover with the default 60 s lease: kill the node grading, time the reclaim.
    takeovers = []
    for _ in range(int(os.environ.get("TAKEOVERS", "3"))):
        tmp = tempfile.mkdtemp(prefix="gograder-cluster-bench-")
        pg = pg_cluster.Cluster()
        nodes = []
        try:
            nodes = [Node(tmp, "node-%d" % i, pg.conninfo, ARGS.first_slot + 10 * i, DEFAULT_LEASE_SECONDS)
                     for i in range(2)]
            submit_all(nodes[:1], 4, tmp)
            victim = nodes[0]
            row = wait_until(lambda: pg.query("SELECT id, claim FROM submissions WHERE state = %d AND node_id = '%s'"
                                              % (RUNNING, victim.name)), 120, "a grading on node 0")[0]
            victim.process.kill()
            killed = time.monotonic()
            wait_until(lambda: pg.query("SELECT 1 FROM submissions WHERE id = '%s' AND claim > %s"
                                        % (row[0], row[1])), 300, "the takeover")
            takeovers.append(time.monotonic() - killed)
            print("takeover after %.1f s (lease %d s, reaper every 5 s)" % (takeovers[-1], DEFAULT_LEASE_SECONDS),
                  flush=True)
        finally:
            for node in nodes:
                node.stop()
            pg.stop()
    print("takeover median %.1f s of %d" % (statistics.median(takeovers), len(takeovers)))


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    for flag in ("--gograderd", "--cli", "--rubrics", "--data-dir", "--sandbox", "--inspector"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--first-slot", type=int, required=True)
    parser.add_argument("--bench", action="store_true")
    ARGS, rest = parser.parse_known_args()
    if ARGS.bench:
        bench()
        return
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
