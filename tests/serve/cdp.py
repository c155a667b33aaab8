"""A small Chrome DevTools protocol client for the workbench's browser tests and screenshots.

It starts Debian's headless Chromium with a DevTools port, attaches to its page over the
``websockets`` package and offers the few commands the tests need: go to a URL, evaluate
JavaScript, type text as a user would, wait for a condition, take a screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

from accord.report.screenshot import find_chromium

LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


class Browser:
    """A headless Chromium with one page, driven over the DevTools protocol."""

    def __init__(self, width: int = 1400, height: int = 1000, timeout: float = 20.0) -> None:
        binary = find_chromium()
        if binary is None:
            raise RuntimeError("no Chromium found")
        # Chromium's helper processes may still write to the profile for a moment after the browser exits
        self._profile = tempfile.TemporaryDirectory(prefix="accord-cdp-", ignore_cleanup_errors=True)
        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--remote-debugging-port=0", f"--user-data-dir={self._profile.name}", f"--window-size={width},{height}",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.timeout = timeout
        port = self._devtools_port()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=timeout) as response:
            pages = [t for t in json.load(response) if t["type"] == "page"]
        self._stack = ExitStack()
        self.ws = self._stack.enter_context(
            connect(pages[0]["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024, open_timeout=timeout))
        self._next = 0
        self.send("Page.enable")
        self.send("Runtime.enable")

    def _devtools_port(self) -> int:
        assert self.proc.stderr is not None
        end = time.time() + self.timeout
        while time.time() < end:
            line = self.proc.stderr.readline()
            found = LISTENING.search(line)
            if found:
                return int(found.group(1).split(":")[2].split("/")[0])
            if not line and self.proc.poll() is not None:
                break
        raise RuntimeError("Chromium did not open its DevTools port")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call one protocol method and return its result (events in between are skipped)."""
        self._next += 1
        ident = self._next
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        end = time.time() + self.timeout
        while time.time() < end:
            message = json.loads(self.ws.recv(timeout=max(0.1, end - time.time())))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
        raise TimeoutError(method)

    def eval(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises are awaited)."""
        got = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in got:
            raise RuntimeError(f"{expression[:80]}: {got['exceptionDetails'].get('text')}")
        return got["result"].get("value")

    def wait_for(self, expression: str, timeout: float | None = None) -> Any:
        """Poll until ``expression`` is truthy; its value."""
        end = time.time() + (timeout or self.timeout)
        while time.time() < end:
            value = self.eval(expression)
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError(expression)

    def goto(self, url: str) -> None:
        """Open a URL and wait until the page and its scripts have loaded."""
        self.send("Page.navigate", url=url)
        self.wait_for(f"document.readyState === 'complete' && location.href === {json.dumps(url)}")

    def type_into(self, selector: str, text: str) -> None:
        """Focus a field, replace its text by typing ``text``, and leave it (as Tab would), firing ``change``."""
        self.eval(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.focus(); e.select(); }})()")
        self.send("Input.insertText", text=text)
        self.eval(f"document.querySelector({json.dumps(selector)}).blur()")

    def click(self, selector: str) -> None:
        """Click an element."""
        self.eval(f"document.querySelector({json.dumps(selector)}).click()")

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        """Save a PNG of the page (the whole page by default)."""
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 4000), "scale": 1}
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", **params)["data"]))
        return path

    def close(self) -> None:
        """Stop Chromium."""
        try:
            self._stack.close()
        finally:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait(timeout=10)
            self._profile.cleanup()

    def _signal_group(self, sig: int) -> None:
        """Signal Chromium and every helper process it started (they share its session)."""
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
