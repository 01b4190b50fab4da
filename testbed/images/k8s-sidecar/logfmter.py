"""A small logfmt formatter for the dashboard sidecar's LOG_FORMAT=LOGFMT, in place of the
`logfmter` package, which Debian does not ship: `Logfmter(keys=[...], mapping={...})` renders
each record as key=value pairs, quoting values that contain spaces, quotes or equals signs."""

import logging


class Logfmter(logging.Formatter):
    def __init__(self, keys=None, mapping=None, datefmt=None, **kwargs):
        super().__init__(datefmt=datefmt)
        self.keys = list(keys or ["at"])
        self.mapping = dict(mapping or {})

    @staticmethod
    def _value(value):
        text = str(value)
        if text == "" or any(c in text for c in ' ="\\'):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return text

    def format(self, record):
        record.message = record.getMessage()
        pairs = []
        for key in self.keys:
            attr = self.mapping.get(key, key)
            if attr == "asctime":
                value = self.formatTime(record, self.datefmt)
            elif attr == "levelname":
                value = record.levelname
            else:
                value = getattr(record, attr, None)
            if value is not None:
                pairs.append(f"{key}={self._value(value)}")
        if record.exc_info:
            pairs.append(f"exc_info={self._value(self.formatException(record.exc_info))}")
        return " ".join(pairs)
