"""Starting a real gograderd for the end-to-end tests."""
import re
import subprocess
import time


def read_log(path):
    with open(path) as f:
        return f.read()


def start(argv, log_path):
    """Runs gograderd `argv` with its stderr in `log_path` (stdout dropped)."""
    with open(log_path, "w") as log:
        return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)


def wait_listening(process, log_path, timeout=30):
    """The "127.0.0.1:port" gograderd logs once it listens; AssertionError
    with its log when it exits or takes longer than `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(r"listening on (127\.0\.0\.1:\d+)", read_log(log_path))
        if match:
            return match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError("gograderd did not start:\n" + read_log(log_path))
