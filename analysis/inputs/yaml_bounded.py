"""YAML read without trusting it: bounded depth, size and alias expansion; dates kept as text."""

from __future__ import annotations

import yaml

#: YAML may nest at most this deep, hold at most this many values as written, and expand
#: (aliases counted where they are used) to at most this many values and characters: far above
#: any configuration or codebook, far below what exhausts memory or time.
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 200_000
MAX_YAML_CHARACTERS = 16 * 2**20


#: YAML's implicit types without the timestamp: dates stay text, and the schemas check their format.
_RESOLVERS = {first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
              for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, keeping dates as text."""

    yaml_implicit_resolvers = _RESOLVERS


#: YAML this short, without anchors or aliases (``&``, ``*``), cannot hold more values or characters
#: than the bounds allow; it is parsed by libyaml (a transcript header in a tenth of the time) and
#: only its depth is checked after. Anything else, and anything libyaml refuses, goes through the
#: bounded loader, which also words the problem.
FAST_MAX_CHARACTERS = 16_384
_FastLoader = None
if getattr(yaml, "__with_libyaml__", False):
    class _FastLoader(yaml.CSafeLoader):
        """libyaml's safe loader, keeping dates as text."""

        yaml_implicit_resolvers = _RESOLVERS


def _deeper_than(value, limit: int) -> bool:
    """Does a loaded YAML value nest more than ``limit`` levels deep (the value itself is level 1)?

    >>> _deeper_than({"a": [1, [2]]}, 3), _deeper_than({"a": [1, [2]]}, 2)
    (False, True)
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in [*item.keys(), *item.values()] if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return False


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
    if _FastLoader is not None and len(text) <= FAST_MAX_CHARACTERS and "&" not in text and "*" not in text:
        try:
            value = yaml.load(text, Loader=_FastLoader)
        except (yaml.YAMLError, RecursionError):
            pass  # the bounded loader below refuses it too, in its own words
        else:
            if not _deeper_than(value, MAX_YAML_DEPTH):
                return value
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
