"""Progress of a deploy, promote or canary for people: what the JSON log says, as short lines.

:class:`Progress` is a stream for :func:`bbws_scaffold.runtime.log.set_stream`: every JSON log line
still goes to the inner stream (stderr) unless it is a terminal, and the events of a release become
human lines on ``out``: on a terminal one status line rewritten in place (current step, traffic
weight, alarm states) above which the milestones stay; anywhere else (CI logs, files) one plain
line per event, no control characters.
"""

from __future__ import annotations

import json
import os
from typing import IO, Any


def _fmt(event: str, f: dict[str, Any]) -> tuple[str, bool] | None:
    """(text, milestone) for the events worth showing; None for the others."""
    fn = f.get("function", "")
    if event == "lambda.published":
        return f"published {fn} version {f.get('version')}", True
    if event == "lambda.alias_moved":
        return f"{fn}: live {f.get('previous')} -> {f.get('version')} (100%)", True
    if event == "lambda.alias_split":
        return f"{fn}: live {f.get('stable')} + {f.get('canary')} at {f.get('percent')}%", False
    if event == "canary.step":
        wait = float(f.get("wait_seconds") or 0)
        return f"canary {f.get('env')} {f.get('version')}: {f.get('percent')}% of traffic, baking {wait:g}s", False
    if event == "canary.alarms":
        firing = f.get("firing") or []
        state = "ALARM: " + ", ".join(firing) if firing else "all OK"
        return f"canary {f.get('env')} {f.get('version')}: {f.get('percent')}% checked, alarms {state}", True
    if event == "canary.alarm":
        return f"canary {f.get('env')} {f.get('version')}: rolling back at {f.get('percent')}%", True
    if event == "records.put" and f.get("outcome") != "in_progress":
        return f"{f.get('action')} {f.get('env')} {f.get('version')}: {f.get('outcome')}", True
    if event == "terraform.run":
        args = f.get("args") or ["?"]
        return f"terraform {args[0]} ({f.get('env')})", False
    if event in ("terraform.planned", "terraform.applied"):
        return f"terraform {event.split('.', 1)[1]} ({f.get('env')})", True
    if event == "promote.evidence":
        return f"{f.get('source')} accepted {f.get('version')}: promoting to {f.get('target')}", True
    return None


class Progress:
    def __init__(self, out: IO[str], inner: IO[str] | None, *, live: bool) -> None:
        self.out, self.inner, self.live = out, inner, live
        self._buf = ""
        self._status = False  # a status line is on screen (live mode)

    def write(self, text: str) -> int:
        if self.inner is not None:
            self.inner.write(text)
        self._buf += text
        *lines, self._buf = self._buf.split("\n")
        for line in lines:
            self._show(line)
        return len(text)

    def flush(self) -> None:
        if self.inner is not None:
            self.inner.flush()
        self.out.flush()

    def close(self) -> None:
        if self._status:
            self.out.write("\n")
            self._status = False
        self.flush()

    def _show(self, line: str) -> None:
        try:
            rec = json.loads(line)
        except ValueError:
            return
        if not isinstance(rec, dict):
            return
        shown = _fmt(str(rec.get("event", "")), rec)
        if shown is None:
            return
        text, milestone = shown
        if not self.live:
            self.out.write(f"{text}\n")
            return
        # \r + erase line: the status line is replaced; a milestone stays, the status goes below it
        self.out.write(f"\r\x1b[K{text}" + ("\n" if milestone else ""))
        self._status = not milestone


def for_terminal(stderr: IO[str]) -> Progress:
    """Live on an interactive terminal (JSON lines then hidden: ``BBWS_LOG=json`` keeps them),
    plain lines interleaved with the JSON log anywhere else."""
    live = stderr.isatty() and os.environ.get("TERM") != "dumb" and not os.environ.get("CI")
    keep_json = not live or os.environ.get("BBWS_LOG") == "json"
    return Progress(stderr, stderr if keep_json else None, live=live)
