"""YAML parsing that remembers the line of every key and item, for `file:line:` messages."""

from __future__ import annotations

import yaml
from yaml.constructor import SafeConstructor


class LMap(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        """The line of ``key``, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class LList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list


class YamlSyntaxError(ValueError):
    """The text is not valid YAML; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_constructor = SafeConstructor()
# libyaml's parser when PyYAML was built with it (ten times faster; the same nodes and line marks)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _convert(node: yaml.Node, offset: int, duplicates: list[tuple[int, str]]):
    line = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        return _convert_mapping(node, line, offset, duplicates)
    if isinstance(node, yaml.SequenceNode):
        result = LList(_convert(item, offset, duplicates) for item in node.value)
        result.line = line
        result.item_lines = [item.start_mark.line + 1 + offset for item in node.value]
        return result
    return _constructor.construct_object(node, deep=True)


def _convert_mapping(node: yaml.MappingNode, line: int, offset: int, duplicates: list[tuple[int, str]]) -> LMap:
    """A mapping with the line of each key; a key that is not plain text, or comes twice, is a problem."""
    result = LMap()
    result.line = line
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = _convert(key_node, offset, duplicates)
        key_line = key_node.start_mark.line + 1 + offset
        if isinstance(key, list | dict):
            duplicates.append((key_line, "a key must be plain text"))
            continue
        if key in result:
            duplicates.append((key_line, f"duplicate key '{key}'"))
            continue
        result[key] = _convert(value_node, offset, duplicates)
        result.key_lines[key] = key_line
    return result


def parse(text: str, line_offset: int = 0) -> tuple[object, list[tuple[int, str]]]:
    """Parse one YAML document; return the value and (line, message) structural problems."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        raise YamlSyntaxError(line, f"invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1 + line_offset, f"invalid YAML: {exc}") from exc
    if node is None:
        return None, []
    problems: list[tuple[int, str]] = []
    return _convert(node, line_offset, problems), problems
