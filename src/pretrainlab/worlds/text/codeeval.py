"""A tiny interpreter for the mini-language of the code domain (never ``exec``/``eval``).

Grammar (indentation of 4 spaces makes blocks; ``#`` starts a comment; there are no strings)::

    stmt  := "def" NAME "(" [NAME ("," NAME)*] ")" ":" block
           | "if" expr ":" block ["else" ":" block]
           | "for" NAME "in" "range" "(" expr ")" ":" block
           | "return" expr | "print" "(" expr ")" | NAME "=" expr
    expr  := sum [("<" | ">" | "<=" | ">=" | "==" | "!=") sum]
    sum   := term (("+" | "-") term)*
    term  := unary (("*" | "//" | "%") unary)*
    unary := "-" unary | INT | NAME | NAME "(" [expr ("," expr)*] ")" | "(" expr ")"

``run(source)`` returns the printed lines. Comparisons give 1 or 0. Loops are capped at
``MAX_RANGE`` iterations and calls at ``MAX_DEPTH`` frames, so every program terminates.

Examples:
    >>> run("def add_3(x):\\n    return x + 3\\nprint(add_3(4))")
    ['7']
"""

from __future__ import annotations

import re

TOKEN_RE = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z_0-9]*)|(//|<=|>=|==|!=|[-+*%<>()=,:]))")
MAX_RANGE = 10_000
MAX_DEPTH = 50
BINOPS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "//": lambda a, b: a // b, "%": lambda a, b: a % b, "<": lambda a, b: int(a < b),
    ">": lambda a, b: int(a > b), "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b),
    "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b),
}


class CodeError(ValueError):
    """The snippet is outside the mini-language or fails at run time."""


class _Return(Exception):
    def __init__(self, value: int):
        self.value = value


def tokenize(text: str) -> list[str]:
    """Tokens of one line of code (no comments)."""
    tokens, pos, text = [], 0, text.rstrip()
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise CodeError(f"unexpected character in {text!r} at {pos}")
        tokens.append(m.group(m.lastindex))
        pos = m.end()
    return tokens


class _Expr:
    """Recursive-descent parser of one expression into nested tuples."""

    def __init__(self, tokens: list[str]):
        self.toks, self.i = tokens, 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, want: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (want is not None and tok != want):
            raise CodeError(f"expected {want or 'a token'}, got {tok!r} in {' '.join(self.toks)!r}")
        self.i += 1
        return tok

    def expr(self):
        left = self.binary(("+", "-"), lambda: self.binary(("*", "//", "%"), self.unary))
        if self.peek() in ("<", ">", "<=", ">=", "==", "!="):
            op = self.take()
            right = self.binary(("+", "-"), lambda: self.binary(("*", "//", "%"), self.unary))
            left = ("bin", op, left, right)
        return left

    def binary(self, ops, sub):
        node = sub()
        while self.peek() in ops:
            op = self.take()
            node = ("bin", op, node, sub())
        return node

    def unary(self):
        tok = self.take()
        if tok == "-":
            return ("neg", self.unary())
        if tok == "(":
            node = self.expr()
            self.take(")")
            return node
        if tok.isdigit():
            return ("int", int(tok))
        if not re.fullmatch(r"[A-Za-z_]\w*", tok):
            raise CodeError(f"unexpected token {tok!r}")
        if self.peek() != "(":
            return ("var", tok)
        self.take("(")
        args = []
        while self.peek() != ")":
            args.append(self.expr())
            if self.peek() == ",":
                self.take(",")
        self.take(")")
        return ("call", tok, args)


def parse_expr(tokens: list[str]):
    p = _Expr(tokens)
    node = p.expr()
    if p.peek() is not None:
        raise CodeError(f"trailing tokens {p.toks[p.i:]!r}")
    return node


def _lines(source: str) -> list[tuple[int, list[str]]]:
    out = []
    for raw in source.splitlines():
        code = raw.split("#", 1)[0].rstrip()
        if code.strip():
            indent = len(code) - len(code.lstrip(" "))
            out.append((indent, tokenize(code.strip())))
    return out


def _block(lines, i: int, indent: int) -> tuple[list, int]:
    """Parse statements at ``indent`` starting at line ``i``; return (stmts, next line)."""
    stmts = []
    while i < len(lines) and lines[i][0] == indent:
        stmt, i = _stmt(lines, i, indent)
        stmts.append(stmt)
    if i < len(lines) and lines[i][0] > indent:
        raise CodeError(f"unexpected indent at statement {i + 1}")
    return stmts, i


def _body(lines, i: int, indent: int) -> tuple[list, int]:
    if i >= len(lines) or lines[i][0] <= indent:
        raise CodeError(f"expected an indented block after statement {i}")
    return _block(lines, i, lines[i][0])


def _stmt(lines, i: int, indent: int):
    toks = lines[i][1]
    head = toks[0]
    if head in ("def", "if", "for"):
        if toks[-1] != ":":
            raise CodeError(f"missing ':' in {' '.join(toks)!r}")
        body, nxt = _body(lines, i + 1, indent)
        if head == "def":
            params = [t for t in toks[3:-2] if t != ","]
            return ("def", toks[1], params, body), nxt
        if head == "for":
            if toks[2:5] != ["in", "range", "("] or toks[-2] != ")":
                raise CodeError(f"only 'for NAME in range(N):' is supported: {' '.join(toks)!r}")
            return ("for", toks[1], parse_expr(toks[5:-2]), body), nxt
        orelse = []
        if nxt < len(lines) and lines[nxt][0] == indent and lines[nxt][1] == ["else", ":"]:
            orelse, nxt = _body(lines, nxt + 1, indent)
        return ("if", parse_expr(toks[1:-1]), body, orelse), nxt
    if head == "return":
        return ("return", parse_expr(toks[1:])), i + 1
    if head == "print" and toks[1] == "(" and toks[-1] == ")":
        return ("print", parse_expr(toks[2:-1])), i + 1
    if len(toks) > 2 and toks[1] == "=":
        return ("assign", head, parse_expr(toks[2:])), i + 1
    raise CodeError(f"unsupported statement {' '.join(toks)!r}")


def parse(source: str) -> list:
    """The program as a list of statement tuples."""
    lines = _lines(source)
    if lines and lines[0][0] != 0:
        raise CodeError("the first statement must not be indented")
    stmts, i = _block(lines, 0, 0)
    if i != len(lines):
        raise CodeError(f"bad indentation at statement {i + 1}")
    return stmts


class _Machine:
    def __init__(self):
        self.funcs: dict[str, tuple[list[str], list]] = {}
        self.out: list[str] = []
        self.depth = 0

    def value(self, node, env: dict[str, int]) -> int:
        kind = node[0]
        if kind == "int":
            return node[1]
        if kind == "var":
            if node[1] not in env:
                raise CodeError(f"name {node[1]!r} is not defined")
            return env[node[1]]
        if kind == "neg":
            return -self.value(node[1], env)
        if kind == "bin":
            a, b = self.value(node[2], env), self.value(node[3], env)
            if node[1] in ("//", "%") and b == 0:
                raise CodeError("division by zero")
            return BINOPS[node[1]](a, b)
        return self.call(node[1], [self.value(a, env) for a in node[2]])

    def call(self, name: str, args: list[int]) -> int:
        if name not in self.funcs:
            raise CodeError(f"function {name!r} is not defined")
        params, body = self.funcs[name]
        if len(params) != len(args):
            raise CodeError(f"{name}() takes {len(params)} arguments, got {len(args)}")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CodeError("call depth limit exceeded")
        try:
            self.block(body, dict(zip(params, args)))
            return 0
        except _Return as r:
            return r.value
        finally:
            self.depth -= 1

    def block(self, stmts: list, env: dict[str, int]) -> None:
        for s in stmts:
            kind = s[0]
            if kind == "def":
                self.funcs[s[1]] = (s[2], s[3])
            elif kind == "assign":
                env[s[1]] = self.value(s[2], env)
            elif kind == "print":
                self.out.append(str(self.value(s[1], env)))
            elif kind == "return":
                raise _Return(self.value(s[1], env))
            elif kind == "if":
                self.block(s[2] if self.value(s[1], env) else s[3], env)
            else:
                n = self.value(s[2], env)
                if n > MAX_RANGE:
                    raise CodeError(f"range({n}) is over the limit {MAX_RANGE}")
                for k in range(n):
                    env[s[1]] = k
                    self.block(s[3], env)


def run(source: str) -> list[str]:
    """Run ``source`` and return its printed lines."""
    m = _Machine()
    try:
        m.block(parse(source), {})
    except _Return:
        raise CodeError("'return' outside a function") from None
    return m.out
