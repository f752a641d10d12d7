import io
import json
import logging

import pytest


class LogLines:
    """What the production log handler (settings.LOGGING "console") wrote, line by line."""

    def __init__(self, stream: io.StringIO):
        self._stream = stream

    @property
    def text(self) -> str:
        return self._stream.getvalue()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def requests(self) -> list[dict]:
        return [r for r in self.records() if r["logger"] == "gridgov.request"]


@pytest.fixture
def log_lines():
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield LogLines(stream)
    finally:
        handler.setStream(previous)
