"""Headless chromium (Debian's) for the tests of gograder's HTML pages."""
import shutil
import subprocess
import tempfile

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# A console error, an uncaught exception or a CSP refusal in chromium's log.
CONSOLE_ERRORS = r"Uncaught|CONSOLE.*[Ee]rror|Refused to"


def render(page, screenshot):
    """Loads `page` in headless chromium; returns (DOM, chromium's log). A
    phone-sized (412 px wide) screenshot is saved at `screenshot`."""
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--enable-logging=stderr", "--v=0", "--user-data-dir=" + tempfile.mkdtemp(prefix="chromium-")]
    dom = subprocess.run(flags + ["--dump-dom", "file://" + page], capture_output=True, text=True,
                         timeout=120)
    shot = subprocess.run(flags + ["--window-size=412,900", "--screenshot=" + screenshot, "file://" + page],
                          capture_output=True, text=True, timeout=120)
    return dom.stdout, dom.stderr + shot.stderr
