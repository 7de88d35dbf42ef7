"""YAML read without trusting it: bounded depth, size and alias expansion; dates kept as text."""

from __future__ import annotations

import yaml

#: YAML may nest at most this deep, hold at most this many values as written, and expand
#: (aliases counted where they are used) to at most this many values and characters: far above
#: any configuration or codebook, far below what exhausts memory or time.
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 200_000
MAX_YAML_CHARACTERS = 16 * 2**20


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, keeping dates as text: the schemas check their format."""


class _BoundedLoader(_Loader):
    """The loader, refusing YAML that nests deeper than :data:`MAX_YAML_DEPTH` or holds more
    than :data:`MAX_YAML_NODES` values, as soon as it gets there."""

    _depth = 0
    _nodes = 0

    def compose_node(self, parent, index):
        self._depth += 1
        self._nodes += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"the YAML nests more than {MAX_YAML_DEPTH} levels deep",
                                                  self.peek_event().start_mark)
            if self._nodes > MAX_YAML_NODES:
                raise yaml.composer.ComposerError(None, None, f"the YAML holds more than {MAX_YAML_NODES:,} values",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expansion_problem(node) -> str | None:
    """Why a composed YAML node would expand too far once every alias is resolved, or ``None``.

    Counts values and characters, each node once however many aliases point at it (so linear),
    and refuses an alias that points into the value it is part of (a recursive alias).
    """
    values: dict[int, int] = {}
    chars: dict[int, int] = {}
    open_ids: set[int] = set()
    stack = [(node, False)]
    while stack:
        item, done = stack.pop()
        key = id(item)
        if key in values:
            continue
        children = []
        if isinstance(item, yaml.SequenceNode):
            children = item.value
        elif isinstance(item, yaml.MappingNode):
            children = [part for pair in item.value for part in pair]
        if not done and children:
            if key in open_ids:
                return "the YAML has an alias that refers to the value it is part of, which never ends"
            open_ids.add(key)
            stack.append((item, True))
            for child in children:
                if id(child) in open_ids:
                    return "the YAML has an alias that refers to the value it is part of, which never ends"
                if id(child) not in values:
                    stack.append((child, False))
            continue
        open_ids.discard(key)
        values[key] = 1 + sum(values[id(c)] for c in children)
        chars[key] = (len(item.value) if isinstance(item, yaml.ScalarNode) else 0) + sum(chars[id(c)] for c in children)
        if values[key] > MAX_YAML_NODES:
            return f"the YAML expands to more than {MAX_YAML_NODES:,} values once its aliases are resolved"
        if chars[key] > MAX_YAML_CHARACTERS:
            return f"the YAML expands to more than {MAX_YAML_CHARACTERS:,} characters once its aliases are resolved"
    return None


def load_yaml_text(text: str):
    """Parse YAML text safely, dates left as strings; raises ``yaml.YAMLError`` on YAML that
    does not parse, nests too deep, holds too many values or expands too far (an alias bomb,
    or an alias that refers to itself).

    Examples
    --------
    >>> load_yaml_text("date: 2021-02-30")
    {'date': '2021-02-30'}
    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
    ...     f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\\n" for p, c in zip("abcdef", "bcdefg"))
    >>> load_yaml_text(bomb)
    Traceback (most recent call last):
    ...
    yaml.composer.ComposerError: the YAML expands to more than 200,000 values once its aliases are resolved
    >>> load_yaml_text("a: &a [*a]")
    Traceback (most recent call last):
    ...
    yaml.composer.ComposerError: the YAML has an alias that refers to the value it is part of, which never ends
    """
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        why = _expansion_problem(node)
        if why:
            raise yaml.composer.ComposerError(None, None, why, None)
        return loader.construct_document(node)
    finally:
        loader.dispose()
