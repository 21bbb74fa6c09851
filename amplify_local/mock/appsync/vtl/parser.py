"""The AppSync dialect of Velocity, as an extension of Airspeed's parser.

Airspeed's element classes parse by naming their child element classes as module globals. We reuse
that parsing code unchanged and run it against this module's element table (`_grammar`), so every
element that is subclassed here is picked up wherever Airspeed's grammar names it. What the dialect
adds or corrects:

- `#return` / `#return(value)` (AppSync), `#break`, unparsed blocks `#[[ ... ]]#`;
- `#set` targets with brackets and nested properties (`#set($m.a["b"] = 1)`, `#set($l[0] = 2)`);
- identifiers with `-` as in Velocity 1.7 (`$x-y`), `$1` as plain text;
- expressions as method arguments and map/list items (`$m.put("n", $n + 1)`);
- word operators only as whole words (`$a gt 3`, never the `or` inside `$order`);
- Velocity's string literals (`'\\d+'` keeps its backslash, `""` and `''` are quotes), braced
  directives (`#{if}`, `#{foreach}`).

Replaced, for speed only: Airspeed builds every candidate element at every position and lets all but
one fail; `Block`, `Value`, `NameOrCall`, `VariableExpression` and `Expression` look at the next
characters first and build only the candidates that can match (the trees are the same; parsing the
generated templates is 2x faster). Evaluation is not Airspeed's either: `compiler.py` turns the tree
into closures.
"""

from __future__ import annotations

import contextlib
import re
import types
from typing import Any, ClassVar

import airspeed
from airspeed import WHITESPACE_TO_END_OF_LINE, NoMatch, StoppableStream, TemplateSyntaxError

__all__ = ["NoMatch", "TemplateSyntaxError", "parse"]

_grammar: dict[str, Any] = {}  # filled at the end of the module: element name -> this module's class


def _rebind(function: Any) -> Any:
    """Airspeed's `parse` code, resolving element names in this module instead of Airspeed's."""
    return types.FunctionType(function.__code__, _grammar, function.__name__, function.__defaults__,
                              function.__closure__)


class Text(airspeed.Text):
    PLAIN = re.compile(
        r'((?:[^\\\$#]+|\\[\$#])+|\$[^!\{a-z_]|\$$|\$!(?![\{a-z_])|#$|#[^\[\{\}a-zA-Z0-9#\*\$]+|\\.)',
        re.S + re.I)


class StringLiteral(airspeed.StringLiteral):
    """`'text'`: Velocity keeps backslashes as written (a regex needs no doubling); `''` is one quote."""

    STRING = re.compile(r"'((?:[^']|'')*)'", re.S)

    def parse(self) -> None:
        raw, = self.identity_match(self.STRING)
        self.value = raw.replace("''", "'")


class InterpolatedStringLiteral(airspeed.InterpolatedStringLiteral):
    """`"text $ref"`: `""` is one quote, a Unicode escape a character, other backslashes stay as written."""

    STRING = re.compile(r'"((?:\\.|""|[^"\\])*)"', re.S)
    UNICODE = re.compile(r'\\u([0-9a-fA-F]{4})')

    def parse(self) -> None:
        raw, = self.identity_match(self.STRING)
        self.value = self.UNICODE.sub(lambda m: chr(int(m.group(1), 16)), raw.replace('""', '"'))
        self.block = Block(self.filename, self.value, 0)


class RawBlock(airspeed._Element):
    """`#[[ ... ]]#`: text rendered as it is."""

    RAW = re.compile(r'#\[\[(.*?)\]\]#', re.S)

    def parse(self) -> None:
        self.text, = self.identity_match(self.RAW)


class NameOrCall(airspeed.NameOrCall):
    """A name, then `(arguments)` or `[index]`; a trailing `-` is text (`"$a-$b"`)."""

    NAME = re.compile(r'([_a-z][a-z0-9_\-]*?)(?=-*(?![a-z0-9_\-]))', re.S + re.I)

    def parse(self) -> None:
        self.name, = self.identity_match(self.NAME)
        follower = self._full_text[self.end:self.end + 1]
        if follower == "(":  # peeking instead of trying each element saves most of the parse time
            self.parameters = self.next_element(ParameterList)
        elif follower == "[":
            self.index = self.next_element(ArrayIndex)


class VariableExpression(airspeed.VariableExpression):
    def parse(self) -> None:
        self.part = self.next_element(NameOrCall)
        if self._full_text[self.end:self.end + 1] in (".", "["):
            with contextlib.suppress(NoMatch):
                self.subexpression = self.next_element(SubExpression)


class ValueList(airspeed.ValueList):
    def parse(self) -> None:
        self.values = []
        try:
            value = self.next_element(Expression)
        except NoMatch:
            return
        self.values.append(value)
        while self.optional_match(self.COMMA):
            self.values.append(self.require_next_element(Expression, 'value'))


class DictionaryLiteral(airspeed.DictionaryLiteral):
    def parse(self) -> None:
        self.identity_match(self.START)
        self.items: list[tuple[Any, Any]] = []
        if self.optional_match(self.END):
            return
        while True:
            key = self.require_next_element(Value, 'map key')
            self.require_match(self.KEYVALSEP, ':')
            self.items.append((key, self.require_next_element(Expression, 'map value')))
            if not self.optional_match(self.PAIRSEP):
                break
        self.require_match(self.END, '}')


class BinaryOperator(airspeed.BinaryOperator):
    BINARY_OP = re.compile(
        r'\s*(>=|<=|<|==|!=|>|%|\|\||&&|\+|\-|\*|\/|'
        r'(?:or|and|gt|lt|ne|eq|ge|le)(?![A-Za-z0-9_]))\s*', re.S)

    def parse(self) -> None:
        self.op, = self.identity_match(self.BINARY_OP)


class Expression(airspeed.Expression):
    """`value (op value)*`, kept flat as Airspeed keeps it (the compiler applies precedence)."""

    def parse(self) -> None:
        self.expression = [self.next_element(Value)]
        while BinaryOperator.BINARY_OP.match(self._full_text, self.end):  # look before building the element
            self.expression.append(self.next_element(BinaryOperator))
            self.expression.append(self.require_next_element(Value, 'value'))


class UnaryOperatorValue(airspeed.UnaryOperatorValue):
    UNARY_OP = re.compile(r'\s*(!|-|not(?![A-Za-z0-9_]))\s*', re.S)

    def parse(self) -> None:
        self.op, = self.identity_match(self.UNARY_OP)
        self.value = self.require_next_element(Value, 'value')


class SetDirective(airspeed.SetDirective):
    """`#set($target = expression)`; the target is any reference ending in a name, property or index."""

    START = re.compile(r'#\{?set\}?\s*\(\s*', re.S + re.I)

    def parse(self) -> None:
        self.identity_match(self.START)
        self.target = self.require_next_element(FormalReference, 'a reference to set')
        self.require_match(self.EQUALS, '=')
        self.value = self.require_next_element(Expression, 'expression')
        self.require_match(self.END, 'closing paren')


class ReturnDirective(airspeed._Element):
    """`#return` and `#return(value)`: AppSync's early exit from a template."""

    START = re.compile(r'#(?:return|\{return\})', re.S + re.I)
    OPEN_PAREN = re.compile(r'\s*\(\s*', re.S)
    CLOSE_PAREN = re.compile(r'\s*\)', re.S)
    value = None

    def parse(self) -> None:
        self.identity_match(self.START)
        if self.optional_match(self.OPEN_PAREN):
            self.value = self.require_next_element(Expression, 'value')
            self.require_match(self.CLOSE_PAREN, ')')


class BreakDirective(airspeed._Element):
    START = re.compile(r'#(?:break|\{break\})(?:\s*\(\s*\$[a-z_][a-z0-9_]*\s*\))?', re.S + re.I)

    def parse(self) -> None:
        self.identity_match(self.START)


class StopDirective(airspeed.StopDirective):
    STOP = re.compile(r'#(?:stop|\{stop\})', re.S + re.I)


class MacroDefinition(airspeed.MacroDefinition):
    RESERVED_NAMES = (*airspeed.MacroDefinition.RESERVED_NAMES, "return", "break", "evaluate")
    parse = _rebind(airspeed.MacroDefinition.parse)


class MacroCall(airspeed.MacroCall):
    def parse(self) -> None:
        macro_name, = self.identity_match(self.START)
        self.macro_name = macro_name.lower()
        if self.macro_name in MacroDefinition.RESERVED_NAMES:
            raise NoMatch()
        if not self.optional_match(self.OPEN_PAREN):
            raise NoMatch()  # `#abc` in text, e.g. a colour
        self.args = []
        while True:
            try:
                self.args.append(self.next_element(Value))
            except NoMatch:
                break
            if not self.optional_match(self.SPACE_OR_COMMA):
                break
        self.require_match(self.CLOSE_PAREN, 'argument value or )')


class Block(airspeed.Block):
    """A run of text, references and directives. Airspeed tries every element class at every position;
    here the next characters choose the candidates (same result, several times faster to parse)."""

    DIRECTIVE_NAME = re.compile(r'#\{?([A-Za-z_][A-Za-z0-9_]*)')
    BY_DIRECTIVE: ClassVar[dict[str, tuple[type, ...]]] = {}
    AFTER_DOLLAR: tuple[type, ...] = ()
    AFTER_HASH: tuple[type, ...] = ()
    PLAIN: tuple[type, ...] = ()

    def candidates(self) -> tuple[type, ...] | None:
        text, position = self._full_text, self.end
        char = text[position:position + 1]
        if char == "$":
            return self.AFTER_DOLLAR
        if char != "#":
            return self.PLAIN if char else None
        follower = text[position + 1:position + 2]
        if follower in ("#", "*"):
            return (Comment,)
        if follower == "[":
            return (RawBlock, *self.AFTER_HASH)
        name = self.DIRECTIVE_NAME.match(text, position)
        if name is None:
            return self.AFTER_HASH
        word = name.group(1).lower()
        if word.startswith(("end", "else")):
            return None  # closes the enclosing directive
        return self.BY_DIRECTIVE.get(word, (MacroCall, *self.AFTER_HASH))

    def parse(self) -> None:
        self.children = []
        while True:
            candidates = self.candidates()
            if candidates is None:
                break
            try:
                self.children.append(self.next_element(candidates))
            except NoMatch:
                break


class Value(airspeed.Value):
    """A literal, reference or parenthesised expression; the first character picks the candidates."""

    BY_FIRST: ClassVar[dict[str, tuple[type, ...]]] = {}
    ALL: tuple[type, ...] = ()

    def parse(self) -> None:
        first = self._full_text[self.end:self.end + 1]
        self.expression = self.next_element(self.BY_FIRST.get(first, self.ALL))


def _subclass(name: str) -> type:
    """An Airspeed element whose parsing code resolves child elements in this module."""
    base = getattr(airspeed, name)
    return type(name, (base,), {"__module__": __name__, "parse": _rebind(base.parse)})


FallthroughHashText = airspeed.FallthroughHashText
IntegerLiteral = airspeed.IntegerLiteral
FloatingPointLiteral = airspeed.FloatingPointLiteral
BooleanLiteral = airspeed.BooleanLiteral
NullLiteral = airspeed.NullLiteral
Comment = airspeed.Comment
End = airspeed.End
Range = _subclass("Range")
ArrayLiteral = _subclass("ArrayLiteral")
SubExpression = _subclass("SubExpression")
ParameterList = _subclass("ParameterList")
ArrayIndex = _subclass("ArrayIndex")
AlternateValue = _subclass("AlternateValue")
FormalReference = _subclass("FormalReference")
ParenthesizedExpression = _subclass("ParenthesizedExpression")
Condition = _subclass("Condition")
ElseBlock = _subclass("ElseBlock")
ElseifBlock = _subclass("ElseifBlock")
IfDirective = _subclass("IfDirective")
ForeachDirective = _subclass("ForeachDirective")
DefineDefinition = _subclass("DefineDefinition")
TemplateBody = _subclass("TemplateBody")

# Velocity's braced forms `#{if}`, `#{elseif}`, `#{foreach}` beside the plain ones
IfDirective.START = re.compile(r'#(?:if|\{if\})(?![A-Za-z0-9_])\s*', re.S + re.I)
ElseifBlock.START = re.compile(r'#(?:elseif|\{elseif\})(?![A-Za-z0-9_])\s*', re.S + re.I)
ForeachDirective.START = re.compile(r'#(?:foreach|\{foreach\})(?![A-Za-z0-9_])', re.S + re.I)

Value.ALL = (FormalReference, FloatingPointLiteral, IntegerLiteral, StringLiteral, InterpolatedStringLiteral,
             ArrayLiteral, DictionaryLiteral, ParenthesizedExpression, UnaryOperatorValue, BooleanLiteral,
             NullLiteral)
Value.BY_FIRST = {
    "$": (FormalReference,), '"': (InterpolatedStringLiteral,), "'": (StringLiteral,), "[": (ArrayLiteral,),
    "{": (DictionaryLiteral,), "(": (ParenthesizedExpression,), "!": (UnaryOperatorValue,),
    "-": (FloatingPointLiteral, IntegerLiteral, UnaryOperatorValue), ".": (FloatingPointLiteral,),
    **{digit: (FloatingPointLiteral, IntegerLiteral) for digit in "0123456789"},
    **{letter: (BooleanLiteral,) for letter in "tfTF"}, **{letter: (UnaryOperatorValue, NullLiteral) for letter in "nN"},
}

Block.AFTER_DOLLAR = (Text, FormalReference)  # Text takes `$` before a non-name (`$5`)
Block.AFTER_HASH = (Text, FallthroughHashText)
Block.PLAIN = (Text,)
Block.BY_DIRECTIVE = {
    "if": (IfDirective, MacroCall, *Block.AFTER_HASH), "set": (SetDirective, MacroCall, *Block.AFTER_HASH),
    "foreach": (ForeachDirective, MacroCall, *Block.AFTER_HASH),
    "macro": (MacroDefinition, *Block.AFTER_HASH), "define": (DefineDefinition, *Block.AFTER_HASH),
    "stop": (StopDirective, MacroCall, *Block.AFTER_HASH), "return": (ReturnDirective, *Block.AFTER_HASH),
    "break": (BreakDirective, MacroCall, *Block.AFTER_HASH),
}

_grammar.update({
    "NoMatch": NoMatch, "WHITESPACE_TO_END_OF_LINE": WHITESPACE_TO_END_OF_LINE,
    "StoppableStream": StoppableStream, "_EmptyValues": airspeed._EmptyValues,
})
_grammar.update({name: value for name, value in globals().items() if isinstance(value, type)
                 and issubclass(value, airspeed._Element)})


def parse(text: str, path: str) -> Any:
    """The element tree of a template; raises Airspeed's `TemplateSyntaxError` with line and column."""
    return TemplateBody(path, text)
