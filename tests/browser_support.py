"""Helpers for the browser tests: the production server on a loopback port, and colour contrast."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(data_dir: Path, timeout_s: float = 30.0, env: dict | None = None):
    """Run waitress serving app:create_app on 127.0.0.1 for data_dir; yields the base URL.
    `env` adds settings (FLASK_ADMIN_TOKEN=…) to the server's environment."""
    port = free_port()
    env = {**os.environ, **(env or {}), "FLASK_DATA_DIR": str(data_dir)}
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", "--threads=4",
             "--call", "app:create_app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(proc, base + "/healthz", timeout_s, log)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_until_up(proc, url: str, timeout_s: float, log) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"waitress exited with {proc.returncode}:\n"
                               + log.read().decode(errors="replace"))
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"waitress did not answer {url} within {timeout_s} s")


def wait_until(predicate, timeout_s: float = 5.0, interval_s: float = 0.05):
    """Poll predicate until it returns something truthy (returned) or time runs out (falsy)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval_s)


# --- colour contrast (WCAG 2.1 relative luminance) ----------------------------------------
def parse_rgb(css: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)' or 'rgba(1, 2, 3, 0.5)' → (r, g, b, alpha)."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    if not css.startswith("rgb") or len(numbers) not in (3, 4):
        raise ValueError(f"not an rgb() colour: {css!r}")
    return (*numbers[:3], numbers[3] if len(numbers) == 4 else 1.0)


def contrast(css_a: str, css_b: str) -> float:
    """Contrast ratio between two opaque CSS rgb() colours (1 to 21)."""
    def luminance(css):
        def channel(c):
            c /= 255
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b, _ = parse_rgb(css)
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    light, dark = sorted((luminance(css_a), luminance(css_b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# The focused element's outline and the colours just outside it, where the outline is drawn.
FOCUS_STYLE_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const out = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth) / 2;
  const points = [[rect.left - out, rect.top + rect.height / 2],
                  [rect.left + Math.min(rect.width / 2, 8), rect.top - out]];
  const backgrounds = [];
  for (const [x, y] of points) {
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    let colour = "rgb(255, 255, 255)";
    for (const under of document.elementsFromPoint(x, y)) {
      if (under === el || el.contains(under)) continue;
      const bg = getComputedStyle(under).backgroundColor;
      if (!/^rgba\\(.*,\\s*0\\)$/.test(bg) && bg !== "transparent") { colour = bg; break; }
    }
    backgrounds.push(colour);
  }
  return {tag: el.tagName.toLowerCase(), inUserAgentPart: !el.matches(":focus"), text: (el.textContent || el.id || "").trim().slice(0, 40),
          outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
          outlineColor: style.outlineColor, backgrounds: backgrounds,
          visible: rect.width > 0 && rect.height > 0 && rect.right > 0 && rect.bottom > 0};
}"""
