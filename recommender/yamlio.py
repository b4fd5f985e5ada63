"""YAML reading with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class DataError(Exception):
    """Bad data in a project file: the message is one line naming file and line."""


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Loader(yaml.SafeLoader):
    """Safe loading with dates left as text, so that a bad date is reported with its line."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file; return the data and its node tree (for line look-ups)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{_rel(path)}: 无法读取：{exc}") from exc
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise DataError(f"{_rel(path)}:{line}: YAML 语法错误：{exc.problem or exc}") from exc
    return data, node


def node_line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """1-based line of the deepest node reachable along ``loc``."""
    line = node.start_mark.line + 1 if node is not None else 0
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            nxt = node.value[key]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line


def validate(model: type[M], data: Any, path: Path, node: yaml.Node | None) -> M:
    """Validate ``data`` against ``model``; on failure raise DataError naming file:line and field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(文件)"
        raise DataError(f"{_rel(path)}:{node_line(node, loc)}: {field}: {err['msg']}") from exc


def dump_yaml(data: Any) -> str:
    """``data`` as YAML: Chinese kept as is, keys in their order, lines never wrapped."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
