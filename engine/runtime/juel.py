"""Translate the JUEL subset of Camunda 7 models into the sandbox's Python expressions.

Camunda 7 writes conditions, assignees and I/O mappings as `${…}` or `#{…}`. The subset read
here covers what real models use: a bare variable and its negation (`${approved}`,
`${!approved}`, `${not approved}`), comparisons with literals including `null` (`==`, `!=`,
`<`, `<=`, `>`, `>=`, `eq`, `ne`, `lt`, `gt`, `le`, `ge`), `x.equals('yes')`, `&&`, `||`,
`and`, `or`, `empty`, `+ - * /`, parentheses, property access (`order.total`,
`execution.businessKey`) and `execution.getVariable('x')`. Anything else raises
`Unsupported` with a sentence, so deploy refuses the element (never at run time).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<string>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[<>!().,+\-*/])"
    r")"
)
_WORDS = {
    "and": " and ",
    "or": " or ",
    "not": " not ",
    "eq": " == ",
    "ne": " != ",
    "lt": " < ",
    "gt": " > ",
    "le": " <= ",
    "ge": " >= ",
    "null": "None",
    "true": "True",
    "false": "False",
}
_OPS = {"&&": " and ", "||": " or ", "!": " not "}
_REFUSED_WORDS = {"div", "mod", "instanceof", "new"}
# What `execution.<property>` means in saksflyt's instance data.
_EXECUTION = {
    "businessKey": "business_key",
    "processBusinessKey": "business_key",
    "processInstanceId": "instance_id",
}


class Unsupported(ValueError):
    """The expression uses JUEL outside the subset saksflyt runs."""


def is_expression(text: str) -> bool:
    """Tell whether a Camunda attribute or mapping value holds a `${…}`/`#{…}` expression."""
    return "${" in text or "#{" in text


def to_python(text: str) -> str:
    """Return the Python expression of one `${…}` (or `#{…}`) JUEL expression."""
    body = _body(text.strip())
    tokens = _tokens(body)
    return _translate(tokens).strip()


def _body(text: str) -> str:
    if len(text) < 3 or text[:2] not in ("${", "#{") or not text.endswith("}"):
        raise Unsupported(
            "only a whole ${…} or #{…} expression is understood here, not text around one"
        )
    inner = text[2:-1]
    if "${" in inner or "#{" in inner or "}" in inner or "{" in inner:
        raise Unsupported("composite expressions (text with several ${…}) are not supported")
    if "?" in inner or ":" in inner or "[" in inner:
        raise Unsupported("the ?: operator, [] access and name spaces are not supported")
    return inner


def _tokens(body: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    body = body.rstrip()
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None or match.end() == position:
            raise Unsupported(f"'{body[position:].strip()[:20]}' is not understood")
        kind = str(match.lastgroup)
        tokens.append((kind, match.group(kind)))
        position = match.end()
    if not tokens:
        raise Unsupported("the expression is empty")
    return tokens


def _translate(tokens: list[tuple[str, str]]) -> str:
    out: list[str] = []
    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        if kind == "name":
            text, index = _name(tokens, index)
            out.append(text)
            continue
        if kind == "string":
            out.append(repr(_unquote(value)))
        elif kind == "number":
            out.append(value)
        elif value in _OPS:
            out.append(_OPS[value])
        elif value == ".":
            raise Unsupported("a '.' must follow a variable name")
        elif value == ",":
            raise Unsupported("',' is only allowed in getVariable('…')")
        else:
            out.append(f" {value} " if value not in "()" else value)
        index += 1
    return "".join(out)


def _name(tokens: list[tuple[str, str]], index: int) -> tuple[str, int]:
    """Translate a word: a keyword, `empty x`, or a variable with properties and methods."""
    word = tokens[index][1]
    if word in _WORDS:
        return _WORDS[word], index + 1
    if word in _REFUSED_WORDS:
        raise Unsupported(f"the operator '{word}' is not supported")
    if word == "empty":
        operand, after = _operand(tokens, index + 1)
        return f"({operand} in (None, '') or {operand} == [] or {operand} == {{}})", after
    return _operand(tokens, index)


def _operand(tokens: list[tuple[str, str]], index: int) -> tuple[str, int]:
    """Translate `name(.property)*`, `.equals(…)` and `execution.getVariable('x')`."""
    if index >= len(tokens) or tokens[index][0] != "name":
        raise Unsupported("'empty' must be followed by a variable")
    text, index = _variable(tokens, index)
    while _at(tokens, index, "."):
        if index + 1 >= len(tokens) or tokens[index + 1][0] != "name":
            raise Unsupported("a '.' must be followed by a property name")
        member = tokens[index + 1][1]
        if _at(tokens, index + 2, "("):
            if member != "equals":
                raise Unsupported(f"the method '{member}()' is not supported")
            argument, index = _argument(tokens, index + 3)
            text = f"({text} == {argument})"
        else:
            text, index = f"{text}[{member!r}]", index + 2
    return text, index


def _variable(tokens: list[tuple[str, str]], index: int) -> tuple[str, int]:
    word = tokens[index][1]
    if word != "execution":
        if _at(tokens, index + 1, "("):
            raise Unsupported(f"the function '{word}()' is not supported")
        return word, index + 1
    if not _at(tokens, index + 1, ".") or index + 2 >= len(tokens):
        raise Unsupported("'execution' alone is not supported; use execution.businessKey")
    member = tokens[index + 2][1]
    if member == "getVariable" and _at(tokens, index + 3, "("):
        kind, name = tokens[index + 4] if index + 4 < len(tokens) else ("", "")
        if kind != "string" or not _at(tokens, index + 5, ")"):
            raise Unsupported("execution.getVariable() needs one quoted variable name")
        variable = _unquote(name)
        if not variable.isidentifier():
            raise Unsupported(f"'{variable}' is not a variable name saksflyt can hold")
        return variable, index + 6
    if member in _EXECUTION and not _at(tokens, index + 3, "("):
        return _EXECUTION[member], index + 3
    raise Unsupported(f"execution.{member} is not supported")


def _argument(tokens: list[tuple[str, str]], index: int) -> tuple[str, int]:
    """Translate one literal or variable argument of `.equals(…)` up to its ')'."""
    if index >= len(tokens):
        raise Unsupported("equals() needs one argument")
    kind, value = tokens[index]
    if kind == "string":
        text, after = repr(_unquote(value)), index + 1
    elif kind == "number":
        text, after = value, index + 1
    elif kind == "name":
        text, after = _name(tokens, index)
    else:
        raise Unsupported("equals() needs one literal or variable argument")
    if not _at(tokens, after, ")"):
        raise Unsupported("equals() takes exactly one argument")
    return text, after + 1


def _at(tokens: list[tuple[str, str]], index: int, value: str) -> bool:
    return index < len(tokens) and tokens[index] == ("op", value)


def _unquote(literal: str) -> str:
    inner = literal[1:-1]
    return re.sub(r"\\(.)", r"\1", inner)
