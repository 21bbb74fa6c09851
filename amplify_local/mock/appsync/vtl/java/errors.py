"""A Java exception thrown by a method of the value model."""

from __future__ import annotations


class JavaError(Exception):
    """`java.lang.<name>: <detail>`, as the JVM would have printed it."""

    def __init__(self, name: str, detail: str = "") -> None:
        super().__init__(f"java.lang.{name}: {detail}" if detail else f"java.lang.{name}")
        self.name = name
